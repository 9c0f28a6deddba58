import { formatGoFloat } from "./gofmt.js";

/**
 * Runtime values of the query language, chosen so the hot path (JSON bodies and string metadata)
 * needs no conversion:
 *
 * - `string`: a Go string.
 * - `number`: a number read from a JSON body or given as metadata (Go `json.Number`) whose
 *   original text is `String(n)`. Printed as that text; sanitises to int64 or float64.
 * - {@link JsonNumber}: a body number whose text `String(n)` would not reproduce (`1.50`, `1e3`).
 * - `bigint`: int64 (arithmetic wraps like Go).
 * - {@link GoFloat}: float64 (printed with Go's `%g`-like shortest format).
 * - `Uint8Array`: bytes. `boolean`, `null`, arrays, plain objects.
 * - {@link Timestamp}, {@link DELETE}, {@link NOTHING}.
 */
export type Value =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Special
  | Value[]
  | { [key: string]: Value };

export type ValueObject = { [key: string]: Value };

/** Base of the boxed value kinds, so one `instanceof` tells them from plain objects. */
export abstract class Special {
  abstract readonly kind: "float" | "jsonnumber" | "timestamp" | "delete" | "nothing";
}

/** A float64 result (arithmetic, float literals, `.number()`). */
export class GoFloat extends Special {
  readonly kind = "float" as const;
  constructor(readonly f: number) {
    super();
  }
}

/** A JSON number whose source text must be kept because `String(Number(text))` differs. */
export class JsonNumber extends Special {
  readonly kind = "jsonnumber" as const;
  constructor(readonly text: string) {
    super();
  }
}

/** A time zone: UTC, the process local zone, a fixed offset or an IANA name. */
export interface Zone {
  readonly name: string;
  /** Fixed offset in seconds east of UTC, or `undefined` when it depends on the instant. */
  readonly fixed: number | undefined;
}

export const UTC: Zone = { name: "UTC", fixed: 0 };
export const LOCAL: Zone = { name: "Local", fixed: undefined };

/** A point in time with nanosecond precision and the zone it is shown in (Go `time.Time`). */
export class Timestamp extends Special {
  readonly kind = "timestamp" as const;
  constructor(
    /** Nanoseconds since the unix epoch. */
    readonly ns: bigint,
    readonly zone: Zone,
  ) {
    super();
  }
}

class Marker extends Special {
  constructor(readonly kind: "delete" | "nothing") {
    super();
  }
}

/** `deleted()`: prints `null`. */
export const DELETE: Special = new Marker("delete");
/** `nothing()`, an `if` without `else`, a `match` without a match: prints `null`. */
export const NOTHING: Special = new Marker("nothing");

export type TypeName =
  | "string"
  | "bytes"
  | "number"
  | "bool"
  | "timestamp"
  | "array"
  | "object"
  | "null"
  | "delete"
  | "nothing"
  | "unknown";

export function isObject(v: unknown): v is ValueObject {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Special) &&
    !(v instanceof Uint8Array)
  );
}

/** Bloblang type name of a value (`value.ITypeOf`). */
export function typeOf(v: unknown): TypeName {
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "bool";
    case "object":
      if (v === null) return "null";
      if (v instanceof Special) {
        switch (v.kind) {
          case "float":
          case "jsonnumber":
            return "number";
          case "timestamp":
            return "timestamp";
          case "delete":
            return "delete";
          case "nothing":
            return "nothing";
        }
      }
      if (v instanceof Uint8Array) return "bytes";
      if (Array.isArray(v)) return "array";
      return "object";
    case "undefined":
      return "null";
    default:
      return "unknown";
  }
}

/** Go `%T` of the value as the reference would hold it, for messages that print it. */
export function goTypeName(v: unknown): string {
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "json.Number";
    case "bigint":
      return "int64";
    case "boolean":
      return "bool";
    case "object":
      if (v === null) return "<nil>";
      if (v instanceof Special) {
        switch (v.kind) {
          case "float":
            return "float64";
          case "jsonnumber":
            return "json.Number";
          case "timestamp":
            return "time.Time";
          case "delete":
            return "value.Delete";
          case "nothing":
            return "value.Nothing";
        }
      }
      if (v instanceof Uint8Array) return "[]uint8";
      if (Array.isArray(v)) return "[]interface {}";
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

export function isNullish(v: Value): boolean {
  return v === null || v === DELETE || v === NOTHING;
}

// ---------------------------------------------------------------------------------------------
// numbers

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
const TWO_63 = 2 ** 63;

export function wrapInt(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

const INT_TEXT = /^-?\d+$/;

function jsonNumberToNumber(text: string): bigint | number {
  if (INT_TEXT.test(text)) {
    const b = BigInt(text);
    if (b >= INT64_MIN && b <= INT64_MAX) return b;
  }
  return Number(text);
}

/**
 * Normalised number: `bigint` for int64, `number` for float64 (`value.ISanitize` on numbers).
 * Returns `undefined` when the value is not a number.
 */
export function sanitizeNumber(v: Value): bigint | number | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < TWO_63) return BigInt(v);
    return v;
  }
  if (v instanceof Special) {
    if (v.kind === "float") return (v as GoFloat).f;
    if (v.kind === "jsonnumber") return jsonNumberToNumber((v as JsonNumber).text);
  }
  return undefined;
}

/** `value.ISanitize`: numbers become int64 or float64, timestamps become strings. */
export function sanitize(v: Value): Value {
  if (typeof v === "number" || v instanceof GoFloat || v instanceof JsonNumber) {
    const n = sanitizeNumber(v) as bigint | number;
    return typeof n === "bigint" ? n : new GoFloat(n);
  }
  if (v instanceof Timestamp) return timestampToString(v);
  return v;
}

/** Shallow sanitise for `json()` results: the top level only. */
export function sanitizeTop(v: Value): Value {
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < TWO_63) return BigInt(v);
    return new GoFloat(v);
  }
  if (v instanceof JsonNumber) {
    const n = jsonNumberToNumber(v.text);
    return typeof n === "bigint" ? n : new GoFloat(n);
  }
  return v;
}

/** float64 view of any number (`value.IGetNumber`); `undefined` when not a number. */
export function getNumber(v: Value): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Special) {
    if (v.kind === "float") return (v as GoFloat).f;
    if (v.kind === "jsonnumber") return Number((v as JsonNumber).text);
  }
  return undefined;
}

/** Go's float64 → int64 conversion (truncation, saturating like amd64 does for out of range). */
export function floatToInt(f: number): bigint {
  if (Number.isNaN(f)) return INT64_MIN;
  if (f >= TWO_63 || f < -TWO_63) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** int64 view (`value.IGetInt`): floats truncate. */
export function getInt(v: Value): bigint | undefined {
  if (typeof v === "bigint") return v;
  const n = sanitizeNumber(v);
  if (n === undefined) return undefined;
  return typeof n === "bigint" ? n : floatToInt(n);
}

export function makeFloat(f: number): GoFloat {
  return new GoFloat(f);
}

// ---------------------------------------------------------------------------------------------
// strings and bytes

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Byte length of a string's UTF-8 form without encoding it when it is ASCII. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff) {
        n += 2;
        i++;
      } else n += 2;
    }
  }
  return n;
}

/** `value.IGetString`: strings, bytes and timestamps only. */
export function getString(v: Value): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return utf8Decode(v);
  if (v instanceof Timestamp) return timestampToString(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// timestamps (RFC 3339 printing lives here because `IToString` needs it)

export function timestampToString(t: Timestamp): string {
  return formatRFC3339Nano(t.ns, zoneOffsetAt(t.zone, t.ns));
}

let localOffsetCache: { ms: number; off: number } | undefined;

/** Offset east of UTC in seconds of a zone at an instant. */
export function zoneOffsetAt(zone: Zone, ns: bigint): number {
  if (zone.fixed !== undefined) return zone.fixed;
  const ms = Number(ns / 1000000n);
  if (zone === LOCAL || zone.name === "Local") {
    if (localOffsetCache?.ms === ms) return localOffsetCache.off;
    const off = -new Date(ms).getTimezoneOffset() * 60;
    localOffsetCache = { ms, off };
    return off;
  }
  return ianaOffset(zone.name, ms);
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();

function ianaOffset(name: string, ms: number): number {
  let dtf = dtfCache.get(name);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    dtfCache.set(name, dtf);
  }
  const parts = dtf.formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUTC = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  const base = Math.floor(ms / 1000) * 1000;
  return Math.round((asUTC - base) / 1000);
}

/** Whether an IANA zone name is known to this runtime. */
export function isKnownZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function pad(n: number, w: number): string {
  let s = String(n);
  while (s.length < w) s = "0" + s;
  return s;
}

export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number;
  yday: number;
}

/** Calendar fields of an instant shifted by an offset (proleptic Gregorian, like Go). */
export function civil(ns: bigint, offsetSec: number): CivilTime {
  let sec = ns / 1000000000n;
  let nanos = Number(ns % 1000000000n);
  if (nanos < 0) {
    nanos += 1000000000;
    sec -= 1n;
  }
  const local = sec + BigInt(offsetSec);
  let days = local / 86400n;
  let rem = Number(local % 86400n);
  if (rem < 0) {
    rem += 86400;
    days -= 1n;
  }
  const d = Number(days);
  // Civil-from-days (Howard Hinnant's algorithm).
  const z = d + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const weekday = (((d % 7) + 11) % 7) as number; // 1970-01-01 was a Thursday (4)
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const yday = (cum[month - 1] ?? 0) + day + (leap && month > 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    nanos,
    weekday,
    yday,
  };
}

/** Days since the epoch of a civil date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function formatOffset(off: number, colon: boolean, zForZero: boolean): string {
  if (off === 0 && zForZero) return "Z";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + pad(h, 2) + (colon ? ":" : "") + pad(m, 2);
}

function formatRFC3339Nano(ns: bigint, off: number): string {
  const c = civil(ns, off);
  let s = `${c.year < 0 ? "-" : ""}${pad(Math.abs(c.year), 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}T${pad(c.hour, 2)}:${pad(c.minute, 2)}:${pad(c.second, 2)}`;
  if (c.nanos !== 0) {
    let frac = pad(c.nanos, 9);
    while (frac.endsWith("0")) frac = frac.slice(0, -1);
    s += "." + frac;
  }
  return s + formatOffset(off, true, true);
}

// ---------------------------------------------------------------------------------------------
// value → text (`value.IToString`)

/** Text of a value as injected into an interpolated string. */
export function toText(v: Value): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return numberText(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "null";
      if (v instanceof Special) {
        switch (v.kind) {
          case "float":
            return formatGoFloat((v as GoFloat).f);
          case "jsonnumber":
            return (v as JsonNumber).text;
          case "timestamp":
            return timestampToString(v as Timestamp);
          default:
            return "null";
        }
      }
      if (v instanceof Uint8Array) return utf8Decode(v);
      return toJSON(v);
    default:
      return "null";
  }
}

function numberText(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return formatGoFloat(n);
}

/** Bytes of a value as injected (`value.IToBytes`). */
export function toBytes(v: Value): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return utf8Encode(toText(v));
}

// ---------------------------------------------------------------------------------------------
// JSON encoding as Go's `json.Marshal` does it (sorted keys, HTML-escaped, bytes as base64)

class UnsupportedValue {}

const HTML_ESCAPES = /[<>&\u2028\u2029]/g;
const HTML_REPLACEMENTS: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A JSON string literal the way Go writes it. */
export function jsonQuote(s: string, escapeHTML = true): string {
  const q = JSON.stringify(s);
  if (escapeHTML) return q.replace(HTML_ESCAPES, (c) => HTML_REPLACEMENTS[c] ?? c);
  return q.replace(/[\u2028\u2029]/g, (c) => HTML_REPLACEMENTS[c] ?? c);
}

/** Compare strings by their UTF-8 bytes, which is how Go sorts map keys. */
export function compareUTF8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(compareUTF8);
  return keys;
}

function encodeInto(v: unknown, out: string[], escapeHTML: boolean): void {
  switch (typeof v) {
    case "string":
      out.push(jsonQuote(v, escapeHTML));
      return;
    case "number":
      if (!Number.isFinite(v)) throw new UnsupportedValue();
      out.push(String(v));
      return;
    case "bigint":
      out.push(v.toString());
      return;
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "object": {
      if (v === null) {
        out.push("null");
        return;
      }
      if (v instanceof Special) {
        switch (v.kind) {
          case "float": {
            const f = (v as GoFloat).f;
            if (!Number.isFinite(f)) throw new UnsupportedValue();
            out.push(Object.is(f, -0) ? "-0" : String(f));
            return;
          }
          case "jsonnumber":
            out.push((v as JsonNumber).text);
            return;
          case "timestamp":
            out.push(JSON.stringify(timestampToString(v as Timestamp)));
            return;
          default:
            out.push("null");
            return;
        }
      }
      if (v instanceof Uint8Array) {
        out.push(`"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")}"`);
        return;
      }
      if (Array.isArray(v)) {
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(",");
          encodeInto(v[i], out, escapeHTML);
        }
        out.push("]");
        return;
      }
      out.push("{");
      const keys = sortedKeys(v);
      let first = true;
      for (const k of keys) {
        const e = (v as Record<string, unknown>)[k];
        if (e === undefined) continue;
        if (!first) out.push(",");
        first = false;
        out.push(jsonQuote(k, escapeHTML), ":");
        encodeInto(e, out, escapeHTML);
      }
      out.push("}");
      return;
    }
    default:
      out.push("null");
  }
}

/** Compact JSON of a value as `gabs.Wrap(v).String()` gives it (`null` when not encodable). */
export function toJSON(v: unknown, escapeHTML = true): string {
  const out: string[] = [];
  try {
    encodeInto(v, out, escapeHTML);
  } catch (e) {
    if (e instanceof UnsupportedValue) return "null";
    throw e;
  }
  return out.join("");
}

/** Indented JSON like Go's `json.MarshalIndent(v, "", indent)`. */
export function toIndentedJSON(v: unknown, indent: string, escapeHTML: boolean): string {
  const compact = toJSON(v, escapeHTML);
  if (indent === "" || compact === "null") return compact;
  return reindent(compact, indent);
}

function reindent(src: string, indent: string): string {
  let out = "";
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (inStr) {
      out += c;
      if (c === "\\") {
        out += src[++i] ?? "";
      } else if (c === '"') inStr = false;
      continue;
    }
    switch (c) {
      case '"':
        inStr = true;
        out += c;
        break;
      case "{":
      case "[": {
        const close = c === "{" ? "}" : "]";
        if (src[i + 1] === close) {
          out += c + close;
          i++;
          break;
        }
        depth++;
        out += c + "\n" + indent.repeat(depth);
        break;
      }
      case "}":
      case "]":
        depth--;
        out += "\n" + indent.repeat(depth) + c;
        break;
      case ",":
        out += ",\n" + indent.repeat(depth);
        break;
      case ":":
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// comparison (`value.ICompare`)

/** Comparison view: int64/json numbers become float64, bytes become strings, timestamps strings. */
export function restrictForComparison(v: Value): Value {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  if (v instanceof Special) {
    if (v.kind === "float") return (v as GoFloat).f;
    if (v.kind === "jsonnumber") return Number((v as JsonNumber).text);
    if (v.kind === "timestamp") return timestampToString(v as Timestamp);
  }
  if (v instanceof Uint8Array) return utf8Decode(v);
  return v;
}

/** Go `IGetBool`: bools, or numbers where non-zero is true. */
export function getBool(v: Value): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "bigint") return v !== 0n;
  if (typeof v === "number") return v !== 0;
  if (v instanceof JsonNumber) return v.text !== "0";
  if (v instanceof GoFloat) return v.f !== 0;
  return undefined;
}

export function valuesEqual(left: Value, right: Value): boolean {
  if (left === null && right === null) return true;
  const lhs = restrictForComparison(left);
  if (typeof lhs === "string") {
    const r = getString(right);
    return r !== undefined && lhs === r;
  }
  if (typeof lhs === "number") {
    const r = getNumber(right);
    return r !== undefined && lhs === r;
  }
  if (typeof lhs === "boolean") {
    const r = getBool(right);
    return r !== undefined && lhs === r;
  }
  if (Array.isArray(lhs)) {
    if (!Array.isArray(right) || lhs.length !== right.length) return false;
    for (let i = 0; i < lhs.length; i++) {
      if (!valuesEqual(lhs[i] as Value, right[i] as Value)) return false;
    }
    return true;
  }
  if (isObject(lhs)) {
    if (!isObject(right)) return false;
    const lk = Object.keys(lhs);
    if (lk.length !== Object.keys(right).length) return false;
    for (const k of lk) {
      const rv = Object.hasOwn(right, k) ? (right[k] as Value) : null;
      if (!valuesEqual(lhs[k] as Value, rv)) return false;
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// host values → query values

/**
 * Converts a JavaScript value given by a caller (metadata, plugin results) into a query value:
 * `Date` becomes a timestamp, `undefined` becomes null, nested structures are copied.
 */
export function fromHost(v: unknown): Value {
  switch (typeof v) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return v;
    case "undefined":
      return null;
    case "object": {
      if (v === null) return null;
      if (v instanceof Special || v instanceof Uint8Array) return v as Value;
      if (v instanceof Date) return new Timestamp(BigInt(v.getTime()) * 1000000n, UTC);
      if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (Array.isArray(v)) return v.map(fromHost);
      const out: ValueObject = Object.create(null);
      for (const k of Object.keys(v)) {
        const e = (v as Record<string, unknown>)[k];
        if (e !== undefined) out[k] = fromHost(e);
      }
      return out;
    }
    default:
      return null;
  }
}

/** A fresh object with no prototype, so any key (even `__proto__`) is plain data. */
export function newObject(): ValueObject {
  return Object.create(null) as ValueObject;
}

/** Own-property read that never sees the prototype chain. */
export function getKey(o: ValueObject, k: string): Value | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * Query value → plain JavaScript: float64 and JSON numbers become `number`, timestamps `Date`,
 * `deleted()`/`nothing()` `null`. Returns the same reference when nothing needs converting.
 */
export function toPlainValue(v: Value): unknown {
  if (typeof v !== "object" || v === null || v instanceof Uint8Array) return v;
  if (v instanceof Special) {
    if (v instanceof GoFloat) return v.f;
    if (v instanceof JsonNumber) return Number(v.text);
    if (v instanceof Timestamp) return new Date(Number(v.ns / 1000000n));
    return null;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e = v[i] as Value;
      const p = toPlainValue(e);
      if (p !== e && out === undefined) out = v.slice(0, i);
      if (out !== undefined) out.push(p);
    }
    return out ?? v;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const e = v[k] as Value;
    const p = toPlainValue(e);
    if (p !== e) changed = true;
    Object.defineProperty(out, k, { value: p, enumerable: true, writable: true, configurable: true });
  }
  return changed || Object.getPrototypeOf(v) === null ? out : v;
}
