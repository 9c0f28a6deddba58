import { goQuoteChar } from "./gofmt.js";
import { GoFloat, isObject, JsonNumber, newObject, type Value, type ValueObject } from "./value.js";

/** Result of decoding a message body. */
export type DecodeResult = { ok: true; value: Value } | { ok: false; error: string };

// A number token sits after `:`, `,` or `[` (or starts the document). Matches inside strings are
// harmless: they only send the body down the exact (slower) path.
const NUMBER_TOKENS = /[:,[]\s*(-?\d[\d.eE+-]*)/g;
const LEADING_NUMBER = /^\s*(-?\d[\d.eE+-]*)/;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

function canonicalNumbers(text: string): boolean {
  const lead = LEADING_NUMBER.exec(text);
  if (lead && String(Number(lead[1])) !== lead[1]) return false;
  NUMBER_TOKENS.lastIndex = 0;
  let m = NUMBER_TOKENS.exec(text);
  while (m !== null) {
    const tok = m[1] as string;
    if (String(Number(tok)) !== tok) {
      NUMBER_TOKENS.lastIndex = 0;
      return false;
    }
    m = NUMBER_TOKENS.exec(text);
  }
  return true;
}

/**
 * Decodes a message body the way the reference does (`json.Decoder` with `UseNumber`, exactly
 * one document). The native `JSON.parse` is used whenever every number's text is what
 * `String(number)` gives back; otherwise an exact parser keeps the text in {@link JsonNumber}s and
 * reproduces Go's error messages.
 */
export function decodeJSON(text: string): DecodeResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return decodeExact(text);
  }
  // Escaped surrogates go the exact way too: Go turns a lone one into U+FFFD.
  if (canonicalNumbers(text) && !SURROGATE_ESCAPE.test(text)) return { ok: true, value: v as Value };
  return decodeExact(text);
}

class SyntaxErr {
  constructor(readonly message: string) {}
}

const WS = new Set([" ", "\t", "\n", "\r"]);

function badChar(c: string, context: string): SyntaxErr {
  let shown = c;
  const code = c.codePointAt(0) as number;
  if (code >= 0x80) {
    // Go reports the first byte of the UTF-8 sequence, converted to a rune.
    const first = Buffer.from(c, "utf8")[0] as number;
    shown = String.fromCharCode(first);
  }
  return new SyntaxErr(`invalid character ${goQuoteChar(shown)} ${context}`);
}

class EOFErr {}

class Decoder {
  pos = 0;
  constructor(readonly s: string) {}

  private peek(): string | undefined {
    return this.s[this.pos];
  }

  private skipWS(): void {
    while (this.pos < this.s.length && WS.has(this.s[this.pos] as string)) this.pos++;
  }

  private charAt(i: number): string {
    const c = this.s.codePointAt(i) as number;
    return String.fromCodePoint(c);
  }

  /** Decodes the next document: a value, EOF (nothing but whitespace) or a syntax error. */
  next(): { kind: "value"; value: Value } | { kind: "eof" } | { kind: "error"; message: string } {
    this.skipWS();
    if (this.pos >= this.s.length) return { kind: "eof" };
    try {
      return { kind: "value", value: this.value("looking for beginning of value") };
    } catch (e) {
      if (e instanceof SyntaxErr) return { kind: "error", message: e.message };
      if (e instanceof EOFErr) return { kind: "error", message: "unexpected EOF" };
      throw e;
    }
  }

  private value(context: string): Value {
    this.skipWS();
    const c = this.peek();
    if (c === undefined) throw new EOFErr();
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        throw badChar(this.charAt(this.pos), context);
    }
  }

  private literal(word: string, v: Value): Value {
    for (let i = 1; i < word.length; i++) {
      const c = this.s[this.pos + i];
      if (c === undefined) throw new EOFErr();
      if (c !== word[i]) {
        throw badChar(this.charAt(this.pos + i), `in literal ${word} (expecting '${word[i]}')`);
      }
    }
    this.pos += word.length;
    return v;
  }

  private number(): Value {
    const s = this.s;
    const start = this.pos;
    let i = this.pos;
    if (s[i] === "-") {
      i++;
      const c = s[i];
      if (c === undefined) throw new EOFErr();
      if (!(c >= "0" && c <= "9")) throw badChar(this.charAt(i), "in numeric literal");
    }
    if (s[i] === "0") i++;
    else while (i < s.length && (s[i] as string) >= "0" && (s[i] as string) <= "9") i++;
    if (s[i] === ".") {
      i++;
      const c = s[i];
      if (c === undefined) throw new EOFErr();
      if (!(c >= "0" && c <= "9")) throw badChar(this.charAt(i), "after decimal point in numeric literal");
      while (i < s.length && (s[i] as string) >= "0" && (s[i] as string) <= "9") i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      const c = s[i];
      if (c === undefined) throw new EOFErr();
      if (!(c >= "0" && c <= "9")) throw badChar(this.charAt(i), "in exponent of numeric literal");
      while (i < s.length && (s[i] as string) >= "0" && (s[i] as string) <= "9") i++;
    }
    this.pos = i;
    const text = s.slice(start, i);
    const n = Number(text);
    return String(n) === text ? n : new JsonNumber(text);
  }

  private string(): string {
    const s = this.s;
    let i = this.pos + 1;
    let out = "";
    let runStart = i;
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new EOFErr();
      if (c === '"') {
        out += s.slice(runStart, i);
        this.pos = i + 1;
        return out;
      }
      if (c < " ") throw badChar(c, "in string literal");
      if (c !== "\\") {
        i++;
        continue;
      }
      out += s.slice(runStart, i);
      const e = s[i + 1];
      if (e === undefined) throw new EOFErr();
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          i += 2;
          break;
        case "b":
          out += "\b";
          i += 2;
          break;
        case "f":
          out += "\f";
          i += 2;
          break;
        case "n":
          out += "\n";
          i += 2;
          break;
        case "r":
          out += "\r";
          i += 2;
          break;
        case "t":
          out += "\t";
          i += 2;
          break;
        case "u": {
          const cp = this.hex4(i + 2);
          i += 6;
          if (cp >= 0xd800 && cp <= 0xdbff && s[i] === "\\" && s[i + 1] === "u") {
            const lo = this.hex4(i + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              out += String.fromCharCode(cp, lo);
              i += 6;
              break;
            }
          }
          out += cp >= 0xd800 && cp <= 0xdfff ? "\ufffd" : String.fromCharCode(cp);
          break;
        }
        default:
          throw badChar(this.charAt(i + 1), "in string escape code");
      }
      runStart = i;
    }
  }

  private hex4(at: number): number {
    for (let k = 0; k < 4; k++) {
      const c = this.s[at + k];
      if (c === undefined) throw new EOFErr();
      if (!/[0-9a-fA-F]/.test(c)) throw badChar(this.charAt(at + k), "in \\u hexadecimal character escape");
    }
    return Number.parseInt(this.s.slice(at, at + 4), 16);
  }

  private array(): Value[] {
    this.pos++;
    const out: Value[] = [];
    this.skipWS();
    if (this.peek() === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value("looking for beginning of value"));
      this.skipWS();
      const c = this.peek();
      if (c === undefined) throw new EOFErr();
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return out;
      }
      throw badChar(this.charAt(this.pos), "after array element");
    }
  }

  private object(): ValueObject {
    this.pos++;
    const out = newObject();
    this.skipWS();
    if (this.peek() === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWS();
      const k = this.peek();
      if (k === undefined) throw new EOFErr();
      if (k !== '"') throw badChar(this.charAt(this.pos), "looking for beginning of object key string");
      const key = this.string();
      this.skipWS();
      const colon = this.peek();
      if (colon === undefined) throw new EOFErr();
      if (colon !== ":") throw badChar(this.charAt(this.pos), "after object key");
      this.pos++;
      out[key] = this.value("looking for beginning of value");
      this.skipWS();
      const c = this.peek();
      if (c === undefined) throw new EOFErr();
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "}") {
        this.pos++;
        return out;
      }
      throw badChar(this.charAt(this.pos), "after object key:value pair");
    }
  }
}

/** Exact decode, including the reference's handling of trailing data. */
export function decodeExact(text: string): DecodeResult {
  const d = new Decoder(text);
  const first = d.next();
  if (first.kind === "eof") return { ok: false, error: "EOF" };
  if (first.kind === "error") return { ok: false, error: first.message };
  const second = d.next();
  if (second.kind === "eof") return { ok: true, value: first.value };
  if (second.kind === "error") return { ok: false, error: second.message };
  const third = d.next();
  if (third.kind === "error") return { ok: false, error: third.message };
  return { ok: false, error: "message contains multiple valid documents" };
}

/** Parses JSON text for `.parse_json()`: any trailing data is an error, like `json.Unmarshal`. */
export function parseJSONValue(text: string): DecodeResult {
  const d = new Decoder(text);
  const first = d.next();
  if (first.kind === "eof") return { ok: false, error: "unexpected end of JSON input" };
  if (first.kind === "error") {
    return {
      ok: false,
      error: first.message === "unexpected EOF" ? "unexpected end of JSON input" : first.message,
    };
  }
  // json.Unmarshal checks the whole input: anything but whitespace after the value is an error.
  const rest = text.slice(d.pos);
  const trimmed = rest.replace(/^[ \t\n\r]+/, "");
  if (trimmed.length > 0) {
    const c = String.fromCodePoint(trimmed.codePointAt(0) as number);
    return { ok: false, error: badChar(c, "after top-level value").message };
  }
  return { ok: true, value: first.value };
}

/** Converts parsed JSON numbers to float64, as `json.Unmarshal` without `UseNumber` gives them. */
export function numbersToFloat(v: Value): Value {
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
