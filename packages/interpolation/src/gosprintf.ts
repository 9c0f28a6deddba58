import { formatGoFloat, goQuote } from "./gofmt.js";
import {
  civil,
  formatOffset,
  GoFloat,
  goTypeName,
  isObject,
  JsonNumber,
  Special,
  sortedKeys,
  Timestamp,
  type Value,
  zoneOffsetAt,
} from "./value.js";

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Go `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function goTimeString(t: Timestamp): string {
  const off = zoneOffsetAt(t.zone, t.ns);
  const c = civil(t.ns, off);
  let s = `${String(c.year).padStart(4, "0")}-${pad2(c.month)}-${pad2(c.day)} ${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)}`;
  if (c.nanos !== 0) s += "." + String(c.nanos).padStart(9, "0").replace(/0+$/, "");
  const abbr =
    t.zone.name === "UTC"
      ? "UTC"
      : t.zone.fixed !== undefined && t.zone.name !== ""
        ? t.zone.name
        : formatOffset(off, false, false);
  return `${s} ${formatOffset(off, false, false)} ${abbr}`;
}

/** Go `%v` of a value. */
export function goV(v: Value): string {
  switch (typeof v) {
    case "string":
      return v;
    case "bigint":
      return v.toString();
    case "number":
      return Number.isFinite(v) ? String(v) : formatGoFloat(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "<nil>";
      if (v instanceof Special) {
        if (v instanceof GoFloat) return formatGoFloat(v.f);
        if (v instanceof JsonNumber) return v.text;
        if (v instanceof Timestamp) return goTimeString(v);
        return "<nil>";
      }
      if (v instanceof Uint8Array) return `[${Array.from(v).join(" ")}]`;
      if (Array.isArray(v)) return `[${v.map(goV).join(" ")}]`;
      return `map[${sortedKeys(v)
        .map((k) => `${k}:${goV(v[k] as Value)}`)
        .join(" ")}]`;
    default:
      return "<nil>";
  }
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

function bad(spec: Spec, v: Value): string {
  if (v === null) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(v)}=${goV(v)})`;
}

function padTo(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width;
  if (w === undefined) return s;
  const len = [...s].length;
  if (len >= w) return s;
  const fill = w - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && numeric) {
    const sign = s[0] === "-" || s[0] === "+" ? (s[0] as string) : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

function intOf(v: Value): bigint | undefined {
  return typeof v === "bigint" ? v : undefined;
}

function floatOf(v: Value): number | undefined {
  return v instanceof GoFloat ? v.f : undefined;
}

function fmtInt(n: bigint, spec: Spec): string {
  let s: string;
  const neg = n < 0n;
  const a = neg ? -n : n;
  switch (spec.verb) {
    case "d":
    case "v":
      s = a.toString(10);
      break;
    case "b":
      s = a.toString(2);
      break;
    case "o":
    case "O":
      s = a.toString(8);
      if (spec.verb === "O") s = "0o" + s;
      else if (spec.sharp) s = "0" + s;
      break;
    case "x":
      s = a.toString(16);
      if (spec.sharp) s = "0x" + s;
      break;
    case "X":
      s = a.toString(16).toUpperCase();
      if (spec.sharp) s = "0X" + s;
      break;
    case "c":
      return padTo(String.fromCodePoint(Number(n)), spec, false);
    case "q":
      return padTo(goQuote(String.fromCodePoint(Number(n)), "'"), spec, false);
    case "U":
      return padTo("U+" + a.toString(16).toUpperCase().padStart(4, "0"), spec, false);
    default:
      return "";
  }
  if (spec.prec !== undefined) s = s.padStart(spec.prec, "0");
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return padTo(sign + s, spec, spec.prec === undefined);
}

function fmtFloat(f: number, spec: Spec): string {
  let s: string;
  if (!Number.isFinite(f)) {
    s = Number.isNaN(f) ? "NaN" : f > 0 ? (spec.plus ? "+Inf" : "Inf") : "-Inf";
    return padTo(s, { ...spec, zero: false }, false);
  }
  switch (spec.verb) {
    case "v":
    case "g":
    case "G":
      if (spec.prec === undefined) s = formatGoFloat(f);
      else s = goPrecisionG(f, spec.prec);
      if (spec.verb === "G") s = s.toUpperCase();
      break;
    case "f":
    case "F":
      s = f.toFixed(spec.prec ?? 6);
      break;
    case "e":
    case "E": {
      const e = f.toExponential(spec.prec ?? 6);
      s = e.replace(/e([+-])(\d)$/, "e$10$2");
      if (spec.verb === "E") s = s.toUpperCase();
      break;
    }
    default:
      return "";
  }
  if (spec.plus && f >= 0 && !s.startsWith("+")) s = "+" + s;
  else if (spec.space && f >= 0) s = " " + s;
  return padTo(s, spec, true);
}

function goPrecisionG(f: number, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  const e = f.toExponential(p - 1);
  const exp = Number(e.slice(e.indexOf("e") + 1));
  if (exp < -4 || exp >= p) {
    let mant = e.slice(0, e.indexOf("e"));
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  let s = f.toFixed(Math.max(0, p - 1 - exp));
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** `undefined` for a verb strings do not take. */
function fmtString(s: string, spec: Spec, bytes: Uint8Array | undefined): string | undefined {
  switch (spec.verb) {
    case "v":
    case "s": {
      let out = s;
      if (spec.prec !== undefined) out = [...out].slice(0, spec.prec).join("");
      return padTo(out, spec, false);
    }
    case "q":
      return padTo(goQuote(s), spec, false);
    case "x":
    case "X": {
      const b = bytes ?? new TextEncoder().encode(s);
      let h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(spec.space ? " " : "");
      if (spec.verb === "X") h = h.toUpperCase();
      return padTo(h, spec, false);
    }
    default:
      return undefined;
  }
}

function fmtValue(v: Value, spec: Spec): string {
  const verb = spec.verb;
  if (typeof v === "string" || v instanceof JsonNumber || typeof v === "number") {
    const s = typeof v === "string" ? v : v instanceof JsonNumber ? v.text : String(v);
    return fmtString(s, spec, undefined) ?? bad(spec, v);
  }
  if (v instanceof Uint8Array) {
    if (verb === "s" || verb === "q" || verb === "x" || verb === "X") {
      return fmtString(new TextDecoder().decode(v), spec, v) ?? bad(spec, v);
    }
    if (verb === "v" || verb === "d") return padTo(`[${Array.from(v).join(" ")}]`, spec, false);
    return bad(spec, v);
  }
  const i = intOf(v);
  if (i !== undefined) {
    const out = fmtInt(i, spec);
    return out === "" ? bad(spec, v) : out;
  }
  const f = floatOf(v);
  if (f !== undefined) {
    const out = fmtFloat(f, spec);
    return out === "" ? bad(spec, v) : out;
  }
  if (typeof v === "boolean") {
    if (verb === "t" || verb === "v") return padTo(v ? "true" : "false", spec, false);
    return bad(spec, v);
  }
  if (v === null || (v instanceof Special && !(v instanceof Timestamp))) {
    if (verb === "v") return padTo("<nil>", spec, false);
    return `%!${verb}(<nil>)`;
  }
  if (v instanceof Timestamp) {
    if (verb === "v" || verb === "s") return padTo(goTimeString(v), spec, false);
    return bad(spec, v);
  }
  if (Array.isArray(v)) return `[${v.map((e) => fmtValue(e, spec)).join(" ")}]`;
  if (isObject(v)) {
    return `map[${sortedKeys(v)
      .map((k) => `${fmtValue(k, spec)}:${fmtValue(v[k] as Value, spec)}`)
      .join(" ")}]`;
  }
  return bad(spec, v);
}

/** Go `fmt.Sprintf` for the value kinds queries produce. */
export function goSprintf(format: string, args: readonly Value[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i] as string;
    if (c !== "%") {
      out += c;
      i++;
      continue;
    }
    i++;
    const spec: Spec = {
      minus: false,
      plus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
      verb: "",
    };
    flags: while (i < format.length) {
      switch (format[i]) {
        case "-":
          spec.minus = true;
          break;
        case "+":
          spec.plus = true;
          break;
        case "#":
          spec.sharp = true;
          break;
        case " ":
          spec.space = true;
          break;
        case "0":
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
      i++;
    }
    if (format[i] === "*") {
      const w = args[argi++];
      spec.width = typeof w === "bigint" ? Number(w) : undefined;
      i++;
    } else {
      let w = "";
      while (i < format.length && /[0-9]/.test(format[i] as string)) w += format[i++];
      if (w !== "") spec.width = Number(w);
    }
    if (format[i] === ".") {
      i++;
      if (format[i] === "*") {
        const p = args[argi++];
        spec.prec = typeof p === "bigint" ? Number(p) : 0;
        i++;
      } else {
        let p = "";
        while (i < format.length && /[0-9]/.test(format[i] as string)) p += format[i++];
        spec.prec = p === "" ? 0 : Number(p);
      }
    }
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    spec.verb = verb;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtValue(args[argi++] as Value, spec);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => (a === null ? "<nil>" : `${goTypeName(a)}=${goV(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
