import { goQuote, shortestFloat32 } from "../gofmt.js";
import { QueryError, typeError } from "../query-error.js";
import { inCategory, type MethodImpl, NO_PARAMS, p, simpleMethod } from "../registry.js";
import {
  GoFloat,
  getInt,
  getNumber,
  INT64_MAX,
  INT64_MIN,
  JsonNumber,
  sanitize,
  utf8Decode,
  type Value,
  wrapInt,
} from "../value.js";

const TWO_63 = 2 ** 63;

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

export function toNumberValue(v: Value): number {
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

/** `IToInt8` and friends: an int64 conversion, then a range check with the reference's text. */
function intRangeMethod(name: string, min: bigint, max: bigint, what: string): MethodImpl {
  const unsigned = min === 0n;
  return simpleMethod(name, NO_PARAMS, () => (v) => {
    const i = toIntValue(v);
    if (unsigned && i < 0n)
      throw new QueryError(
        "TYPE_MISMATCH",
        "signed integer value is negative and cannot be cast as an unsigned integer",
      );
    if (i > max) throw new QueryError("TYPE_MISMATCH", `value is too large to be cast as ${what}`);
    if (i < min) throw new QueryError("TYPE_MISMATCH", `value is too small to be cast as ${what}`);
    return i;
  });
}

/** `Float64Method`: any number in, float64 out. */
function floatMethod(name: string, fn: (f: number) => number): MethodImpl {
  return simpleMethod(name, NO_PARAMS, () => (v) => {
    const f = getNumber(sanitize(v));
    if (f === undefined) throw typeError(v, "number");
    return new GoFloat(fn(f));
  });
}

function bitwiseMethod(name: string, op: (a: bigint, b: bigint) => bigint): MethodImpl {
  return simpleMethod(name, p([{ name: "value", type: "int" }]), (args) => {
    const rhs = args.int("value");
    return (v) => {
      const lhs = getInt(v);
      if (lhs === undefined) throw typeError(v, "number");
      return BigInt.asIntN(64, op(lhs, rhs));
    };
  });
}

/** Number manipulation: integer and float conversions, rounding, `abs`, `max`, `min`. */
export function numberMethods(): MethodImpl[] {
  return inCategory("Number Manipulation", [
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
    intRangeMethod("int16", -(2n ** 15n), 2n ** 15n - 1n, "a 16-bit signed integer"),
    intRangeMethod("int8", -(2n ** 7n), 2n ** 7n - 1n, "an 8-bit signed integer"),
    intRangeMethod("uint32", 0n, 2n ** 32n - 1n, "a 32-bit unsigned integer"),
    intRangeMethod("uint16", 0n, 2n ** 16n - 1n, "a 16-bit unsigned integer"),
    intRangeMethod("uint8", 0n, 2n ** 8n - 1n, "an 8-bit unsigned integer"),
    simpleMethod("float32", NO_PARAMS, () => (v) => new GoFloat(shortestFloat32(toNumberValue(v)))),
    floatMethod("sin", Math.sin),
    floatMethod("cos", Math.cos),
    floatMethod("tan", Math.tan),
    floatMethod("log", Math.log),
    floatMethod("log10", Math.log10),
    simpleMethod("pow", p([{ name: "exponent", type: "float" }]), (args) => {
      const exp = args.num("exponent");
      return (v) => {
        const f = getNumber(sanitize(v));
        if (f === undefined) throw typeError(v, "number");
        return new GoFloat(f ** exp);
      };
    }),
    bitwiseMethod("bitwise_and", (a, b) => a & b),
    bitwiseMethod("bitwise_or", (a, b) => a | b),
    bitwiseMethod("bitwise_xor", (a, b) => a ^ b),
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
    simpleMethod("max", NO_PARAMS, () => (v) => extreme(v, (a, b) => a > b)),
    simpleMethod("min", NO_PARAMS, () => (v) => extreme(v, (a, b) => a < b)),
  ]);
}
