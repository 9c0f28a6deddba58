import { goQuote, goUnquote } from "../gofmt.js";
import { goSprintf } from "../gosprintf.js";
import { loadExtended } from "../load-extended.js";
import { QueryError, typeError, WrapErr } from "../query-error.js";
import {
  inCategory,
  type MethodImpl,
  NO_PARAMS,
  p,
  pluginMethod,
  readStringMethod,
  simpleMethod,
  textMethod,
  VARIADIC,
  withCategories,
} from "../registry.js";
import { getString, isObject, typeOf, utf8Decode, utf8Encode, utf8Length, type Value } from "../value.js";

/** `bloblang.StringMethod`'s input as the bytes Go hashes: a string's UTF-8, or the bytes. */
function secretBytes(v: Value): Uint8Array {
  if (typeof v === "string") return utf8Encode(v);
  if (v instanceof Uint8Array) return v;
  throw typeError(v, "string");
}

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

/** String manipulation (bytes in give bytes out; lengths and offsets count bytes). */
export function stringMethods(): MethodImpl[] {
  return inCategory("String Manipulation", [
    withCategories(
      ["String Manipulation", "Object & Array Manipulation"],
      simpleMethod("length", NO_PARAMS, () => (v) => {
        if (typeof v === "string") return BigInt(utf8Length(v));
        if (v instanceof Uint8Array) return BigInt(v.length);
        if (Array.isArray(v)) return BigInt(v.length);
        if (isObject(v)) return BigInt(Object.keys(v).length);
        throw typeError(v, "string", "array", "object"); // the reference's text, though bytes are taken
      }),
    ),
    withCategories(
      ["String Manipulation", "Object & Array Manipulation"],
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
    ),
    simpleMethod("reverse", NO_PARAMS, () => (v) => {
      if (Array.isArray(v)) return [...v].reverse();
      if (typeof v === "string") return [...v].reverse().join("");
      if (v instanceof Uint8Array) return v.slice().reverse();
      throw typeError(v, "array");
    }),
    textMethod("uppercase", NO_PARAMS, () => goUpper),
    simpleMethod("repeat", p([{ name: "count", type: "int" }]), (args) => {
      const count = args.int("count");
      if (count < 0n)
        throw new QueryError(
          "INVALID_ARGUMENT",
          `invalid count, must be greater than or equal to zero: ${count}`,
        );
      return (v) => {
        const len =
          typeof v === "string" ? utf8Encode(v).length : v instanceof Uint8Array ? v.length : undefined;
        if (len === undefined) throw typeError(v, "string");
        if (BigInt(len) * count > 2n ** 29n)
          throw new QueryError("FAILED", `invalid count, would overflow: ${len}*${count}`);
        if (typeof v === "string") return v.repeat(Number(count));
        const out = new Uint8Array(len * Number(count));
        for (let i = 0; i < Number(count); i++) out.set(v as Uint8Array, i * len);
        return out;
      };
    }),
    // Paths, slugs and HTML stripping are loaded on first use (see ../extended.ts).
    simpleMethod("filepath_join", NO_PARAMS, () => {
      const { cleanPath } = loadExtended();
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const parts = v.map((e, i) => {
          const s = getString(e);
          if (s === undefined) throw new WrapErr(`path element ${i}`, typeError(e, "string"));
          return s;
        });
        const joined = parts.filter((s) => s !== "").join("/");
        return joined === "" ? "" : cleanPath(joined);
      };
    }),
    readStringMethod("unicode_segments", p([{ name: "segmentation_type", type: "string" }]), (args) => {
      const type = args.str("segmentation_type");
      const granularity = type === "grapheme" || type === "word" || type === "sentence" ? type : undefined;
      const segmenter = granularity && new Intl.Segmenter("en", { granularity });
      return (s) => {
        if (!segmenter) throw new QueryError("FAILED", `unknown segmentation type: ${type}`);
        return [...segmenter.segment(s)].map((x) => x.segment);
      };
    }),
    readStringMethod("filepath_split", NO_PARAMS, () => (s) => {
      const i = s.lastIndexOf("/");
      return [s.slice(0, i + 1), s.slice(i + 1)];
    }),
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
    readStringMethod("slug", p([{ name: "lang", type: "string", default: "en" }]), (args) => {
      const lang = args.str("lang");
      const { slugify } = loadExtended();
      return (s) => slugify(s, lang);
    }),
    readStringMethod("strip_html", p([{ name: "preserve", type: "any", optional: true }]), (args) => {
      const preserve = args.get("preserve");
      const tags = new Set<string>();
      if (Array.isArray(preserve)) {
        for (const [i, t] of preserve.entries()) {
          if (typeof t !== "string")
            throw new QueryError(
              "INVALID_ARGUMENT",
              `invalid arg at index ${i}: expected string, got ${typeOf(t)}`,
            );
          tags.add(t.toLowerCase());
        }
      }
      const { stripHTML } = loadExtended();
      return (s) => stripHTML(s, tags, unescapeHTML);
    }),
    readStringMethod("escape_url_query", NO_PARAMS, () => (s) => urlEscape(s, true)),
    readStringMethod("escape_url_path", NO_PARAMS, () => (s) => urlEscape(s, false)),
    readStringMethod("unescape_url_query", NO_PARAMS, () => (s) => urlUnescape(s, true)),
    readStringMethod("unescape_url_path", NO_PARAMS, () => (s) => urlUnescape(s, false)),
    pluginMethod("compare_argon2", p([{ name: "hashed_secret", type: "string" }]), (args) => {
      const hashed = args.str("hashed_secret");
      // The hashing code is loaded on first use (see ../extended.ts), as few configs compare hashes.
      return (v) => loadExtended().compareArgon2(hashed, secretBytes(v));
    }),
    pluginMethod("compare_bcrypt", p([{ name: "hashed_secret", type: "string" }]), (args) => {
      const hashed = utf8Encode(args.str("hashed_secret"));
      return (v) => loadExtended().compareBcrypt(hashed, secretBytes(v));
    }),
  ]);
}
