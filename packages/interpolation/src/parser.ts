import { negate, newArithmetic, OP_TOKENS, type Op } from "./arith.js";
import { InterpolationParseError, type ParseErrorCode } from "./errors.js";
import { goUnquote } from "./gofmt.js";
import {
  Closure,
  type Ctx,
  ctxValue,
  FieldNode,
  IfNode,
  Literal,
  MapNode,
  MatchNode,
  MetaRefNode,
  NamedContextNode,
  Node,
  NotNode,
  newGet,
  VarNode,
} from "./node.js";
import { ArgError, populateArgs, type RawArg } from "./params.js";
import { QueryError, WrapErr } from "./query-error.js";
import { instantiateFunction, instantiateMethod, type Registry } from "./registry.js";
import {
  DELETE,
  GoFloat,
  goTypeName,
  INT64_MAX,
  NOTHING,
  newObject,
  type Value,
  valuesEqual,
} from "./value.js";

// ---------------------------------------------------------------------------------------------
// results

interface PErr {
  /** UTF-16 index where the problem is. */
  readonly pos: number;
  readonly expected: readonly string[];
  /** Set for fatal errors ("required", or a constructor's message). */
  readonly err: string | undefined;
  readonly code: ParseErrorCode | undefined;
}

type Res<T> = { ok: true; v: T; rem: number } | { ok: false; e: PErr; rem: number };

function ok<T>(v: T, rem: number): Res<T> {
  return { ok: true, v, rem };
}

function fail<T>(e: PErr, rem: number): Res<T> {
  return { ok: false, e, rem };
}

function perr(pos: number, ...expected: string[]): PErr {
  return { pos, expected, err: undefined, code: undefined };
}

function fatal(pos: number, message: string, code: ParseErrorCode): PErr {
  return { pos, expected: [], err: message, code };
}

function isFatal(e: PErr): boolean {
  return e.err !== undefined;
}

/** `MustBe`: a non-fatal error becomes fatal ("required"). */
function mustBe<T>(r: Res<T>): Res<T> {
  if (r.ok || isFatal(r.e)) return r;
  return { ok: false, e: { ...r.e, err: "required" }, rem: r.rem };
}

/** `Expect`: a non-fatal error's expectations are replaced. */
function expect<T>(r: Res<T>, ...expected: string[]): Res<T> {
  if (r.ok || isFatal(r.e)) return r;
  return { ok: false, e: { ...r.e, expected }, rem: r.rem };
}

/** `OneOf`: first success or fatal error; otherwise the furthest error (merged when tied). */
function oneOf<T>(p: number, parsers: readonly ((p: number) => Res<T>)[]): Res<T> {
  let best: PErr | undefined;
  for (const parser of parsers) {
    const r = parser(p);
    if (r.ok || isFatal(r.e)) return r;
    if (best === undefined || best.pos < r.e.pos) best = r.e;
    else if (best.pos === r.e.pos) best = { ...best, expected: [...best.expected, ...r.e.expected] };
  }
  return fail(best as PErr, p);
}

/** `Error.Add`. */
function addErr(a: PErr, b: PErr): PErr {
  return {
    pos: a.pos,
    expected: [...a.expected, ...b.expected],
    err: a.err ?? b.err,
    code: a.code ?? b.code,
  };
}

const MAX_DEPTH = 200;

interface PCtx {
  readonly named: ReadonlySet<string>;
  readonly depth: number;
}

/** A parsed piece of an interpolated string. */
export type Segment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "query"; readonly node: Node; readonly source: string; readonly start: number };

function isWordChar(c: string | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_")
  );
}

function isSnakeChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c === "_");
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Array of literal values minus `deleted()` / `nothing()` (`NewArrayLiteral`). */
class ArrayLiteralNode extends Node {
  constructor(readonly items: readonly Node[]) {
    super();
  }
  get annotation(): string {
    return "array literal";
  }
  exec(ctx: Ctx): Value {
    const out: Value[] = [];
    for (const n of this.items) {
      const v = n.exec(ctx);
      if (v !== DELETE && v !== NOTHING) out.push(v);
    }
    return out;
  }
}

type Key = string | Node;

class ObjectLiteralNode extends Node {
  constructor(readonly entries: readonly [Key, Value | Node][]) {
    super();
  }
  get annotation(): string {
    return "object literal";
  }
  exec(ctx: Ctx): Value {
    const out = newObject();
    for (const [k, vn] of this.entries) {
      let key: string;
      if (typeof k === "string") key = k;
      else {
        let kv: Value;
        try {
          kv = k.exec(ctx);
        } catch (e) {
          if (e instanceof QueryError) throw new WrapErr("failed to resolve key", e);
          throw e;
        }
        if (typeof kv === "string") key = kv;
        else if (kv instanceof Uint8Array) key = new TextDecoder().decode(kv);
        else throw new QueryError("TYPE_MISMATCH", `mapping returned invalid key type: ${goTypeName(kv)}`);
      }
      let val: Value;
      if (vn instanceof Node) {
        try {
          val = vn.exec(ctx);
        } catch (e) {
          if (e instanceof QueryError) throw new WrapErr(`failed to resolve '${key}' value`, e);
          throw e;
        }
      } else val = vn;
      if (val !== DELETE && val !== NOTHING) out[key] = val;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

/** Parser of interpolated strings (`parser.ParseField`) over one source text. */
export class FieldParser {
  private readonly s: string;
  private readonly memo = new Map<number | string, Res<Node>>();

  constructor(
    source: string,
    private readonly reg: Registry,
  ) {
    this.s = source;
  }

  /** Parses the whole text; throws {@link InterpolationParseError}. */
  parse(): Segment[] {
    try {
      return this.parseSegments();
    } catch (e) {
      if (e instanceof RangeError) {
        throw this.toPublic(fatal(0, "expression nested too deeply", "NESTING_TOO_DEEP"));
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
        if (!r.ok) throw this.toPublic(r.e);
        text += r.v;
        p = r.rem;
        continue;
      }
      if (s.startsWith("${!", p)) {
        const r = this.aFunction(p);
        if (!r.ok) throw this.toPublic(r.e);
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

  // -------------------------------------------------------------------------------------------
  // primitives

  private skipSpaces(p: number): number {
    const s = this.s;
    while (s[p] === " " || s[p] === "\t") p++;
    return p;
  }

  /** `DiscardedWhitespaceNewlineComments`: spaces, tabs, line breaks and `# comments\n`. */
  private dwnc(p: number): number {
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

  private char(c: string, p: number): Res<string> {
    return this.s[p] === c ? ok(c, p + 1) : fail(perr(p, c), p);
  }

  private term(t: string, p: number): Res<string> {
    return this.s.startsWith(t, p) ? ok(t, p + t.length) : fail(perr(p, t), p);
  }

  /** `SpacesAndTabs`: one or more. */
  private spacesAndTabs(p: number): Res<string> {
    const q = this.skipSpaces(p);
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, "whitespace"), p);
  }

  private word(p: number, expected: string): Res<string> {
    let q = p;
    while (isWordChar(this.s[q])) q++;
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, expected), p);
  }

  private snakeCase(p: number, expected: string): Res<string> {
    let q = p;
    while (isSnakeChar(this.s[q])) q++;
    return q > p ? ok(this.s.slice(p, q), q) : fail(perr(p, expected), p);
  }

  private quotedString(p: number): Res<string> {
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

  private tripleQuoteString(p: number): Res<string> {
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

  private number(p: number): Res<Value> {
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
  private delimited<T>(
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
  private comma(p: number): Res<string> {
    const q = this.skipSpaces(p);
    if (this.s[q] !== ",") return fail(perr(q, ","), p);
    return ok(",", this.dwnc(q + 1));
  }

  private closing(c: string): (p: number) => Res<string> {
    return (p) => {
      const q = this.dwnc(p);
      if (this.s[q] !== c) return fail(perr(q, c), p);
      return ok(c, q + 1);
    };
  }

  private opening(c: string, expected: string): (p: number) => Res<string> {
    return (p) => {
      if (this.s[p] !== c) return fail(perr(p, expected), p);
      return ok(c, this.dwnc(p + 1));
    };
  }

  // -------------------------------------------------------------------------------------------
  // queries

  /**
   * `queryParser`: leading spaces/tabs, then an arithmetic expression of tailed terms. Results are
   * memoised per position: the reference parses some prefixes twice (a `match` subject is first
   * tried as a query), which nests into exponential time without it.
   */
  private query(p: number, pctx: PCtx): Res<Node> {
    if (pctx.depth > MAX_DEPTH) return fail(fatal(p, "expression nested too deeply", "NESTING_TOO_DEEP"), p);
    const key = pctx.named.size === 0 ? p : `${p}|${[...pctx.named].join(",")}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const inner: PCtx = { named: pctx.named, depth: pctx.depth + 1 };
    const r = this.arithmetic(this.skipSpaces(p), inner);
    this.memo.set(key, r);
    return r;
  }

  private operator(p: number): Res<Op> {
    const q = this.skipSpaces(p);
    for (const op of OP_TOKENS) {
      if (this.s.startsWith(op, q)) return ok(op, this.dwnc(q + op.length));
    }
    return fail(perr(q, ...OP_TOKENS), p);
  }

  private arithmetic(p: number, pctx: PCtx): Res<Node> {
    const fns: Node[] = [];
    const ops: Op[] = [];
    const primary = (q: number): Res<Node> => {
      let r0 = q;
      let minus = false;
      if (this.s[q] === "-") {
        minus = true;
        r0 = this.dwnc(q + 1);
      }
      const r = this.withTails(r0, pctx);
      if (!r.ok) return fail(r.e, q);
      if (!minus) return r;
      try {
        return ok(negate(r.v), r.rem);
      } catch (e) {
        if (e instanceof QueryError) return fail(fatal(p, e.message, "INVALID_EXPRESSION"), q);
        throw e;
      }
    };
    let r = primary(p);
    if (!r.ok) return fail(r.e, p);
    fns.push(r.v);
    let rem = r.rem;
    for (;;) {
      const d = this.operator(rem);
      if (!d.ok) break;
      r = primary(d.rem);
      if (!r.ok) return fail(r.e, p);
      ops.push(d.v);
      fns.push(r.v);
      rem = r.rem;
    }
    try {
      return ok(newArithmetic(fns, ops), rem);
    } catch (e) {
      if (e instanceof QueryError) return fail(fatal(p, e.message, "INVALID_EXPRESSION"), p);
      throw e;
    }
  }

  /** `parseWithTails`: optional `!`, a term, then `.field`, `.method(...)` or `.(query)` tails. */
  private withTails(p: number, pctx: PCtx): Res<Node> {
    let q = p;
    let not = false;
    if (this.s[q] === "!") {
      not = true;
      q = this.skipSpaces(q + 1);
    }
    const r = expect(this.term0(q, pctx), "query");
    if (!r.ok) return fail(r.e, p);
    let fn = r.v;
    let rem = r.rem;
    while (this.s[rem] === ".") {
      const t = mustBe(this.tail(fn, this.dwnc(rem + 1), pctx));
      if (!t.ok) return fail(t.e, p);
      fn = t.v;
      rem = t.rem;
    }
    return ok(not ? new NotNode(fn) : fn, rem);
  }

  private term0(p: number, pctx: PCtx): Res<Node> {
    return oneOf<Node>(p, [
      (q) => this.matchExpr(q, pctx),
      (q) => this.ifExpr(q, pctx),
      (q) => this.lambda(q, pctx),
      (q) => this.brackets(q, pctx),
      (q) => this.literal(q, pctx),
      (q) => this.functionCall(q, pctx),
      (q) => this.metaRef(q),
      (q) => this.varRef(q),
      (q) => this.fieldRoot(q, pctx),
    ]);
  }

  private tail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    return oneOf<Node>(p, [
      (q) => this.mapTail(fn, q, pctx),
      (q) => this.methodTail(fn, q, pctx),
      (q) => this.fieldTail(fn, q),
    ]);
  }

  private mapTail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    if (this.s[p] !== "(") return fail(perr(p, "method"), p);
    const r = this.query(this.dwnc(p + 1), pctx);
    if (!r.ok) return fail(r.e, p);
    const q = this.dwnc(r.rem);
    if (this.s[q] !== ")") return fail(perr(q, ")"), p);
    return ok(new MapNode(fn, r.v), q + 1);
  }

  private methodTail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    const name = this.snakeCase(p, "method");
    if (!name.ok) return fail(name.e, p);
    const args = this.functionArgs(name.rem, pctx);
    if (!args.ok) return fail(args.e, p);
    const impl = this.reg.method(name.v);
    if (!impl) return fail(fatal(args.rem, `unrecognised method '${name.v}'`, "UNKNOWN_METHOD"), p);
    try {
      const parsed = populateArgs(impl.params, args.v);
      return ok(instantiateMethod(impl, fn, parsed, this.reg.ctorContext), args.rem);
    } catch (e) {
      return fail(this.ctorError(e, args.rem), p);
    }
  }

  private fieldTail(fn: Node, p: number): Res<Node> {
    const w = this.word(p, "field path");
    if (w.ok) return ok(newGet(fn, w.v), w.rem);
    const qs = this.quotedString(p);
    if (!qs.ok) {
      if (isFatal(qs.e)) return fail(qs.e, p);
      return fail(perr(p, "field path"), p);
    }
    return ok(newGet(fn, qs.v.replaceAll("~", "~0").replaceAll(".", "~1")), qs.rem);
  }

  private ctorError(e: unknown, pos: number): PErr {
    if (e instanceof ArgError) return fatal(pos, e.message, "INVALID_ARGUMENTS");
    if (e instanceof QueryError) return fatal(pos, e.message, "INVALID_ARGUMENTS");
    throw e;
  }

  private functionArgs(p: number, pctx: PCtx): Res<RawArg[]> {
    const argument = (q: number): Res<RawArg> =>
      mustBe(
        expect(
          oneOf<RawArg>(q, [(x) => this.namedArg(x, pctx), (x) => this.positionalArg(x, pctx)]),
          "function argument",
        ),
      );
    return this.delimited<RawArg>(
      p,
      this.opening("(", "function arguments"),
      argument,
      (q) => mustBe(expect(this.comma(q), "comma")),
      (q) => mustBe(expect(this.closing(")")(q), "closing bracket")),
    );
  }

  private positionalArg(p: number, pctx: PCtx): Res<RawArg> {
    const r = this.query(p, pctx);
    if (!r.ok) return fail(r.e, p);
    return ok({ name: undefined, value: r.v }, r.rem);
  }

  private namedArg(p: number, pctx: PCtx): Res<RawArg> {
    const name = this.snakeCase(p, "snake-case");
    if (!name.ok) return fail(name.e, p);
    if (this.s[name.rem] !== ":") return fail(perr(name.rem, ":"), p);
    const r = mustBe(expect(this.query(this.skipSpaces(name.rem + 1), pctx), "argument value"));
    if (!r.ok) return fail(r.e, p);
    return ok({ name: name.v, value: r.v }, r.rem);
  }

  private functionCall(p: number, pctx: PCtx): Res<Node> {
    const name = this.snakeCase(p, "function");
    if (!name.ok) return fail(name.e, p);
    const args = this.functionArgs(name.rem, pctx);
    if (!args.ok) return fail(args.e, p);
    const impl = this.reg.fn(name.v);
    if (!impl) return fail(fatal(args.rem, `unrecognised function '${name.v}'`, "UNKNOWN_FUNCTION"), p);
    try {
      const parsed = populateArgs(impl.params, args.v);
      return ok(instantiateFunction(impl, parsed, this.reg.ctorContext), args.rem);
    } catch (e) {
      return fail(this.ctorError(e, args.rem), p);
    }
  }

  private metaRef(p: number): Res<Node> {
    if (this.s[p] !== "@") return fail(perr(p, "metadata path"), p);
    const w = this.word(p + 1, "");
    if (w.ok) return ok(new MetaRefNode(w.v), w.rem);
    const qs = this.quotedString(p + 1);
    if (qs.ok) return ok(new MetaRefNode(qs.v), qs.rem);
    if (isFatal(qs.e)) return fail(qs.e, p);
    return ok(new MetaRefNode(""), p + 1);
  }

  private varRef(p: number): Res<Node> {
    if (this.s[p] !== "$") return fail(perr(p, "variable path"), p);
    const w = this.word(p + 1, "variable path");
    if (!w.ok) return fail(perr(w.e.pos, "variable path"), p);
    return ok(new VarNode(w.v), w.rem);
  }

  private fieldRoot(p: number, pctx: PCtx): Res<Node> {
    const w = this.word(p, "field path");
    if (!w.ok) return w as Res<never>;
    const path = w.v;
    if (path === "this") return ok(new FieldNode([]), w.rem);
    if (path === "root") return ok(new FieldNode([], "", true), w.rem);
    if (pctx.named.has(path)) return ok(new FieldNode([], path), w.rem);
    return ok(new FieldNode([path]), w.rem);
  }

  private brackets(p: number, pctx: PCtx): Res<Node> {
    if (this.s[p] !== "(") return fail(perr(p, "function"), p);
    const r = this.query(this.dwnc(p + 1), pctx);
    if (!r.ok) return fail(r.e, p);
    const q = this.dwnc(r.rem);
    if (this.s[q] !== ")")
      return fail({ pos: q, expected: ["closing bracket"], err: "required", code: undefined }, p);
    return ok(r.v, q + 1);
  }

  private lambda(p: number, pctx: PCtx): Res<Node> {
    const name = this.word(p, "context name");
    if (!name.ok) return fail(perr(name.e.pos, "function"), p);
    const s1 = this.spacesAndTabs(name.rem);
    if (!s1.ok) return fail(perr(s1.e.pos, "function"), p);
    if (!this.s.startsWith("->", s1.rem)) return fail(perr(s1.rem, "function"), p);
    const s2 = this.spacesAndTabs(s1.rem + 2);
    if (!s2.ok) return fail(perr(s2.e.pos, "function"), p);
    let inner = pctx;
    if (name.v !== "_") {
      if (pctx.named.has(name.v)) {
        return fail(
          fatal(p, `context label \`${name.v}\` would shadow a parent context`, "INVALID_EXPRESSION"),
          p,
        );
      }
      if (name.v === "root" || name.v === "this") {
        return fail(fatal(p, `context label \`${name.v}\` is not allowed`, "INVALID_EXPRESSION"), p);
      }
      inner = { named: new Set([...pctx.named, name.v]), depth: pctx.depth };
    }
    const q = mustBe(this.query(s2.rem, inner));
    if (!q.ok) return q;
    if (q.v instanceof NamedContextNode) {
      return fail(
        fatal(
          p,
          `it would be in poor taste to capture the same context under both '${name.v}' and '${q.v.name}'`,
          "INVALID_EXPRESSION",
        ),
        p,
      );
    }
    return ok(new NamedContextNode(name.v, q.v), q.rem);
  }

  private ifExpr(p: number, pctx: PCtx): Res<Node> {
    const t = this.term("if", p);
    if (!t.ok) return fail(t.e, p);
    const sp = this.spacesAndTabs(t.rem);
    if (!sp.ok) return fail(sp.e, p);
    const block = (q0: number): Res<{ cond: Node; body: Node }> => {
      const cond = mustBe(this.query(q0, pctx));
      if (!cond.ok) return cond as Res<never>;
      let q = this.dwnc(cond.rem);
      const open = mustBe(this.char("{", q));
      if (!open.ok) return open as Res<never>;
      q = this.dwnc(open.rem);
      const then = mustBe(this.query(q, pctx));
      if (!then.ok) return then as Res<never>;
      q = this.dwnc(then.rem);
      const close = mustBe(this.char("}", q));
      if (!close.ok) return close as Res<never>;
      return ok({ cond: cond.v, body: then.v }, close.rem);
    };
    const first = block(sp.rem);
    if (!first.ok) return fail(first.e, p);
    let rem = first.rem;
    const elseIfs: { cond: Node; body: Node }[] = [];
    for (;;) {
      const q = this.dwnc(rem);
      if (!this.s.startsWith("else if", q)) break;
      const sp2 = this.spacesAndTabs(q + 7);
      if (!sp2.ok) break;
      const b = block(sp2.rem);
      if (!b.ok) {
        if (isFatal(b.e)) return fail(b.e, p);
        break;
      }
      elseIfs.push(b.v);
      rem = b.rem;
    }
    let otherwise: Node | undefined;
    {
      let q = this.dwnc(rem);
      if (this.s.startsWith("else", q)) {
        q = this.dwnc(q + 4);
        const open = mustBe(this.char("{", q));
        if (!open.ok) return fail(open.e, p);
        q = this.dwnc(open.rem);
        const body = mustBe(this.query(q, pctx));
        if (!body.ok) return fail(body.e, p);
        q = this.dwnc(body.rem);
        const close = mustBe(this.char("}", q));
        if (!close.ok) return fail(close.e, p);
        otherwise = body.v;
        rem = close.rem;
      }
    }
    return ok(new IfNode(first.v.cond, first.v.body, elseIfs, otherwise), rem);
  }

  private matchExpr(p: number, pctx: PCtx): Res<Node> {
    const t = this.term("match", p);
    if (!t.ok) return fail(t.e, p);
    const sp = this.spacesAndTabs(t.rem);
    if (!sp.ok) return fail(sp.e, p);
    let subject: Node | undefined;
    let q = sp.rem;
    const sub = this.query(q, pctx);
    if (sub.ok) {
      subject = sub.v;
      q = sub.rem;
    } else if (isFatal(sub.e)) return fail(sub.e, p);
    q = this.dwnc(q);
    const cases = mustBe(
      this.delimited<{ test: Node; value: Node }>(
        q,
        this.opening("{", "{"),
        (x) => this.matchCase(x, pctx),
        (x) => {
          const y = this.skipSpaces(x);
          if (this.s[y] === ",") return ok(",", this.dwnc(y + 1));
          const nl = this.newlineAllowComment(y);
          if (nl.ok) return ok("\n", this.dwnc(nl.rem));
          return fail(addErr(perr(y, ","), nl.e), x);
        },
        this.closing("}"),
      ),
    );
    if (!cases.ok) return fail(cases.e, p);
    return ok(new MatchNode(subject, cases.v), cases.rem);
  }

  private newlineAllowComment(p: number): Res<string> {
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

  private matchCase(p: number, pctx: PCtx): Res<{ test: Node; value: Node }> {
    const head = oneOf<Node | null>(p, [
      (q) => {
        if (this.s[q] !== "_") return fail(perr(q, "match case"), q);
        const r = this.skipSpaces(q + 1);
        if (!this.s.startsWith("=>", r)) return fail(perr(r, "=>"), q);
        return ok(null, r + 2);
      },
      (q) => {
        const c = expect(this.query(q, pctx), "match case");
        if (!c.ok) return fail(c.e, q);
        const r = this.skipSpaces(c.rem);
        if (!this.s.startsWith("=>", r)) return fail(perr(r, "=>"), q);
        return ok(c.v, r + 2);
      },
    ]);
    if (!head.ok) return fail(head.e, p);
    const value = this.query(this.skipSpaces(head.rem), pctx);
    if (!value.ok) return fail(value.e, p);
    let test: Node;
    if (head.v === null) test = new Literal(true);
    else if (head.v instanceof Literal) {
      const lit = head.v.value;
      test = new Closure("case statement", (ctx) => {
        const v = ctxValue(ctx);
        if (v === undefined) return false;
        return valuesEqual(v, lit);
      });
    } else test = head.v;
    return ok({ test, value: value.v }, value.rem);
  }

  private literal(p: number, pctx: PCtx): Res<Node> {
    const r = oneOf<Value | Node>(p, [
      (q) => {
        if (this.s.startsWith("true", q)) return ok(true, q + 4);
        if (this.s.startsWith("false", q)) return ok(false, q + 5);
        return fail(perr(q, "boolean"), q);
      },
      (q) => this.number(q),
      (q) => this.tripleQuoteString(q),
      (q) => this.quotedString(q),
      (q) => (this.term("null", q).ok ? ok(null, q + 4) : fail(perr(q, "null"), q)),
      (q) => this.arrayLiteral(q, pctx),
      (q) => this.objectLiteral(q, pctx),
    ]);
    if (!r.ok) return fail(r.e, r.rem);
    if (r.v instanceof Node) return ok(r.v, r.rem);
    return ok(new Literal(r.v), r.rem);
  }

  private arrayLiteral(p: number, pctx: PCtx): Res<Value | Node> {
    const r = this.delimited<Node>(
      p,
      this.opening("[", "array"),
      (q) => expect(this.query(q, pctx), "object"),
      (q) => this.comma(q),
      this.closing("]"),
    );
    if (!r.ok) return fail(r.e, p);
    if (r.v.every((n) => n instanceof Literal)) {
      const values = (r.v as Literal[]).map((n) => n.value).filter((v) => v !== DELETE && v !== NOTHING);
      return ok(values, r.rem);
    }
    return ok(new ArrayLiteralNode(r.v), r.rem);
  }

  private objectLiteral(p: number, pctx: PCtx): Res<Value | Node> {
    const entry = (q: number): Res<[Key, Node]> => {
      const key = oneOf<Key>(q, [(x) => this.quotedString(x), (x) => expect(this.query(x, pctx), "object")]);
      if (!key.ok) return fail(key.e, q);
      const c = this.skipSpaces(key.rem);
      if (this.s[c] !== ":") return fail(perr(c, ":"), q);
      const v = expect(this.query(this.dwnc(c + 1), pctx), "object");
      if (!v.ok) return fail(v.e, q);
      return ok([key.v, v.v], v.rem);
    };
    const r = this.delimited<[Key, Node]>(
      p,
      this.opening("{", "object"),
      entry,
      (q) => this.comma(q),
      this.closing("}"),
    );
    if (!r.ok) return fail(r.e, p);
    // NewMapLiteral
    let dynamic = false;
    const entries: [Key, Value | Node][] = [];
    const stat = newObject();
    for (const [k0, vn] of r.v) {
      let k: Key = k0;
      if (k instanceof Literal) {
        if (typeof k.value !== "string") {
          return fail(
            fatal(p, `object keys must be strings, received: ${goTypeName(k.value)}`, "INVALID_LITERAL"),
            p,
          );
        }
        k = k.value;
      } else if (k instanceof Node) dynamic = true;
      let v: Value | Node = vn;
      if (vn instanceof Literal) {
        v = vn.value;
        if (!dynamic && v !== DELETE && v !== NOTHING) stat[k as string] = v;
      } else dynamic = true;
      entries.push([k, v]);
    }
    if (dynamic) return ok(new ObjectLiteralNode(entries), r.rem);
    return ok(stat, r.rem);
  }

  // -------------------------------------------------------------------------------------------
  // errors

  private toPublic(e: PErr): InterpolationParseError {
    const src = this.s;
    const before = src.slice(0, e.pos);
    const char = [...before].length + 1;
    const lines = before.split("\n");
    const line = lines.length;
    const column = [...(lines[lines.length - 1] as string)].length + 1;
    const rest = [...src.slice(e.pos)];
    const got = rest.length === 0 ? undefined : rest.slice(0, 5).join("");
    let msg = e.err ?? "";
    const expected = [...new Set(e.expected)];
    if (expected.length === 0) {
      if (msg === "")
        msg = got === undefined ? "encountered unexpected end of input" : "encountered unexpected input";
    } else {
      if (msg !== "") msg += ": ";
      if (expected.length === 1) msg += `expected ${expected[0]}`;
      else {
        msg += "expected ";
        expected.forEach((x, i) => {
          if (i === expected.length - 1) msg += `${expected.length > 2 ? "," : ""} or `;
          else if (i > 0) msg += ", ";
          msg += x;
        });
      }
    }
    let code = e.code;
    if (code === undefined) {
      if (expected.includes("end of expression")) code = "EXPECTED_END_OF_EXPRESSION";
      else if (expected.length === 1 && expected[0] === "query") code = "EXPECTED_QUERY";
      else code = "SYNTAX";
    }
    return new InterpolationParseError(code, {
      source: src,
      char,
      line,
      column,
      reason: msg,
      got,
      listsExpected: expected.length > 0,
    });
  }
}
