// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${name}` in plain strings are the syntax under test
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { msg, parseError, q, testEnv } from "../../test/helpers.js";
import { InterpolationError, InterpolationParseError } from "../errors.js";
import { compileRegexp } from "../regexp.js";

/** A Bloblang string literal holding `s` (JSON escapes are a subset of Go's). */
const lit = (s: string) => JSON.stringify(s);

describe("regexp - RE2 semantics where JavaScript's RegExp differs", () => {
  // Each row gave another result (or an error, or a hang) with the old RegExp translation.
  it.each([
    ["(?U) makes quantifiers lazy", "aaa", "re_find_all", "(?U)a+", '["a","a","a"]'],
    ["POSIX classes", "aaa1", "re_find_all", "[[:alpha:]]+", '["aaa"]'],
    ["negated POSIX class", "ab12", "re_find_all", "[[:^alpha:]]+", '["12"]'],
    ["\\pL without braces", "héllo wörld", "re_find_all", "\\pL+", '["héllo","wörld"]'],
    ["\\PL", "a1b", "re_find_all", "\\PL", '["1"]'],
    ["Unicode script class", "abc αβγ", "re_find_all", "\\p{Greek}+", '["αβγ"]'],
    ["(?i) in the middle", "xAb xAB", "re_find_all", "xa(?i)b", "[]"],
    ["(?i) in the middle, matching", "xab xaB", "re_find_all", "xa(?i)b", '["xab","xaB"]'],
    ["(?-i) turns it off", "AB Ab", "re_find_all", "(?i)a(?-i)b", '["Ab"]'],
    ["(?s:…) group", "a\nb", "re_find_all", "a(?s:.)b", '["a\\nb"]'],
    ["(?s) mid-pattern", "a\nb", "re_find_all", "a(?s).b", '["a\\nb"]'],
    ["without (?s) . stops at newlines", "a\nb", "re_find_all", "a.b", "[]"],
    ["(?m) mid-pattern", "a\nb", "re_find_all", "(?m)^.", '["a","b"]'],
    ["\\A anchors at the start of text only", "ba\na", "re_find_all", "(?m)\\Aa", "[]"],
    ["\\z is the very end", "a\n", "re_match", "a\\z", "false"],
    ["$ without (?m) is the end of text", "a\n", "re_match", "a$", "false"],
    ["\\Q…\\E quotes", "a.b a*b", "re_find_all", "\\Qa*b\\E", '["a*b"]'],
    [". is a code point, not a UTF-16 unit", "😀x", "re_find_all", ".", '["😀","x"]'],
    ["(?i) folds Σ σ ς", "Σσς", "re_find_all", "(?i)σ", '["Σ","σ","ς"]'],
    ["\\d is ASCII only", "1٣", "re_find_all", "\\d", '["1"]'],
    ["\\s is ASCII only", "a\u00a0b c", "re_find_all", "\\s", '[" "]'],
    ["\\b is ASCII only", "é", "re_match", "\\b", "false"],
    ["empty matches next to a match are skipped", "baaac", "re_find_all", "a*", '["","aaa",""]'],
    ["the empty pattern matches between characters", "ab", "re_find_all", "", '["","",""]'],
    ["leftmost-first alternation", "ab", "re_find_all", "a|ab", '["a"]'],
  ])("%s", (_name, input, method, pattern, want) => {
    expect(q(`${lit(input)}.${method}(${lit(pattern)})`)).toBe(want);
  });

  it.each([
    ["$1x is the group named 1x", "ab", "(a)", "$1x", "b"],
    ["${1}x", "ab", "(a)", "${1}x", "axb"],
    ["$name", "ab", "(?P<first>a)", "[$first]", "[a]b"],
    ["${name}", "ab", "(?P<first>a)", "[${first}]", "[a]b"],
    ["(?<name>…) as Go 1.22", "ab", "(?<first>a)", "[${first}]", "[a]b"],
    ["$$", "ab", "a", "$$", "$b"],
    ["a lone $", "ab", "a", "$", "$b"],
    ["an unclosed ${", "ab", "a", "${1", "${1b"],
    ["$0 is the whole match", "ab", "a", "<$0>", "<a>b"],
    ["$01 is a name, not group 1", "ab", "(a)", "[$01]", "[]b"],
    ["an unknown group is empty", "ab", "(a)", "[$2][$x]", "[][]b"],
    ["a group that did not take part is empty", "b", "(a)?b", "[$1]", "[]"],
    ["JavaScript's $& is not special", "ab", "a", "$&", "$&b"],
    ["empty matches", "baaac", "a*", "-", "-b-c-"],
    ["empty matches with a template", "baaac", "(a*)", "<$1>", "<>b<aaa>c<>"],
    ["astral characters", "😀a😀", "a", "$0$0", "😀aa😀"],
  ])("re_replace_all - %s", (_name, input, pattern, template, want) => {
    expect(q(`${lit(input)}.re_replace_all(${lit(pattern)}, ${lit(template)})`)).toBe(want);
    expect(q(`${lit(input)}.re_replace(${lit(pattern)}, ${lit(template)})`)).toBe(want);
  });

  it.each([
    ["\\1", "error parsing regexp: invalid escape sequence: `\\1`"],
    ["(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"],
    ["a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"],
    ["(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"],
    ["(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`"],
    ["(", "error parsing regexp: missing closing ): `(`"],
    ["a)", "error parsing regexp: unexpected ): `a)`"],
    ["a**", "error parsing regexp: invalid nested repetition operator: `**`"],
    ["[z-a]", "error parsing regexp: invalid character class range: `z-a`"],
    ["[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"],
    ["\\pX", "error parsing regexp: invalid character class range: `\\pX`"],
    ["a{2,1001}", "error parsing regexp: invalid repeat count: `{2,1001}`"],
  ])("rejects %j with Go's text", (pattern, reason) => {
    for (const method of ["re_match", "re_find_all", "re_find_all_submatch", "re_find_object"]) {
      const e = parseError(`\${! "x".${method}(${lit(pattern)}) }`);
      expect(e.code).toBe("INVALID_ARGUMENTS");
      expect(e.reason).toBe(reason);
    }
    expect(parseError(`\${! "x".re_replace_all(${lit(pattern)}, "y") }`).reason).toBe(reason);
  });

  it.each([
    [
      "a repeated group name, ${n} is the leftmost that took part",
      "ab",
      "re_replace_all",
      "(?P<n>x)?(?P<n>a)(?P<n>b)",
      "[${n}]",
      "[a]",
    ],
    [
      "a repeated group name, re_find_object keeps the last",
      "ab",
      "re_find_object",
      "(?P<n>a)(?P<n>b)",
      "",
      '{"0":"ab","n":"b"}',
    ],
    ["(?P< in a class is not a group", "<", "re_find_all", "(?P<n>a)|[(?P<n>]", "", "<"],
    ["(?P< after an escape is not a group", "(?P<n>", "re_find_all", "(?P<n>a)|\\(\\?P<n>", "", "(?P<n>"],
    ["(?P< in \\Q…\\E is not a group", "(?P<n>", "re_find_all", "(?P<n>a)|\\Q(?P<n>\\E", "", "(?P<n>"],
  ])("Go accepts %s", (_name, input, method, pattern, template, want) => {
    const args = method === "re_replace_all" ? `${lit(pattern)}, ${lit(template)}` : lit(pattern);
    const join = method === "re_find_all" ? '.join("|")' : ""; // JSON output escapes < and >
    expect(q(`${lit(input)}.${method}(${args})${join}`)).toBe(want);
  });

  it("a dynamic pattern is rejected at evaluation with the same text", () => {
    const m = msg(JSON.stringify({ p: "a(?=b)" }));
    expect(() => q('"ab".re_match(this.p)', m)).toThrow(
      "error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
    );
  });

  it("catastrophic backtracking patterns run in linear time", () => {
    // JavaScript's RegExp needs about 2^n steps for these; n = 30 would take minutes.
    const cases: [string, string][] = [
      ["(a+)+$", `${"a".repeat(30)}b`],
      ["(a|aa)+$", `${"a".repeat(30)}b`],
      ["(a*)*b", "a".repeat(30)],
      ["(x+x+)+y", "x".repeat(30)],
    ];
    const t0 = performance.now();
    for (const [pattern, input] of cases) {
      expect(q(`${lit(input)}.re_match(${lit(pattern)})`)).toBe("false");
    }
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("matching time grows linearly with the input", () => {
    const re = compileRegexp("(a+)+$");
    const time = (n: number) => {
      const s = `${"a".repeat(n)}b`;
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) expect(re.matchString(s)).toBe(false);
      return performance.now() - t0;
    };
    time(2000); // warm-up
    const small = time(2000);
    const large = time(20000);
    // 10× the input: linear is ~10×, anything exponential would not finish; allow noise.
    expect(large).toBeLessThan(Math.max(small, 1) * 60);
  });
});

describe("regexp - any pattern", () => {
  const patternChar = fc.constantFrom(..."ab.*+?|()[]{}^$\\:=!<>P?iUsm,0123456789-_dwsbpLQEAz".split(""));
  it("regexp - any pattern gives a value or a typed error, never a crash or a hang", () => {
    fc.assert(
      fc.property(fc.array(patternChar, { maxLength: 24 }), fc.string({ maxLength: 40 }), (chars, input) => {
        const pattern = chars.join("");
        for (const call of [
          `re_match(${lit(pattern)})`,
          `re_find_all_submatch(${lit(pattern)})`,
          `re_find_all_object(${lit(pattern)})`,
          `re_replace_all(${lit(pattern)}, "[$1|\${0}|$$]")`,
        ]) {
          const c = testEnv.tryCompile(`\${! ${lit(input)}.${call} }`);
          if (!c.ok) {
            expect(InterpolationParseError.isInstance(c.error)).toBe(true);
            expect(c.error.code).toBe("INVALID_ARGUMENTS");
            expect(c.error.reason).toMatch(/^error parsing regexp: /);
            continue;
          }
          const r = c.value.tryString(msg());
          if (!r.ok) expect(InterpolationError.isInstance(r.error)).toBe(true);
          else expect(typeof r.value).toBe("string");
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe("regexp - methods", () => {
  it.each([
    ['"k=v;x=y".re_find_all_submatch("(\\\\w)=(\\\\w)?")', '[["k=v","k","v"],["x=y","x","y"]]'],
    ['"k=;x=y".re_find_all_submatch("(\\\\w)=(\\\\w)?")', '[["k=","k",""],["x=y","x","y"]]'],
    ['"none".re_find_all_submatch("\\\\d")', "[]"],
    ['"k=v x=y".re_find_object("(?P<key>\\\\w)=(\\\\w)")', '{"0":"k=v","2":"v","key":"k"}'],
    ['"none".re_find_object("(?P<key>\\\\w)=")', "{}"],
    [
      '"k=v x=y".re_find_all_object("(?P<key>\\\\w)=(?P<value>\\\\w)")',
      '[{"0":"k=v","key":"k","value":"v"},{"0":"x=y","key":"x","value":"y"}]',
    ],
    ['"none".re_find_all_object("x")', "[]"],
    ['"a1b2".bytes().re_replace_all("[0-9]", "#").type()', "string"],
    ['"k=v".bytes().re_find_object("(?P<key>\\\\w)=").key.type()', "bytes"],
    ['"k=v".bytes().re_find_all_object("(?P<key>\\\\w)=").index(0).key.type()', "bytes"],
    ['"abc".bytes().re_match("b")', "true"],
    ['"a1".bytes().re_find_all("[0-9]")', '["1"]'],
  ])("%s → %s", (query, want) => {
    expect(q(query)).toBe(want);
  });

  it("takes strings or bytes only", () => {
    expect(() => q('5.re_replace_all("a", "b")')).toThrow("expected string value, got number");
    expect(() => q('5.re_find_object("a")')).toThrow("expected string value, got number");
  });

  it("compiles a pattern once and caches it", () => {
    expect(compileRegexp("x+y")).toBe(compileRegexp("x+y"));
  });
});
