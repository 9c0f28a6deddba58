/** Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, `%e` below 1e-4 or from 1e6. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const { neg, digits, exp } = shortestDigits(f);
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const a = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  return sign + fixedFromDigits(digits, exp);
}

/** Shortest round-trip decimal digits of |f| and the decimal exponent of the first digit. */
export function shortestDigits(f: number): { neg: boolean; digits: string; exp: number } {
  const e = Math.abs(f).toExponential();
  const at = e.indexOf("e");
  const digits = e.slice(0, at).replace(".", "");
  return { neg: f < 0, digits, exp: Number(e.slice(at + 1)) };
}

function fixedFromDigits(digits: string, exp: number): string {
  if (exp >= 0) {
    const intLen = exp + 1;
    if (digits.length <= intLen) return digits + "0".repeat(intLen - digits.length);
    return `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return `0.${"0".repeat(-exp - 1)}${digits}`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, w: number): string {
  return n.toString(16).padStart(w, "0");
}

/** Go `strconv.Quote`. */
export function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (ch === quote || ch === "\\") {
      out += "\\" + ch;
      continue;
    }
    if (r < 0x80 && r >= 0x20 && r !== 0x7f) {
      out += ch;
      continue;
    }
    if (r >= 0xd800 && r <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    if (r >= 0x80 && PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case "\x07":
        out += "\\a";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\v":
        out += "\\v";
        break;
      default:
        if (r < 0x80) out += "\\x" + hex(r, 2);
        else if (r < 0x10000) out += "\\u" + hex(r, 4);
        else out += "\\U" + hex(r, 8);
    }
  }
  return out + quote;
}

/** Go `strconv.QuoteRune`-style single quoting of one character, as `encoding/json` errors use it. */
export function goQuoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = goQuote(c);
  return "'" + q.slice(1, -1) + "'";
}

const HEX = "0123456789abcdefABCDEF";

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "7";
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && HEX.includes(c);
}

const byteDecoder = new TextDecoder();

/**
 * Go `strconv.Unquote` for a double-quoted literal (the quotes included). Returns `undefined` on
 * `invalid syntax`. Byte escapes (`\xNN`, octal) are gathered and decoded as UTF-8.
 */
export function goUnquote(lit: string): string | undefined {
  if (lit.length < 2 || lit[0] !== '"' || lit[lit.length - 1] !== '"') return undefined;
  const s = lit.slice(1, -1);
  if (s.includes("\n")) return undefined;
  if (!s.includes("\\")) {
    if (s.includes('"')) return undefined;
    return s;
  }
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) {
      out += byteDecoder.decode(new Uint8Array(bytes));
      bytes = [];
    }
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '"') return undefined;
    if (c !== "\\") {
      flush();
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    i += 2;
    switch (e) {
      case "a":
        flush();
        out += "\x07";
        break;
      case "b":
        flush();
        out += "\b";
        break;
      case "f":
        flush();
        out += "\f";
        break;
      case "n":
        flush();
        out += "\n";
        break;
      case "r":
        flush();
        out += "\r";
        break;
      case "t":
        flush();
        out += "\t";
        break;
      case "v":
        flush();
        out += "\v";
        break;
      case "\\":
        flush();
        out += "\\";
        break;
      case '"':
        flush();
        out += '"';
        break;
      case "x": {
        const h = s.slice(i, i + 2);
        if (h.length !== 2 || !isHex(h[0]) || !isHex(h[1])) return undefined;
        bytes.push(Number.parseInt(h, 16));
        i += 2;
        break;
      }
      case "u":
      case "U": {
        const n = e === "u" ? 4 : 8;
        const h = s.slice(i, i + n);
        if (h.length !== n || ![...h].every(isHex)) return undefined;
        const cp = Number.parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
        flush();
        out += String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (isOctal(e) && isOctal(s[i]) && isOctal(s[i + 1])) {
          const v = Number.parseInt((e as string) + s[i] + s[i + 1], 8);
          if (v > 255) return undefined;
          bytes.push(v);
          i += 2;
          break;
        }
        return undefined;
      }
    }
  }
  flush();
  return out;
}

/** A float32 printed as Go prints it: the shortest decimal that rounds to the same float32. */
export function shortestFloat32(f: number): number {
  const r = Math.fround(f);
  if (!Number.isFinite(r) || r === 0) return r;
  for (let digits = 1; digits <= 9; digits++) {
    const s = Number(r.toPrecision(digits));
    if (Math.fround(s) === r) return s;
  }
  return r;
}
