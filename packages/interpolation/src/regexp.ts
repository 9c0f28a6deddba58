import { QueryError } from "./query-error.js";

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 (Go `regexp`) pattern as a JavaScript `RegExp`. Leading flag groups such as
 * `(?i)` become flags, `(?P<name>` becomes `(?<name>`, `\A` / `\z` become anchors. Constructs
 * RE2 rejects (backreferences, lookaround) are rejected too.
 */
export function compileRegexp(pattern: string, global: boolean): RegExp {
  const key = (global ? "g:" : "s:") + pattern;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let src = pattern;
  let flags = global ? "g" : "";
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1] as string) {
      if (f === "i" && !flags.includes("i")) flags += "i";
      if (f === "m" && !flags.includes("m")) flags += "m";
      if (f === "s" && !flags.includes("s")) flags += "s";
    }
  }
  if (/\\[1-9]|\(\?[=!<][^P]|\(\?<[=!]/.test(src)) {
    throw new QueryError(
      "INVALID_ARGUMENT",
      `error parsing regexp: invalid or unsupported Perl syntax in ${JSON.stringify(pattern)}`,
    );
  }
  src = src.replaceAll("(?P<", "(?<").replaceAll("\\A", "^").replaceAll("\\z", "$(?![\\s\\S])");
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    throw new QueryError("INVALID_ARGUMENT", `error parsing regexp: ${(e as Error).message}`, e);
  }
  if (cache.size > 512) cache.clear();
  cache.set(key, re);
  return re;
}

/**
 * Go `Regexp.Expand` for `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` and `$$`. `m` is
 * the argument list a `String.replace` callback receives.
 */
export function expandReplacement(template: string, m: unknown[]): string {
  const last = m[m.length - 1];
  const groups =
    typeof last === "object" && last !== null ? (last as Record<string, string | undefined>) : undefined;
  const nGroups = m.length - (groups ? 3 : 2);
  const group = (name: string): string => {
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      if (i < nGroups) return (m[i] as string | undefined) ?? "";
      return "";
    }
    return groups?.[name] ?? "";
  };
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    if (next === "{") {
      const end = template.indexOf("}", i + 2);
      const name = end < 0 ? "" : template.slice(i + 2, end);
      if (end < 0 || !/^\w+$/.test(name)) {
        out += "$";
        continue;
      }
      out += group(name);
      i = end;
      continue;
    }
    const w = /^\w+/.exec(template.slice(i + 1));
    if (!w) {
      out += "$";
      continue;
    }
    out += group(w[0]);
    i += w[0].length;
  }
  return out;
}
