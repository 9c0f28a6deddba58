import { goQuote, goUnquote } from "./gofmt.js";
import { goSprintf } from "./gosprintf.js";
import { parseJSONValue } from "./json.js";
import {
  batchSize,
  Closure,
  type Ctx,
  dotPathToSlice,
  LazyAnnotated,
  MapNode,
  type Node,
  NotNode,
  newGet,
  searchPath,
  withIndex,
  withValue,
} from "./node.js";
import type { ParamsSpec } from "./params.js";
import { errFrom, QueryError, toQueryError, typeError, WrapErr } from "./query-error.js";
import { compileRegexp, expandReplacement } from "./regexp.js";
import { type MethodImpl, NO_PARAMS, simpleMethod } from "./registry.js";
import { getTimestamp } from "./time.js";
import {
  DELETE,
  GoFloat,
  getBool,
  getKey,
  getNumber,
  getString,
  INT64_MAX,
  INT64_MIN,
  isNullish,
  isObject,
  JsonNumber,
  NOTHING,
  newObject,
  sanitize,
  sanitizeNumber,
  sortedKeys,
  type Timestamp,
  toBytes,
  toIndentedJSON,
  toText,
  typeOf,
  utf8Decode,
  utf8Encode,
  utf8Length,
  type Value,
  type ValueObject,
  valuesEqual,
  wrapInt,
} from "./value.js";

const p = (params: ParamsSpec["params"]): ParamsSpec => ({ params });
const TWO_63 = 2 ** 63;
const VARIADIC: ParamsSpec = { variadic: true, params: [] };

// ---------------------------------------------------------------------------------------------
// string helpers

const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

/** Go `strings.ToUpper`: simple (one-to-one) case mapping only. */
export function goUpper(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = "";
  for (const ch of s) {
    const m = ch.toUpperCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

/** Go `strings.ToLower`: simple case mapping, no final-sigma context. */
export function goLower(s: string): string {
  const l = s.toLowerCase();
  if (l.length === s.length && !s.includes("Σ")) return l;
  let out = "";
  for (const ch of s) {
    if (ch === "Σ") {
      out += "σ";
      continue;
    }
    const m = ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

const WORD = /[\p{L}\p{M}\p{N}_'’]+/gu;

/** `cases.Title(language.English)`: every word's first letter upper-cased, the rest lower. */
export function goTitle(s: string): string {
  return s.replace(WORD, (w) => {
    const first = String.fromCodePoint(w.codePointAt(0) as number);
    return goUpper(first) + goLower(w.slice(first.length));
  });
}

function trimCutset(s: string, cutset: string): string {
  const set = new Set(cutset);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a] as string)) a++;
  while (b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join("");
}

function replaceAllGo(s: string, old: string, repl: string): string {
  if (old === "") {
    const chars = [...s];
    return repl + chars.map((c) => c + repl).join("");
  }
  return s.split(old).join(repl);
}

/** A method over strings where bytes in gives bytes out. */
function textMethod(
  name: string,
  params: ParamsSpec,
  make: (args: import("./params.js").Args) => (s: string) => string,
): MethodImpl {
  return simpleMethod(name, params, (args) => {
    const fn = make(args);
    return (v) => {
      if (typeof v === "string") return fn(v);
      if (v instanceof Uint8Array) return utf8Encode(fn(utf8Decode(v)));
      throw typeError(v, "string");
    };
  });
}

/** A method reading a string (or bytes, or timestamp) and returning anything. */
function readStringMethod(
  name: string,
  params: ParamsSpec,
  make: (args: import("./params.js").Args) => (s: string) => Value,
): MethodImpl {
  return simpleMethod(name, params, (args) => {
    const fn = make(args);
    return (v) => {
      const s = getString(v);
      if (s === undefined) throw typeError(v, "string");
      return fn(s);
    };
  });
}

/** Slices a string by UTF-8 byte offsets. */
function sliceBytes(s: string, start: number, end: number): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.slice(start, end);
  return utf8Decode(utf8Encode(s).subarray(start, end));
}

function byteIndexOf(s: string, sub: string): number {
  const i = s.indexOf(sub);
  if (i < 0) return -1;
  return utf8Length(s.slice(0, i));
}

// ---------------------------------------------------------------------------------------------
// conversions (`value.ITo*`)

/**
 * Go's `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1p-2`) forms, `inf`/`infinity`
 * (signed) and `nan` in any case. `undefined` for invalid syntax, `"range"` for a finite form
 * too large for a float64.
 */
function parseGoFloat(s: string): number | "range" | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s))
    return s.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  let f: number;
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(s)) f = Number(s);
  else {
    const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
    if (!hex || (hex[2] === "" && hex[3] === "")) return undefined;
    const [, sign, whole, frac, exp] = hex as unknown as [string, string, string, string, string];
    const mantissa = Number.parseInt(whole + frac || "0", 16) / 16 ** frac.length;
    f = (sign === "-" ? -1 : 1) * mantissa * 2 ** Number(exp);
  }
  return Number.isFinite(f) ? f : "range";
}

function toNumberValue(v: Value): number {
  const n = getNumber(v);
  if (n !== undefined) return n;
  const s = typeof v === "string" ? v : v instanceof Uint8Array ? utf8Decode(v) : undefined;
  if (s !== undefined) {
    const f = parseGoFloat(s);
    if (f === undefined)
      throw new QueryError("TYPE_MISMATCH", `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
    if (f === "range")
      throw new QueryError("TYPE_MISMATCH", `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
    return f;
  }
  throw typeError(v, "number");
}

function parseGoInt(s: string): bigint {
  const m = /^([+-])?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[1-9][0-9_]*|0)$/.exec(s);
  if (!m) throw new QueryError("TYPE_MISMATCH", `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  let body = (m[2] as string).replaceAll("_", "");
  if (/^0[0-7]+$/.test(body)) body = "0o" + body.slice(1);
  let v = BigInt(body);
  if (m[1] === "-") v = -v;
  if (v > INT64_MAX || v < INT64_MIN) {
    throw new QueryError("TYPE_MISMATCH", `strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return v;
}

function toIntValue(v: Value): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" || v instanceof JsonNumber) {
    const text = typeof v === "number" ? String(v) : v.text;
    if (/^-?\d+$/.test(text)) {
      const b = BigInt(text);
      if (b <= INT64_MAX && b >= INT64_MIN) return b;
      throw new QueryError("TYPE_MISMATCH", `strconv.ParseInt: parsing ${goQuote(text)}: value out of range`);
    }
    throw new QueryError("TYPE_MISMATCH", `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`);
  }
  if (v instanceof GoFloat) {
    const f = v.f;
    if (!Number.isFinite(f)) {
      throw new QueryError(
        "TYPE_MISMATCH",
        Number.isNaN(f) ? "cannot convert NAN to an integer" : "cannot convert +/-INF to an integer",
      );
    }
    if (f >= TWO_63)
      throw new QueryError("TYPE_MISMATCH", "float value is too large to be cast as a signed integer");
    if (f < -TWO_63)
      throw new QueryError("TYPE_MISMATCH", "float value is too small to be cast as a signed integer");
    if (!Number.isInteger(f)) {
      throw new QueryError(
        "TYPE_MISMATCH",
        "float value contains decimals and therefore cannot be cast as a signed integer, if you intend to round the value then call `.round()` explicitly before this cast",
      );
    }
    return BigInt(f);
  }
  if (typeof v === "string") return parseGoInt(v);
  if (v instanceof Uint8Array) return parseGoInt(utf8Decode(v));
  throw typeError(v, "number");
}

function toBoolValue(v: Value): boolean {
  const b = getBool(v);
  if (b !== undefined) return b;
  const s = typeof v === "string" ? v : v instanceof Uint8Array ? utf8Decode(v) : undefined;
  if (s !== undefined) {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  }
  throw typeError(v, "bool");
}

/** Converts parsed JSON numbers to float64, as `json.Unmarshal` without `UseNumber` gives them. */
function numbersToFloat(v: Value): Value {
  if (typeof v === "number") return new GoFloat(v);
  if (v instanceof JsonNumber) return new GoFloat(Number(v.text));
  if (Array.isArray(v)) return v.map(numbersToFloat);
  if (isObject(v)) {
    const out = newObject();
    for (const k of Object.keys(v)) out[k] = numbersToFloat(v[k] as Value);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// structured helpers

function existsPath(v: Value, path: readonly string[]): boolean {
  return searchPath(v, path) !== undefined;
}

function deletePath(v: Value, path: readonly string[]): Value {
  if (path.length === 0) return v;
  if (!isObject(v)) return v;
  const [head, ...rest] = path as [string, ...string[]];
  const out = newObject();
  for (const k of Object.keys(v)) {
    if (k !== head) out[k] = v[k] as Value;
    else if (rest.length > 0) out[k] = deletePath(v[k] as Value, rest);
  }
  return out;
}

/**
 * `gabs` `MergeFn`: the keys of both objects; where both hold an object they merge recursively,
 * any other clash is resolved by `collide(existing, incoming)`.
 */
function mergeObjects(a: ValueObject, b: ValueObject, collide: (x: Value, y: Value) => Value): ValueObject {
  const out = newObject();
  for (const k of Object.keys(a)) out[k] = a[k] as Value;
  for (const k of Object.keys(b)) {
    const existing = getKey(out, k);
    const incoming = b[k] as Value;
    if (existing === undefined) out[k] = incoming;
    else if (isObject(existing) && isObject(incoming)) out[k] = mergeObjects(existing, incoming, collide);
    else out[k] = collide(existing, incoming);
  }
  return out;
}

/** `gabs` `Merge`'s clash rule: the two values end up in one array. */
function mergeClash(existing: Value, incoming: Value): Value {
  if (Array.isArray(existing))
    return Array.isArray(incoming) ? [...existing, ...incoming] : [...existing, incoming];
  if (Array.isArray(incoming)) return [existing, ...incoming];
  return [existing, incoming];
}

/**
 * The reference's `merge` / `assign`: an array target gets the value appended (an array's
 * elements), an object target takes an object's keys (clashes by `collide`) and ignores anything
 * that is not an object.
 */
function mergeInto(target: Value, incoming: Value, collide: (x: Value, y: Value) => Value): Value {
  if (Array.isArray(target))
    return Array.isArray(incoming) ? [...target, ...incoming] : [...target, incoming];
  if (!isObject(target)) throw typeError(target, "object", "array");
  return isObject(incoming)
    ? mergeObjects(target, incoming, collide)
    : mergeObjects(target, newObject(), collide);
}

/** `gabs` `Flatten` / `FlattenIncludeEmpty`: leaves keyed by their dot path (not escaped). */
function collapseValue(v: Value, includeEmpty: boolean): Value {
  if (!Array.isArray(v) && !isObject(v)) throw new QueryError("FAILED", "not an object or array");
  const out = newObject();
  const walk = (node: Value, path: string) => {
    const entries: [string, Value][] = Array.isArray(node)
      ? node.map((e, i) => [String(i), e])
      : Object.keys(node as ValueObject).map((k) => [k, (node as ValueObject)[k] as Value]);
    for (const [k, child] of entries) {
      const at = path === "" ? k : `${path}.${k}`;
      const empty = Array.isArray(child)
        ? child.length === 0
        : isObject(child) && Object.keys(child).length === 0;
      if ((Array.isArray(child) || isObject(child)) && !empty) walk(child, at);
      else if (!empty || includeEmpty) out[at] = child;
    }
  };
  walk(v, "");
  return out;
}

/** `gabs` `Set`: a copy of `root` with `value` at `path`, creating objects on the way. */
function setPath(root: Value, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const out = newObject();
  if (isObject(root)) for (const k of Object.keys(root)) out[k] = root[k] as Value;
  const child = isObject(root) ? getKey(root, head) : undefined;
  out[head] = setPath(child ?? null, rest, value);
  return out;
}

function findByIndexes(fn: Node, ctx: Ctx, v: Value, all: boolean): Value {
  if (!Array.isArray(v)) throw typeError(v, "array");
  const out: Value[] = [];
  for (let i = 0; i < v.length; i++) {
    let r: Value;
    try {
      r = execWith(fn, ctx, v[i] as Value);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      throw new WrapErr(`query returned an error for index ${i}`, err);
    }
    if (typeof r !== "boolean") {
      throw new WrapErr(`query returned a non-boolean value for index ${i}`, typeError(r, "bool"));
    }
    if (r) {
      if (!all) return BigInt(i);
      out.push(BigInt(i));
    }
  }
  return all ? out : -1n;
}

function compareForSort(a: Value, b: Value): number {
  const na = getNumber(a);
  const nb = getNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  const sa = getString(a);
  const sb = getString(b);
  if (sa !== undefined && sb !== undefined) return sa < sb ? -1 : sa > sb ? 1 : 0;
  throw new QueryError(
    "TYPE_MISMATCH",
    `expected number or string value, got ${typeOf(na === undefined ? a : b)}`,
  );
}

function execWith(fn: Node, ctx: Ctx, v: Value): Value {
  return fn.exec(withValue(ctx, v));
}

// ---------------------------------------------------------------------------------------------

/** The built-in methods (a fresh list per environment). */
export function builtinMethods(): MethodImpl[] {
  const methods: MethodImpl[] = [
    // --- general ---------------------------------------------------------------------------
    {
      name: "catch",
      params: p([{ name: "fallback", type: "query", scalarsToLiteral: true }]),
      ctor: (target, args) => {
        const fb = args.query("fallback");
        return new Closure("method catch", (ctx) => {
          try {
            return target.exec(ctx);
          } catch (e) {
            if (!(e instanceof QueryError)) throw e;
            return fb.exec(withValue(ctx, e.message));
          }
        });
      },
    },
    {
      name: "or",
      params: p([{ name: "fallback", type: "query", scalarsToLiteral: true }]),
      ctor: (target, args) => {
        const fb = args.query("fallback");
        return new Closure("method or", (ctx) => {
          try {
            const v = target.exec(ctx);
            if (!isNullish(v)) return v;
          } catch (e) {
            if (!(e instanceof QueryError)) throw e;
          }
          return fb.exec(ctx);
        });
      },
    },
    {
      name: "from",
      params: p([{ name: "index", type: "int" }]),
      ctor: (target, args) => {
        const index = Number(args.int("index"));
        return new LazyAnnotated(
          () => `${target.annotation} from ${index}`,
          (ctx) => target.exec(withIndex(ctx, index)),
        );
      },
    },
    {
      name: "from_all",
      params: NO_PARAMS,
      ctor: (target) =>
        new Closure("method from_all", (ctx) => {
          const n = batchSize(ctx);
          const out: Value[] = [];
          for (let i = 0; i < n; i++) out.push(target.exec(withIndex(ctx, i)));
          return out;
        }),
    },
    { name: "not", params: NO_PARAMS, ctor: (target) => new NotNode(target) },
    simpleMethod("not_null", NO_PARAMS, () => (v) => {
      if (v === null) throw new QueryError("NULL_VALUE", "value is null");
      return v;
    }),
    simpleMethod("not_empty", NO_PARAMS, () => (v) => {
      if (typeof v === "string") {
        if (v === "") throw new QueryError("EMPTY_VALUE", "string value is empty");
      } else if (v instanceof Uint8Array) {
        if (v.length === 0) throw new QueryError("EMPTY_VALUE", "bytes value is empty");
      } else if (Array.isArray(v)) {
        if (v.length === 0) throw new QueryError("EMPTY_VALUE", "array value is empty");
      } else if (isObject(v)) {
        if (Object.keys(v).length === 0) throw new QueryError("EMPTY_VALUE", "object value is empty");
      } else throw typeError(v, "string", "bytes", "array", "object");
      return v;
    }),
    {
      name: "map",
      params: p([{ name: "query", type: "query" }]),
      ctor: (target, args) => new MapNode(target, args.query("query")),
    },
    {
      name: "get",
      params: p([{ name: "path", type: "string" }]),
      ctor: (target, args) => newGet(target, args.str("path")),
    },
    simpleMethod("exists", p([{ name: "path", type: "string" }]), (args) => {
      const path = dotPathToSlice(args.str("path"));
      return (v) => existsPath(v, path);
    }),
    simpleMethod("type", NO_PARAMS, () => (v) => typeOf(v)),

    // --- coercion --------------------------------------------------------------------------
    simpleMethod("string", NO_PARAMS, () => (v) => toText(v)),
    simpleMethod("bytes", NO_PARAMS, () => (v) => toBytes(v)),
    simpleMethod("array", NO_PARAMS, () => (v) => (Array.isArray(v) ? v : [v])),
    {
      name: "number",
      params: p([{ name: "default", type: "float", optional: true }]),
      ctor: (target, args) => {
        const def = args.optNum("default");
        return coerceWithDefault(
          "number",
          target,
          def === undefined ? undefined : new GoFloat(def),
          (v) => new GoFloat(toNumberValue(v)),
        );
      },
    },
    {
      name: "bool",
      params: p([{ name: "default", type: "bool", optional: true }]),
      ctor: (target, args) => coerceWithDefault("bool", target, args.optBool("default"), toBoolValue),
    },
    {
      name: "timestamp",
      params: p([{ name: "default", type: "timestamp", optional: true }]),
      ctor: (target, args) =>
        coerceWithDefault("timestamp", target, args.get("default") as Timestamp | undefined, getTimestamp),
    },
    simpleMethod("int64", NO_PARAMS, () => (v) => toIntValue(v)),
    simpleMethod("int32", NO_PARAMS, () => (v) => {
      const i = toIntValue(v);
      if (i > 2147483647n)
        throw new QueryError("TYPE_MISMATCH", "value is too large to be cast as a 32-bit signed integer");
      if (i < -2147483648n)
        throw new QueryError("TYPE_MISMATCH", "value is too small to be cast as a 32-bit signed integer");
      return i;
    }),
    simpleMethod("uint64", NO_PARAMS, () => (v) => {
      const i = toIntValue(v);
      if (i < 0n) {
        throw new QueryError(
          "TYPE_MISMATCH",
          "signed integer value is negative and cannot be cast as an unsigned integer",
        );
      }
      return i;
    }),
    simpleMethod("float64", NO_PARAMS, () => (v) => new GoFloat(toNumberValue(v))),

    // --- numbers ---------------------------------------------------------------------------
    numberMethod(
      "abs",
      (i) => (i < 0n ? wrapInt(-i) : i),
      (f) => new GoFloat(Math.abs(f)),
    ),
    numberMethod(
      "ceil",
      (i) => i,
      (f) => floatToIntIfPossible(Math.ceil(f)),
    ),
    numberMethod(
      "floor",
      (i) => i,
      (f) => floatToIntIfPossible(Math.floor(f)),
    ),
    numberMethod(
      "round",
      (i) => i,
      (f) => floatToIntIfPossible(goRound(f)),
    ),
    simpleMethod("sum", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      let acc: bigint | number = 0n;
      for (const e of v) {
        const n = sanitizeNumber(e);
        if (n === undefined) throw typeError(e, "number");
        if (typeof acc === "bigint" && typeof n === "bigint") acc = wrapInt(acc + n);
        else acc = Number(acc) + Number(n);
      }
      return typeof acc === "bigint" ? acc : new GoFloat(acc);
    }),
    simpleMethod("max", NO_PARAMS, () => (v) => extreme(v, (a, b) => a > b)),
    simpleMethod("min", NO_PARAMS, () => (v) => extreme(v, (a, b) => a < b)),

    // --- structured ------------------------------------------------------------------------
    simpleMethod("length", NO_PARAMS, () => (v) => {
      if (typeof v === "string") return BigInt(utf8Length(v));
      if (v instanceof Uint8Array) return BigInt(v.length);
      if (Array.isArray(v)) return BigInt(v.length);
      if (isObject(v)) return BigInt(Object.keys(v).length);
      throw typeError(v, "string", "array", "object"); // the reference's text, though bytes are taken
    }),
    simpleMethod("keys", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v);
    }),
    simpleMethod("values", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v).map((k) => v[k] as Value);
    }),
    simpleMethod("key_values", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v).map((k) => {
        const o = newObject();
        o.key = k;
        o.value = v[k] as Value;
        return o;
      });
    }),
    simpleMethod("contains", p([{ name: "value", type: "any" }]), (args) => {
      const right = args.value("value");
      const sub = toText(right);
      return (v) => {
        if (typeof v === "string") return v.includes(sub);
        if (v instanceof Uint8Array) return utf8Decode(v).includes(sub);
        if (Array.isArray(v)) return v.some((e) => valuesEqual(right, e));
        if (isObject(v)) return Object.keys(v).some((k) => valuesEqual(right, v[k] as Value));
        throw typeError(v, "string", "array", "object");
      };
    }),
    simpleMethod("index", p([{ name: "index", type: "int" }]), (args) => {
      const index = Number(args.int("index"));
      return (v) => {
        // On bytes the reference returns the byte as an integer.
        if (!Array.isArray(v) && !(v instanceof Uint8Array)) throw typeError(v, "array");
        const i = index < 0 ? v.length + index : index;
        if (i < 0 || i >= v.length) {
          throw new QueryError("OUT_OF_BOUNDS", `index '${i}' was out of bounds for array size: ${v.length}`);
        }
        return v instanceof Uint8Array ? BigInt(v[i] as number) : (v[i] as Value);
      };
    }),
    simpleMethod(
      "slice",
      p([
        { name: "low", type: "int" },
        { name: "high", type: "int", optional: true },
      ]),
      (args) => {
        const low = Number(args.int("low"));
        const highArg = args.optInt("high");
        const high = highArg === undefined ? undefined : Number(highArg);
        if (high !== undefined && high > 0 && low >= high) {
          throw new QueryError(
            "INVALID_ARGUMENT",
            `lower slice bound ${low} must be lower than upper (${high})`,
          );
        }
        const bounds = (l: number): [number, number] => {
          let end = high ?? l;
          if (end < 0) end = Math.max(0, end + l);
          else if (end > l) end = l;
          let start = low;
          if (start < 0) start = Math.max(0, start + l);
          if (start > end) {
            throw new QueryError(
              "OUT_OF_BOUNDS",
              `lower slice bound ${start} must be lower than or equal to upper bound (${end}) and target length (${l})`,
            );
          }
          return [start, end];
        };
        return (v) => {
          if (typeof v === "string") {
            const [a, b] = bounds(utf8Length(v));
            return sliceBytes(v, a, b);
          }
          if (v instanceof Uint8Array) {
            const [a, b] = bounds(v.length);
            return v.slice(a, b);
          }
          if (Array.isArray(v)) {
            const [a, b] = bounds(v.length);
            return v.slice(a, b);
          }
          // The reference's text, though bytes are taken.
          throw typeError(v, "array", "string");
        };
      },
    ),
    simpleMethod("first", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) throw new QueryError("OUT_OF_BOUNDS", "array is empty");
      return v[0] as Value;
    }),
    simpleMethod("last", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) throw new QueryError("OUT_OF_BOUNDS", "array is empty");
      return v[v.length - 1] as Value;
    }),
    simpleMethod("reverse", NO_PARAMS, () => (v) => {
      if (Array.isArray(v)) return [...v].reverse();
      if (typeof v === "string") return [...v].reverse().join("");
      if (v instanceof Uint8Array) return v.slice().reverse();
      throw typeError(v, "array");
    }),
    simpleMethod("append", VARIADIC, (args) => {
      const extra = args.rest();
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        return [...v, ...extra];
      };
    }),
    simpleMethod("flatten", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      const out: Value[] = [];
      for (const e of v) {
        if (Array.isArray(e)) out.push(...e);
        else out.push(e);
      }
      return out;
    }),
    simpleMethod("unique", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      const out: Value[] = [];
      for (const e of v) {
        const t = typeOf(e);
        if (t !== "string" && t !== "number" && t !== "bytes" && t !== "bool") {
          throw new QueryError("TYPE_MISMATCH", `unique method only supports primitive elements, got ${t}`);
        }
        if (!out.some((o) => valuesEqual(o, e))) out.push(e);
      }
      return out;
    }),
    simpleMethod("enumerated", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      return v.map((e, i) => {
        const o = newObject();
        o.index = BigInt(i);
        o.value = e;
        return o;
      });
    }),
    simpleMethod("find", p([{ name: "value", type: "any" }]), (args) => {
      const val = args.value("value");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        return BigInt(v.findIndex((e) => valuesEqual(val, e)));
      };
    }),
    simpleMethod("find_all", p([{ name: "value", type: "any" }]), (args) => {
      const val = args.value("value");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const out: Value[] = [];
        v.forEach((e, i) => {
          if (valuesEqual(val, e)) out.push(BigInt(i));
        });
        return out;
      };
    }),
    simpleMethod("find_by", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => findByIndexes(fn, ctx, v, false);
    }),
    simpleMethod("find_all_by", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => findByIndexes(fn, ctx, v, true);
    }),
    simpleMethod(
      "fold",
      p([
        { name: "initial", type: "any" },
        { name: "query", type: "query" },
      ]),
      (args) => {
        const initial = args.value("initial");
        const fn = args.query("query");
        return (v, ctx) => {
          if (!Array.isArray(v)) throw typeError(v, "array");
          let tally = initial;
          for (const e of v) {
            const o = newObject();
            o.tally = tally;
            o.value = e;
            tally = execWith(fn, ctx, o);
          }
          return tally;
        };
      },
    ),
    simpleMethod("map_each_key", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => {
        if (!isObject(v)) throw typeError(v, "object");
        const out = newObject();
        for (const k of sortedKeys(v)) {
          const r = execWith(fn, ctx, k);
          if (r === NOTHING) out[k] = v[k] as Value;
          else if (typeof r === "string") out[r] = v[k] as Value;
          else throw new WrapErr("unexpected result from key mapping", typeError(r, "string"));
        }
        return out;
      };
    }),
    simpleMethod("assign", p([{ name: "with", type: "any" }]), (args) => {
      const other = args.value("with");
      return (v) => mergeInto(v, other, (_existing, incoming) => incoming);
    }),
    simpleMethod("collapse", p([{ name: "include_empty", type: "bool", default: false }]), (args) => {
      const includeEmpty = args.bool("include_empty");
      return (v) => collapseValue(v, includeEmpty);
    }),
    simpleMethod("explode", p([{ name: "path", type: "string" }]), (args) => {
      const raw = args.str("path");
      const path = dotPathToSlice(raw);
      return (v) => {
        if (!isObject(v)) throw typeError(v, "object");
        const target = searchPath(v, path);
        const base = deletePath(v, path);
        if (Array.isArray(target)) return target.map((e) => setPath(base, path, e));
        if (isObject(target)) {
          const out = newObject();
          for (const k of Object.keys(target)) out[k] = setPath(base, path, target[k] as Value);
          return out;
        }
        throw new QueryError(
          "FAILED",
          `expected array or object value at path '${raw}', found: ${typeOf(target ?? null)}`,
        );
      };
    }),
    simpleMethod("without", VARIADIC, (args) => {
      const paths = args.rest().map((x) => {
        const s = getString(x);
        if (s === undefined) throw typeError(x, "string");
        return dotPathToSlice(s);
      });
      return (v) => {
        if (!isObject(v)) throw typeError(v, "object");
        let out: Value = v;
        for (const path of paths) out = deletePath(out, path);
        return out;
      };
    }),
    simpleMethod("merge", p([{ name: "with", type: "any" }]), (args) => {
      const other = args.value("with");
      return (v) => mergeInto(v, other, mergeClash);
    }),
    simpleMethod("sort", p([{ name: "compare", type: "query", optional: true }]), (args) => {
      const cmp = args.get("compare") as Node | undefined;
      return (v, ctx) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const out = [...v];
        if (cmp === undefined) {
          out.sort(compareForSort);
          return out;
        }
        out.sort((a, b) => {
          const o = newObject();
          o.left = a;
          o.right = b;
          const r = execWith(cmp, ctx, o);
          if (typeof r !== "boolean") throw typeError(r, "bool");
          return r ? -1 : 1;
        });
        return out;
      };
    }),
    simpleMethod("sort_by", p([{ name: "query", type: "query" }]), (args) => {
      const q = args.query("query");
      return (v, ctx) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const keyed = v.map((e) => ({ e, k: execWith(q, ctx, e) }));
        keyed.sort((a, b) => compareForSort(a.k, b.k));
        return keyed.map((x) => x.e);
      };
    }),
    simpleMethod("map_each", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => {
        if (Array.isArray(v)) {
          const out: Value[] = [];
          v.forEach((e, i) => {
            let r: Value;
            try {
              r = execWith(fn, ctx, e);
            } catch (err) {
              if (!(err instanceof QueryError)) throw err;
              throw new WrapErr(`failed to process element ${i}`, errFrom(err, fn.annotation));
            }
            if (r === DELETE) return;
            out.push(r === NOTHING ? e : r);
          });
          return out;
        }
        if (isObject(v)) {
          const out = newObject();
          for (const k of sortedKeys(v)) {
            const kv = newObject();
            kv.key = k;
            kv.value = v[k] as Value;
            let r: Value;
            try {
              r = execWith(fn, ctx, kv);
            } catch (err) {
              if (!(err instanceof QueryError)) throw err;
              throw new WrapErr(`failed to process element ${k}`, errFrom(err, fn.annotation));
            }
            if (r === DELETE) continue;
            out[k] = r === NOTHING ? (v[k] as Value) : r;
          }
          return out;
        }
        throw typeError(v, "array", "object");
      };
    }),
    simpleMethod("filter", p([{ name: "test", type: "query" }]), (args) => {
      const fn = args.query("test");
      return (v, ctx) => {
        if (Array.isArray(v)) return v.filter((e) => execWith(fn, ctx, e) === true);
        if (isObject(v)) {
          const out = newObject();
          for (const k of sortedKeys(v)) {
            const kv = newObject();
            kv.key = k;
            kv.value = v[k] as Value;
            if (execWith(fn, ctx, kv) === true) out[k] = v[k] as Value;
          }
          return out;
        }
        throw typeError(v, "array", "object");
      };
    }),
    quantifier("any", true),
    quantifier("all", false),
    simpleMethod("parse_json", p([{ name: "use_number", type: "bool", default: false }]), (args) => {
      const useNumber = args.bool("use_number");
      return (v) => {
        const s = getString(v);
        if (s === undefined) throw typeError(v, "string");
        const r = parseJSONValue(s);
        if (!r.ok) throw new QueryError("FAILED", `failed to parse value as JSON: ${r.error}`);
        return useNumber ? r.value : numbersToFloat(r.value);
      };
    }),
    simpleMethod(
      "format_json",
      p([
        { name: "indent", type: "string", default: "    " },
        { name: "no_indent", type: "bool", default: false },
        { name: "escape_html", type: "bool", default: true },
      ]),
      (args) => {
        const indent = args.bool("no_indent") ? "" : args.str("indent");
        const escapeHTML = args.bool("escape_html");
        return (v) => utf8Encode(toIndentedJSON(v, indent, escapeHTML));
      },
    ),

    // --- strings ---------------------------------------------------------------------------
    textMethod("uppercase", NO_PARAMS, () => goUpper),
    textMethod("lowercase", NO_PARAMS, () => goLower),
    textMethod("capitalize", NO_PARAMS, () => goTitle),
    textMethod("trim", p([{ name: "cutset", type: "string", optional: true }]), (args) => {
      const cutset = args.optStr("cutset");
      if (cutset === undefined) return (s) => s.replace(TRIM_SPACE, "");
      return (s) => trimCutset(s, cutset);
    }),
    textMethod("trim_prefix", p([{ name: "prefix", type: "string" }]), (args) => {
      const pre = args.str("prefix");
      return (s) => (s.startsWith(pre) ? s.slice(pre.length) : s);
    }),
    textMethod("trim_suffix", p([{ name: "suffix", type: "string" }]), (args) => {
      const suf = args.str("suffix");
      return (s) => (suf !== "" && s.endsWith(suf) ? s.slice(0, s.length - suf.length) : s);
    }),
    ...["replace_all", "replace"].map((name) =>
      textMethod(
        name,
        p([
          { name: "old", type: "string" },
          { name: "new", type: "string" },
        ]),
        (args) => {
          const o = args.str("old");
          const n = args.str("new");
          return (s) => replaceAllGo(s, o, n);
        },
      ),
    ),
    ...["replace_all_many", "replace_many"].map((name) =>
      textMethod(name, p([{ name: "values", type: "array" }]), (args) => {
        const vals = args.array("values");
        if (vals.length % 2 !== 0) {
          throw new QueryError(
            "INVALID_ARGUMENT",
            `invalid arg, replacements should be in pairs and must therefore be even: ${vals.length}`,
          );
        }
        const pairs: [string, string][] = [];
        for (let i = 0; i < vals.length; i += 2) {
          const o = getString(vals[i] as Value);
          const n = getString(vals[i + 1] as Value);
          if (o === undefined)
            throw new QueryError(
              "INVALID_ARGUMENT",
              `invalid replacement value at index ${i}: ${typeError(vals[i] as Value, "string").message}`,
            );
          if (n === undefined)
            throw new QueryError(
              "INVALID_ARGUMENT",
              `invalid replacement value at index ${i + 1}: ${typeError(vals[i + 1] as Value, "string").message}`,
            );
          pairs.push([o, n]);
        }
        return (s) => {
          let out = "";
          let i = 0;
          outer: while (i <= s.length) {
            for (const [o, n] of pairs) {
              if (o !== "" && s.startsWith(o, i)) {
                out += n;
                i += o.length;
                continue outer;
              }
            }
            if (i < s.length) out += s[i];
            i++;
          }
          return out;
        };
      }),
    ),
    textMethod(
      "re_replace_all",
      p([
        { name: "pattern", type: "string" },
        { name: "value", type: "string" },
      ]),
      (args) => {
        const re = compileRegexp(args.str("pattern"), true);
        const repl = args.str("value");
        return (s) => s.replace(re, (...m) => expandReplacement(repl, m));
      },
    ),
    readStringMethod("re_match", p([{ name: "pattern", type: "string" }]), (args) => {
      const re = compileRegexp(args.str("pattern"), false);
      return (s) => re.test(s);
    }),
    readStringMethod("re_find_all", p([{ name: "pattern", type: "string" }]), (args) => {
      const re = compileRegexp(args.str("pattern"), true);
      return (s) => [...s.matchAll(re)].map((m) => m[0]);
    }),
    readStringMethod("re_find_all_submatch", p([{ name: "pattern", type: "string" }]), (args) => {
      const re = compileRegexp(args.str("pattern"), true);
      return (s) => [...s.matchAll(re)].map((m) => [...m].map((g) => g ?? ""));
    }),
    readStringMethod("has_prefix", p([{ name: "value", type: "string" }]), (args) => {
      const v = args.str("value");
      return (s) => s.startsWith(v);
    }),
    readStringMethod("has_suffix", p([{ name: "value", type: "string" }]), (args) => {
      const v = args.str("value");
      return (s) => s.endsWith(v);
    }),
    readStringMethod("index_of", p([{ name: "value", type: "string" }]), (args) => {
      const v = args.str("value");
      return (s) => BigInt(byteIndexOf(s, v));
    }),
    simpleMethod(
      "split",
      p([
        { name: "delimiter", type: "string" },
        { name: "empty_as_null", type: "bool", default: false },
      ]),
      (args) => {
        const delim = args.str("delimiter");
        const emptyNull = args.bool("empty_as_null");
        const split = (s: string): string[] => (delim === "" ? [...s] : s.split(delim));
        return (v) => {
          if (typeof v === "string") return split(v).map((x) => (emptyNull && x === "" ? null : x));
          if (v instanceof Uint8Array) {
            return split(utf8Decode(v)).map((x) => (emptyNull && x === "" ? null : utf8Encode(x)));
          }
          throw typeError(v, "string");
        };
      },
    ),
    simpleMethod("join", p([{ name: "delimiter", type: "string", default: "" }]), (args) => {
      const delim = args.str("delimiter");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const parts = v.map((e, i) => {
          const s = typeof e === "string" ? e : e instanceof Uint8Array ? utf8Decode(e) : undefined;
          if (s === undefined) throw new WrapErr(`failed to join element ${i}`, typeError(e, "string"));
          return s;
        });
        return parts.join(delim);
      };
    }),
    simpleMethod("format", VARIADIC, (args) => {
      const fmtArgs = args.rest();
      return (v) => {
        const s = getString(v);
        if (s === undefined) throw typeError(v, "string");
        return goSprintf(s, fmtArgs);
      };
    }),
    readStringMethod("quote", NO_PARAMS, () => (s) => goQuote(s)),
    readStringMethod("unquote", NO_PARAMS, () => (s) => {
      const r = unquoteAny(s);
      if (r === undefined) throw new QueryError("FAILED", "invalid syntax");
      return r;
    }),
    readStringMethod(
      "escape_html",
      NO_PARAMS,
      () => (s) =>
        s.replace(
          /[&'<>"]/g,
          (c) => ({ "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;" })[c] ?? c,
        ),
    ),
    readStringMethod("unescape_html", NO_PARAMS, () => unescapeHTML),
    readStringMethod("escape_url_query", NO_PARAMS, () => (s) => urlEscape(s, true)),
    readStringMethod("escape_url_path", NO_PARAMS, () => (s) => urlEscape(s, false)),
    readStringMethod("unescape_url_query", NO_PARAMS, () => (s) => urlUnescape(s, true)),
    readStringMethod("unescape_url_path", NO_PARAMS, () => (s) => urlUnescape(s, false)),
  ];
  return methods;
}

function quantifier(name: "any" | "all", any: boolean): MethodImpl {
  return simpleMethod(name, p([{ name: "test", type: "query" }]), (args) => {
    const fn = args.query("test");
    return (v, ctx) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) return false;
      for (let i = 0; i < v.length; i++) {
        let r: Value;
        try {
          r = execWith(fn, ctx, v[i] as Value);
        } catch (e) {
          if (!(e instanceof QueryError)) throw e;
          throw new WrapErr(`element ${i}`, e);
        }
        if (typeof r !== "boolean") throw new WrapErr(`element ${i}`, typeError(r, "bool"));
        if (r === any) return any;
      }
      return !any;
    };
  });
}

function numberMethod(name: string, onInt: (i: bigint) => Value, onFloat: (f: number) => Value): MethodImpl {
  return simpleMethod(name, NO_PARAMS, () => (v) => {
    const s = sanitize(v);
    if (typeof s === "bigint") return onInt(s);
    if (s instanceof GoFloat) return onFloat(s.f);
    throw typeError(v, "number");
  });
}

function goRound(f: number): number {
  return f < 0 ? -Math.round(-f) : Math.round(f);
}

function floatToIntIfPossible(f: number): Value {
  if (Number.isInteger(f) && Math.abs(f) < TWO_63) return BigInt(f);
  return new GoFloat(f);
}

function extreme(v: Value, better: (a: number, b: number) => boolean): Value {
  if (!Array.isArray(v)) throw typeError(v, "array");
  if (v.length === 0) throw new QueryError("OUT_OF_BOUNDS", "the array was empty");
  let best: number | undefined;
  for (const e of v) {
    const n = getNumber(e);
    if (n === undefined) throw typeError(e, "number");
    if (best === undefined || better(n, best)) best = n;
  }
  return new GoFloat(best as number);
}

function unquoteAny(s: string): string | undefined {
  if (s.length >= 2 && s[0] === "`" && s[s.length - 1] === "`") {
    const inner = s.slice(1, -1);
    return inner.includes("`") ? undefined : inner.replaceAll("\r", "");
  }
  if (s.length >= 2 && s[0] === "'" && s[s.length - 1] === "'") {
    const r = goUnquote(`"${s.slice(1, -1).replaceAll('"', '\\"')}"`);
    return r !== undefined && [...r].length === 1 ? r : undefined;
  }
  return goUnquote(s);
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
};

function unescapeHTML(s: string): string {
  return s.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);?/g, (m, body: string) => {
    if (body[0] === "#") {
      const cp =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      if (!Number.isFinite(cp) || cp > 0x10ffff || cp === 0 || (cp >= 0xd800 && cp <= 0xdfff))
        return "\ufffd";
      return String.fromCodePoint(cp);
    }
    const e = ENTITIES[body];
    return e === undefined ? m : e;
  });
}

function urlEscape(s: string, query: boolean): string {
  let out = "";
  for (const b of utf8Encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (query && c === " ") out += "+";
    else if (!query && /[$&+,/:;=@]/.test(c)) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function urlUnescape(s: string, query: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        throw new QueryError("FAILED", `invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else if (c === "+" && query) bytes.push(0x20);
    else bytes.push(...utf8Encode(c));
  }
  return utf8Decode(new Uint8Array(bytes));
}

/**
 * `.number()`, `.bool()`, `.timestamp()`: convert the target; with a `default`, a failing target
 * or a failed conversion gives the default instead of an error.
 */
function coerceWithDefault(
  name: string,
  target: Node,
  def: Value | undefined,
  convert: (v: Value) => Value,
): Node {
  return new Closure(`method ${name}`, (ctx) => {
    let v: Value;
    try {
      v = target.exec(ctx);
    } catch (e) {
      if (def !== undefined && e instanceof QueryError) return def;
      throw e;
    }
    try {
      return convert(v);
    } catch (e) {
      if (def !== undefined) return def;
      throw errFrom(toQueryError(e), target.annotation);
    }
  });
}
