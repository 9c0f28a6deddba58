import { InterpolationParseError } from "../errors.js";
import type { Node } from "../node.js";
import { fail, fatal, mustBe, ok, type Res } from "./combinators.js";
import { toParseError } from "./parse-error.js";
import { QueryParser } from "./query-parser.js";

/** A parsed piece of an interpolated string. */
export type Segment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "query"; readonly node: Node; readonly source: string; readonly start: number };

/** Parser of interpolated strings (`parser.ParseField`) over one source text. */
export class FieldParser extends QueryParser {
  /** Parses the whole text; throws {@link InterpolationParseError}. */
  parse(): Segment[] {
    try {
      return this.parseSegments();
    } catch (e) {
      if (e instanceof RangeError) {
        throw toParseError(this.s, fatal(0, "expression nested too deeply", "NESTING_TOO_DEEP"));
      }
      throw e;
    }
  }

  private parseSegments(): Segment[] {
    const s = this.s;
    const out: Segment[] = [];
    let text = "";
    let p = 0;
    while (p < s.length) {
      if (s.startsWith("${{!", p)) {
        const r = this.escapedBlock(p);
        if (!r.ok) throw toParseError(this.s, r.e);
        text += r.v;
        p = r.rem;
        continue;
      }
      if (s.startsWith("${!", p)) {
        const r = this.aFunction(p);
        if (!r.ok) throw toParseError(this.s, r.e);
        if (text !== "") out.push({ kind: "text", text });
        text = "";
        out.push({ kind: "query", node: r.v.node, source: r.v.source, start: p });
        p = r.rem;
        continue;
      }
      if (s[p] === "$") {
        text += "$";
        p++;
        continue;
      }
      const next = s.indexOf("$", p);
      const end = next < 0 ? s.length : next;
      text += s.slice(p, end);
      p = end;
    }
    if (text !== "") out.push({ kind: "text", text });
    return out;
  }

  private escapedBlock(p: number): Res<string> {
    const start = p + 4;
    const end = this.s.length - start < 2 ? -1 : this.s.indexOf("}}", start);
    if (end < 0) {
      return fail(
        { pos: start, expected: ["end of escaped expression"], err: "required", code: "UNTERMINATED_ESCAPE" },
        p,
      );
    }
    return ok("${!" + this.s.slice(start, end) + "}", end + 2);
  }

  private aFunction(p: number): Res<{ node: Node; source: string }> {
    let q = this.skipSpaces(p + 3);
    const qStart = q;
    const r = mustBe(this.query(q, { named: new Set(), depth: 0 }));
    if (!r.ok) return fail(r.e, p);
    const qEnd = r.rem;
    q = this.skipSpaces(r.rem);
    if (this.s[q] !== "}") {
      return fail(
        { pos: q, expected: ["end of expression"], err: "required", code: "EXPECTED_END_OF_EXPRESSION" },
        p,
      );
    }
    return ok({ node: r.v, source: this.s.slice(qStart, qEnd) }, q + 1);
  }
}
