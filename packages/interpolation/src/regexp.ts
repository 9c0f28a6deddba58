import type { RE2JS } from "re2js";
import { createRequire } from "./node-builtins.js";
import { QueryError } from "./query-error.js";

type RE2 = ReturnType<RE2JS["re2"]>;

let engine: typeof RE2JS | undefined;

/**
 * re2js (Go's `regexp` ported to JavaScript, linear time) costs about 10 ms to import and only
 * configs with a regex method need it, so it is loaded on first use — synchronously, because
 * methods are compiled synchronously.
 */
function re2js(): typeof RE2JS {
  engine ??= (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS;
  return engine;
}

/**
 * A compiled RE2 pattern with the `regexp.Regexp` methods the Bloblang methods use. Matching is
 * linear in the input, so a pattern from a config cannot hang the process.
 */
export class GoRegexp {
  readonly #re: RE2JS;
  readonly #re2: RE2;
  /** `SubexpNames()`: `""` for the whole match and for unnamed groups. */
  readonly subexpNames: readonly string[];

  /** `renamed` maps the internal names of repeated group names back to the name written. */
  constructor(re: RE2JS, renamed?: ReadonlyMap<string, string>) {
    this.#re = re;
    this.#re2 = re.re2();
    const names: string[] = new Array<string>(re.groupCount() + 1).fill("");
    const named = re.namedGroups();
    for (const name in named) names[named[name] as number] = renamed?.get(name) ?? name;
    this.subexpNames = names;
  }

  /** `MatchString`. */
  matchString(s: string): boolean {
    return this.#re.test(s);
  }

  /** `FindAllString(s, -1)`, `[]` for no match. */
  findAllString(s: string): string[] {
    if (!this.#re.test(s)) return []; // the DFA answers this far faster than a search
    return (this.#re2.findAll(s, -1) as string[] | null) ?? [];
  }

  /** `FindAllStringSubmatchIndex(s, -1)`: UTF-16 offsets, `-1` for a group that did not take part. */
  findAllSubmatchIndex(s: string): number[][] {
    if (!this.#re.test(s)) return [];
    return (this.#re2.findAllSubmatchIndex(s, -1) as number[][] | null) ?? [];
  }

  /** `FindAllStringSubmatch(s, -1)`: a group that did not take part is `""`. */
  findAllStringSubmatch(s: string): string[][] {
    return this.findAllSubmatchIndex(s).map((loc) => submatches(s, loc));
  }

  /** `FindStringSubmatch(s)`, `undefined` for no match. */
  findStringSubmatch(s: string): string[] | undefined {
    const loc = this.#re2.findSubmatchIndex(s) as number[] | null;
    return loc ? submatches(s, loc) : undefined;
  }

  /** `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` and `$$` in `template` as Go expands them. */
  replaceAllString(s: string, template: string): string {
    if (!this.#re.test(s)) return s;
    if (!template.includes("$")) return this.#re2.replaceAll(s, template);
    let out = "";
    let last = 0;
    for (const loc of (this.#re2.findAllSubmatchIndex(s, -1) as number[][] | null) ?? []) {
      out += s.slice(last, loc[0]) + this.expand(template, s, loc);
      last = loc[1] as number;
    }
    return out + s.slice(last);
  }

  /** Go's `Regexp.expand`. */
  expand(template: string, src: string, loc: readonly number[]): string {
    let out = "";
    let t = template;
    for (;;) {
      const at = t.indexOf("$");
      if (at < 0) break;
      out += t.slice(0, at);
      t = t.slice(at + 1);
      if (t.startsWith("$")) {
        out += "$";
        t = t.slice(1);
        continue;
      }
      const ref = extractRef(t);
      if (ref === undefined) {
        out += "$"; // malformed: the `$` is literal text
        continue;
      }
      t = ref.rest;
      if (ref.num >= 0) {
        const i = ref.num;
        if (2 * i + 1 < loc.length && (loc[2 * i] as number) >= 0)
          out += src.slice(loc[2 * i], loc[2 * i + 1]);
        continue;
      }
      // The leftmost group of that name that took part in the match.
      for (let i = 1; i < this.subexpNames.length; i++) {
        if (this.subexpNames[i] === ref.name && (loc[2 * i] as number) >= 0) {
          out += src.slice(loc[2 * i], loc[2 * i + 1]);
          break;
        }
      }
    }
    return out + t;
  }
}

function submatches(s: string, loc: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < loc.length; i += 2) {
    const a = loc[i] as number;
    out.push(a < 0 ? "" : s.slice(a, loc[i + 1]));
  }
  return out;
}

const REF_NAME = /^[\p{L}\p{Nd}_]+/u;

/** Go's `extract`: `name` or `{name}` after a `$`; `num` is -1 unless the name is a group number. */
function extractRef(t: string): { name: string; num: number; rest: string } | undefined {
  const brace = t.startsWith("{");
  const body = brace ? t.slice(1) : t;
  const m = REF_NAME.exec(body);
  if (!m) return undefined;
  const name = m[0];
  let rest = body.slice(name.length);
  if (brace) {
    if (!rest.startsWith("}")) return undefined;
    rest = rest.slice(1);
  }
  // Go reads at most nine digits as a number, and not with a leading zero (`$01` is a name).
  const num = /^(0|[1-9][0-9]{0,8})$/.test(name) ? Number(name) : -1;
  return { name, num, rest };
}

const cache = new Map<string, GoRegexp>();

/**
 * Compiles an RE2 (Go `regexp`) pattern. An invalid one is an `INVALID_ARGUMENT` error with Go's
 * text (``error parsing regexp: missing closing ): `(` ``).
 */
export function compileRegexp(pattern: string): GoRegexp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  let renamed: Map<string, string> | undefined;
  try {
    try {
      re = re2js().compile(pattern);
    } catch (e) {
      // Go allows a group name more than once (re2js follows RE2/Java and refuses it).
      if (!(e as Error).message.startsWith("error parsing regexp: duplicate capture group name")) throw e;
      const r = renameRepeatedGroups(pattern);
      renamed = r.renamed;
      re = re2js().compile(r.pattern);
    }
  } catch (e) {
    throw new QueryError("INVALID_ARGUMENT", (e as Error).message, e);
  }
  const compiled = new GoRegexp(re, renamed);
  if (cache.size >= 512) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

const NAMED_GROUP = /\(\?P?<([^>]*)>/y;

/**
 * Gives the second and later groups of a repeated name (`(?P<x>a)(?P<x>b)`) internal names,
 * skipping escapes, `\Q…\E` and character classes, where `(?P<` is not a group.
 */
function renameRepeatedGroups(pattern: string): { pattern: string; renamed: Map<string, string> } {
  const seen = new Set<string>();
  const renamed = new Map<string, string>();
  let out = "";
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i] as string;
    if (c === "\\") {
      if (pattern[i + 1] === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        const stop = end < 0 ? n : end + 2;
        out += pattern.slice(i, stop);
        i = stop;
        continue;
      }
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < n && pattern[j] !== "]") {
        if (pattern[j] === "\\") j++;
        else if (pattern.startsWith("[:", j)) {
          const close = pattern.indexOf(":]", j + 2);
          if (close >= 0) j = close + 1;
        }
        j++;
      }
      out += pattern.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    NAMED_GROUP.lastIndex = i;
    const m = NAMED_GROUP.exec(pattern);
    if (m) {
      let name = m[1] as string;
      if (seen.has(name)) {
        const internal = `natskit_dup_${renamed.size}_${name}`;
        renamed.set(internal, name);
        name = internal;
      } else seen.add(name);
      out += `(?P<${name}>`;
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return { pattern: out, renamed };
}
