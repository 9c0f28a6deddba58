import type { Args, ParamsSpec } from "../params.js";
import { typeError } from "../query-error.js";
import { compileRegexp, type GoRegexp } from "../regexp.js";
import { inCategory, type MethodImpl, p, readStringMethod, simpleMethod } from "../registry.js";
import { newObject, utf8Decode, utf8Encode, type Value } from "../value.js";

const PATTERN = p([{ name: "pattern", type: "string" }]);

/**
 * A method taking a string or bytes, as the reference's regex methods do; `bytes` tells the
 * result builder that the input was bytes (the `*_object` methods then give byte values).
 */
function regexpMethod(
  name: string,
  params: ParamsSpec,
  make: (re: GoRegexp, args: Args) => (s: string, bytes: boolean) => Value,
): MethodImpl {
  return simpleMethod(name, params, (args) => {
    const fn = make(compileRegexp(args.str("pattern")), args);
    return (v) => {
      if (typeof v === "string") return fn(v, false);
      if (v instanceof Uint8Array) return fn(utf8Decode(v), true);
      throw typeError(v, "string");
    };
  });
}

/** `FindStringSubmatch` as an object keyed by group name (or index for unnamed groups). */
function submatchObject(keys: readonly string[], groups: readonly string[], bytes: boolean): Value {
  const o = newObject();
  groups.forEach((g, i) => {
    o[keys[i] as string] = bytes ? utf8Encode(g) : g;
  });
  return o;
}

function groupKeys(re: GoRegexp): string[] {
  return re.subexpNames.map((n, i) => (n === "" ? String(i) : n));
}

const REPLACE = p([
  { name: "pattern", type: "string" },
  { name: "value", type: "string" },
]);

/** Regular expressions: RE2 syntax and semantics, as Go's `regexp` (linear-time matching). */
export function regexpMethods(): MethodImpl[] {
  return inCategory("Regular Expressions", [
    readStringMethod("re_match", PATTERN, (args) => {
      const re = compileRegexp(args.str("pattern"));
      return (s) => re.matchString(s);
    }),
    readStringMethod("re_find_all", PATTERN, (args) => {
      const re = compileRegexp(args.str("pattern"));
      return (s) => re.findAllString(s);
    }),
    readStringMethod("re_find_all_submatch", PATTERN, (args) => {
      const re = compileRegexp(args.str("pattern"));
      return (s) => re.findAllStringSubmatch(s);
    }),
    regexpMethod("re_find_object", PATTERN, (re) => {
      const keys = groupKeys(re);
      return (s, bytes) => submatchObject(keys, re.findStringSubmatch(s) ?? [], bytes);
    }),
    regexpMethod("re_find_all_object", PATTERN, (re) => {
      const keys = groupKeys(re);
      return (s, bytes) => re.findAllStringSubmatch(s).map((g) => submatchObject(keys, g, bytes));
    }),
    // Bytes in give a string out, as in the reference.
    ...["re_replace_all", "re_replace"].map((name) =>
      regexpMethod(name, REPLACE, (re, args) => {
        const template = args.str("value");
        return (s) => re.replaceAllString(s, template);
      }),
    ),
  ]);
}
