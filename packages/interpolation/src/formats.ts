import { goQuote } from "./gofmt.js";
import { QueryError } from "./query-error.js";
import { newObject, utf8Decode, type ValueObject } from "./value.js";

const fail = (message: string) => new QueryError("FAILED", message);

/** Go's `url.PathUnescape` / `url.QueryUnescape` (`+` is a space only in queries). */
function urlUnescape(s: string, query: boolean): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = s.slice(i, i + 3);
        throw fail(`invalid URL escape ${goQuote(bad)}`);
      }
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else if (query && c === "+") bytes.push(32);
    else bytes.push(...enc.encode(c));
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/** `url.Values` as the reference's `urlValuesToMap` gives it: one value, or an array of them. */
export function parseFormURLEncoded(s: string): ValueObject {
  const values = new Map<string, string[]>();
  let firstErr: string | undefined;
  for (const part of s.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) {
      firstErr ??= "invalid semicolon separator in query";
      continue;
    }
    const eq = part.indexOf("=");
    try {
      const k = urlUnescape(eq < 0 ? part : part.slice(0, eq), true);
      const v = urlUnescape(eq < 0 ? "" : part.slice(eq + 1), true);
      values.set(k, [...(values.get(k) ?? []), v]);
    } catch (e) {
      firstErr ??= (e as Error).message;
    }
  }
  if (firstErr !== undefined) throw fail(`failed to parse value as url-encoded data: ${firstErr}`);
  const out = newObject();
  for (const [k, v] of values) out[k] = v.length === 1 ? (v[0] as string) : v;
  return out;
}

/** The reference's `parse_url`: the fields of Go's `url.URL`. */
export function parseURL(raw: string): ValueObject {
  const err = (why: string) => fail(`parse ${goQuote(raw)}: ${why}`);
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw err("net/url: invalid control character in URL");
  let rest = raw;
  let fragment = "";
  let rawFragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    const f = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    try {
      fragment = urlUnescape(f, false);
    } catch (e) {
      throw err((e as Error).message);
    }
    if (f !== escapeFragment(fragment)) rawFragment = f;
  }
  let scheme = "";
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] as string).toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[^/?]*:/.test(rest) && !rest.startsWith("/")) {
    if (rest.startsWith(":")) throw err("missing protocol scheme");
    throw err("first path segment in URL cannot contain colon");
  }
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const out = newObject();
  let opaque = "";
  let host = "";
  let user: ValueObject | undefined;
  if (scheme !== "" && !rest.startsWith("/")) {
    opaque = rest;
    rest = "";
  } else if (rest.startsWith("//")) {
    const authEnd = rest.indexOf("/", 2);
    const authority = authEnd < 0 ? rest.slice(2) : rest.slice(2, authEnd);
    rest = authEnd < 0 ? "" : rest.slice(authEnd);
    const at = authority.lastIndexOf("@");
    host = at < 0 ? authority : authority.slice(at + 1);
    if (at >= 0) {
      const info = authority.slice(0, at);
      const colon = info.indexOf(":");
      user = newObject();
      try {
        user.name = urlUnescape(colon < 0 ? info : info.slice(0, colon), false);
        if (colon >= 0) user.password = urlUnescape(info.slice(colon + 1), false);
      } catch (e) {
        throw err((e as Error).message);
      }
    }
    try {
      host = urlUnescape(host, false);
    } catch (e) {
      throw err((e as Error).message);
    }
  }
  let path: string;
  try {
    path = urlUnescape(rest, false);
  } catch (e) {
    throw err((e as Error).message);
  }
  out.scheme = scheme;
  out.opaque = opaque;
  out.host = host;
  out.path = path;
  out.raw_path = rest !== escapePath(path) ? rest : "";
  out.raw_query = rawQuery;
  out.fragment = fragment;
  out.raw_fragment = rawFragment;
  if (user) out.user = user;
  return out;
}

function escapeWith(s: string, keep: RegExp): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && keep.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
const escapePath = (s: string) => escapeWith(s, /[A-Za-z0-9\-_.~$&+,/:;=@]/);
const escapeFragment = (s: string) => escapeWith(s, /[A-Za-z0-9\-_.~$&+,/:;=@?!()*]/);

/** The reference's `parse_logfmt` (its own scanner, not go-logfmt). */
export function parseLogfmt(s: string): ValueObject {
  const out = newObject();
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
    if (i >= s.length) break;
    const start = i;
    while (i < s.length && s[i] !== "=" && s[i] !== " " && s[i] !== "\t") i++;
    const key = s.slice(start, i);
    if (key === "") {
      i++;
      continue;
    }
    if (i >= s.length || s[i] !== "=") {
      out[key] = true;
      continue;
    }
    i++;
    if (s[i] === '"') {
      i++;
      let val = "";
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < s.length) {
          i++;
          const c = s[i] as string;
          const esc: Record<string, string> = {
            '"': '"',
            "\\": "\\",
            "/": "/",
            n: "\n",
            r: "\r",
            t: "\t",
            b: "\b",
            f: "\f",
          };
          val += esc[c] ?? `\\${c}`;
        } else val += s[i];
        i++;
      }
      if (i >= s.length) throw fail(`logfmt: unterminated quoted value for key ${goQuote(key)}`);
      i++;
      out[key] = val;
    } else {
      const vs = i;
      while (i < s.length && s[i] !== " " && s[i] !== "\t") i++;
      out[key] = s.slice(vs, i);
    }
  }
  return out;
}

/** Go's `encoding/csv` `Reader.ReadAll` with `FieldsPerRecord` 0 (set by the first record). */
export function readCSV(text: string, comma: string, lazyQuotes: boolean): string[][] {
  const records: string[][] = [];
  const lines = text.split("\n");
  let lineNo = 0;
  let expected: number | undefined;
  while (lineNo < lines.length) {
    let line = lines[lineNo++] as string;
    const recordLine = lineNo;
    if (lineNo === lines.length && line === "") break;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "") continue;
    const fields: string[] = [];
    let pos = 0;
    for (;;) {
      if (line[pos] !== '"') {
        const end = line.indexOf(comma, pos);
        const field = end < 0 ? line.slice(pos) : line.slice(pos, end);
        const bare = field.indexOf('"');
        if (!lazyQuotes && bare >= 0)
          throw fail(`parse error on line ${lineNo}, column ${pos + bare + 1}: bare " in non-quoted field`);
        fields.push(field);
        if (end < 0) break;
        pos = end + comma.length;
        continue;
      }
      // Quoted field, possibly spanning lines.
      pos++;
      let field = "";
      for (;;) {
        const qi = line.indexOf('"', pos);
        if (qi < 0) {
          field += `${line.slice(pos)}\n`;
          if (lineNo >= lines.length || (lineNo === lines.length - 1 && lines[lineNo] === "")) {
            if (lazyQuotes) {
              fields.push(field.slice(0, -1));
              pos = line.length;
              break;
            }
            throw fail(
              `record on line ${recordLine}; parse error on line ${lineNo + 1}, column 0: extraneous or missing " in quoted-field`,
            );
          }
          line = lines[lineNo++] as string;
          if (line.endsWith("\r")) line = line.slice(0, -1);
          pos = 0;
          continue;
        }
        field += line.slice(pos, qi);
        pos = qi + 1;
        if (line[pos] === '"') {
          field += '"';
          pos++;
        } else if (line.startsWith(comma, pos) || pos >= line.length) {
          break;
        } else if (lazyQuotes) {
          field += '"';
        } else {
          throw fail(
            `parse error on line ${lineNo}, column ${pos + 1}: extraneous or missing " in quoted-field`,
          );
        }
      }
      fields.push(field);
      if (pos >= line.length) break;
      pos += comma.length;
    }
    if (expected === undefined) expected = fields.length;
    else if (fields.length !== expected) throw fail(`record on line ${recordLine}: wrong number of fields`);
    records.push(fields);
  }
  return records;
}

/** Go's `filepath.Clean` for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else out.push(seg);
  }
  const s = out.join("/");
  return rooted ? `/${s}` : s === "" ? "." : s;
}
