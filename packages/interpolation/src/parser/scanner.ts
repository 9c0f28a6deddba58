import { goUnquote } from "../gofmt.js";
import { GoFloat, INT64_MAX, type Value } from "../value.js";
import { addErr, fail, fatal, isDigit, isSnakeChar, isWordChar, ok, perr, type Res } from "./combinators.js";

/**
 * The character-level primitives of the reference's combinators (`SpacesAndTabs`,
 * `QuotedString`, `Number`, `DelimitedPattern`, …) over one source text.
 */
export abstract class Scanner {
  protected readonly s: string;

  constructor(source: string) {
    this.s = source;
  }

  protected skipSpaces(p: number): number {
    const s = this.s;
    while (s[p] === " " || s[p] === "\t") p++;
    return p;
  }

  /** `DiscardedWhitespaceNewlineComments`: spaces, tabs, line breaks and `# comments\n`. */
  protected dwnc(p: number): number {
    const s = this.s;
    for (;;) {
      const c = s[p];
      if (c === " " || c === "\t" || c === "\n") p++;
      else if (c === "\r" && s[p + 1] === "\n") p += 2;
      else if (c === "#") {
        let q = p + 1;
        while (q < s.length && s[q] !== "\n") q++;
        // Comment must end with a line break (`\r\n` or `\n`).
        if (q >= s.length) return p;
        p = q + 1;
      } else return p;
    }
  }

  protected char(c: string, p: number): Res<string> {
    return this.s[p] === c ? ok(c, p + 1) : fail(perr(p, c), p);
  }

  protected term(t: string, p: number): Res<string> {
    return this.s.startsWith(t, p) ? ok(t, p + t.length) : fail(perr(p, t), p);
  }

  /** `SpacesAndTabs`: one or more. */
  protected spacesAndTabs(p: number): Res<string> {
    const q = this.skipSpaces(p);
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, "whitespace"), p);
  }

  protected word(p: number, expected: string): Res<string> {
    let q = p;
    while (isWordChar(this.s[q])) q++;
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, expected), p);
  }

  protected snakeCase(p: number, expected: string): Res<string> {
    let q = p;
    while (isSnakeChar(this.s[q])) q++;
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, expected), p);
  }

  protected quotedString(p: number): Res<string> {
    const s = this.s;
    if (s[p] !== '"') return fail(perr(p, "quoted string"), p);
    let escaped = false;
    for (let i = p + 1; i < s.length; i++) {
      const c = s[i];
      if (c === '"' && !escaped) {
        const v = goUnquote(s.slice(p, i + 1));
        if (v === undefined) {
          return fail(
            fatal(p, "failed to unescape quoted string contents: invalid syntax", "INVALID_LITERAL"),
            p,
          );
        }
        return ok(v, i + 1);
      }
      if (c === "\\") escaped = !escaped;
      else if (escaped) escaped = false;
    }
    return fail({ pos: s.length, expected: ["end quote"], err: "required", code: "UNTERMINATED_STRING" }, p);
  }

  protected tripleQuoteString(p: number): Res<string> {
    const s = this.s;
    if (s.length - p < 6 || !s.startsWith('"""', p)) return fail(perr(p, "quoted string"), p);
    const end = s.indexOf('"""', p + 3);
    if (end < 0) {
      return fail(
        { pos: s.length, expected: ["end triple-quote"], err: "required", code: "UNTERMINATED_STRING" },
        p,
      );
    }
    return ok(s.slice(p + 3, end), end + 3);
  }

  protected number(p: number): Res<Value> {
    const s = this.s;
    let q = p;
    let negative = false;
    if (s[q] === "-") {
      negative = true;
      q++;
    }
    const ds = q;
    while (isDigit(s[q])) q++;
    if (q === ds) return fail(perr(q, "number"), p);
    let text = s.slice(ds, q);
    if (s[q] === "." && isDigit(s[q + 1])) {
      const fs = q + 1;
      q = fs;
      while (isDigit(s[q])) q++;
      text += "." + s.slice(fs, q);
      const f = Number(text);
      if (!Number.isFinite(f)) {
        return fail(
          fatal(
            p,
            `failed to parse '${text}' as float: strconv.ParseFloat: parsing "${text}": value out of range`,
            "INVALID_LITERAL",
          ),
          p,
        );
      }
      return ok(new GoFloat(negative ? -f : f), q);
    }
    const i = BigInt(text);
    if (i > INT64_MAX) {
      return fail(
        fatal(
          p,
          `failed to parse '${text}' as integer: strconv.ParseInt: parsing "${text}": value out of range`,
          "INVALID_LITERAL",
        ),
        p,
      );
    }
    return ok(negative ? -i : i, q);
  }

  /** `DelimitedPattern`. */
  protected delimited<T>(
    p: number,
    start: (p: number) => Res<unknown>,
    primary: (p: number) => Res<T>,
    delim: (p: number) => Res<unknown>,
    stop: (p: number) => Res<unknown>,
  ): Res<T[]> {
    const st = start(p);
    if (!st.ok) return fail(st.e, p);
    let rem = st.rem;
    const results: T[] = [];
    let r = primary(rem);
    if (!r.ok) {
      const sp = stop(r.rem);
      if (sp.ok) return ok(results, sp.rem);
      return fail(r.e, p);
    }
    results.push(r.v);
    rem = r.rem;
    for (;;) {
      const d = delim(rem);
      if (!d.ok) {
        const sp = stop(d.rem);
        if (sp.ok) return ok(results, sp.rem);
        return fail(addErr(d.e, sp.e), p);
      }
      rem = d.rem;
      r = primary(rem);
      if (!r.ok) {
        const sp = stop(r.rem);
        if (sp.ok) return ok(results, sp.rem);
        return fail(r.e, p);
      }
      results.push(r.v);
      rem = r.rem;
    }
  }

  /** `Sequence(Discard(SpacesAndTabs), charComma, DiscardedWhitespaceNewlineComments)`. */
  protected comma(p: number): Res<string> {
    const q = this.skipSpaces(p);
    if (this.s[q] !== ",") return fail(perr(q, ","), p);
    return ok(",", this.dwnc(q + 1));
  }

  protected closing(c: string): (p: number) => Res<string> {
    return (p) => {
      const q = this.dwnc(p);
      if (this.s[q] !== c) return fail(perr(q, c), p);
      return ok(c, q + 1);
    };
  }

  protected opening(c: string, expected: string): (p: number) => Res<string> {
    return (p) => {
      if (this.s[p] !== c) return fail(perr(p, expected), p);
      return ok(c, this.dwnc(p + 1));
    };
  }

  protected newlineAllowComment(p: number): Res<string> {
    const s = this.s;
    let q = p;
    if (s[q] === "#") {
      while (q < s.length && s[q] !== "\n") q++;
      if (q >= s.length) return fail(perr(p, "line break"), p);
      return ok("\n", q + 1);
    }
    if (s[q] === "\r" && s[q + 1] === "\n") return ok("\n", q + 2);
    if (s[q] === "\n") return ok("\n", q + 1);
    return fail(perr(p, "line break"), p);
  }
}
