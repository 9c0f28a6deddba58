import { negate, newArithmetic, OP_TOKENS, type Op } from "../arith.js";
import {
  Closure,
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
} from "../node.js";
import { ArgError, populateArgs, type RawArg } from "../params.js";
import { QueryError } from "../query-error.js";
import { instantiateFunction, instantiateMethod, type Registry } from "../registry.js";
import { unsupportedReason } from "../unsupported.js";
import { DELETE, goTypeName, NOTHING, newObject, type Value, valuesEqual } from "../value.js";
import {
  addErr,
  expect,
  fail,
  fatal,
  isFatal,
  MAX_DEPTH,
  mustBe,
  ok,
  oneOf,
  type PCtx,
  type PErr,
  perr,
  type Res,
} from "./combinators.js";
import { ArrayLiteralNode, type Key, ObjectLiteralNode } from "./literals.js";
import { Scanner } from "./scanner.js";

/**
 * The query grammar used inside `${! }` (the reference's `query_*_parser.go`): terms, tails,
 * arithmetic, function and method calls, literals, `if`, `match` and lambdas.
 */
export class QueryParser extends Scanner {
  protected readonly memo = new Map<number | string, Res<Node>>();

  constructor(
    source: string,
    protected readonly reg: Registry,
  ) {
    super(source);
  }

  /**
   * `queryParser`: leading spaces/tabs, then an arithmetic expression of tailed terms. Results are
   * memoised per position: the reference parses some prefixes twice (a `match` subject is first
   * tried as a query), which nests into exponential time without it.
   */
  protected query(p: number, pctx: PCtx): Res<Node> {
    if (pctx.depth > MAX_DEPTH) return fail(fatal(p, "expression nested too deeply", "NESTING_TOO_DEEP"), p);
    const key = pctx.named.size === 0 ? p : `${p}|${[...pctx.named].join(",")}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const inner: PCtx = { named: pctx.named, depth: pctx.depth + 1 };
    const r = this.arithmetic(this.skipSpaces(p), inner);
    this.memo.set(key, r);
    return r;
  }

  protected operator(p: number): Res<Op> {
    const q = this.skipSpaces(p);
    for (const op of OP_TOKENS) {
      if (this.s.startsWith(op, q)) return ok(op, this.dwnc(q + op.length));
    }
    return fail(perr(q, ...OP_TOKENS), p);
  }

  protected arithmetic(p: number, pctx: PCtx): Res<Node> {
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
  protected withTails(p: number, pctx: PCtx): Res<Node> {
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

  protected term0(p: number, pctx: PCtx): Res<Node> {
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

  protected tail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    return oneOf<Node>(p, [
      (q) => this.mapTail(fn, q, pctx),
      (q) => this.methodTail(fn, q, pctx),
      (q) => this.fieldTail(fn, q),
    ]);
  }

  protected mapTail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    if (this.s[p] !== "(") return fail(perr(p, "method"), p);
    const r = this.query(this.dwnc(p + 1), pctx);
    if (!r.ok) return fail(r.e, p);
    const q = this.dwnc(r.rem);
    if (this.s[q] !== ")") return fail(perr(q, ")"), p);
    return ok(new MapNode(fn, r.v), q + 1);
  }

  protected methodTail(fn: Node, p: number, pctx: PCtx): Res<Node> {
    const name = this.snakeCase(p, "method");
    if (!name.ok) return fail(name.e, p);
    const args = this.functionArgs(name.rem, pctx);
    if (!args.ok) return fail(args.e, p);
    const impl = this.reg.method(name.v);
    if (!impl) return fail(unknown("method", name.v, args.rem), p);
    try {
      const parsed = populateArgs(impl.params, args.v);
      return ok(instantiateMethod(impl, fn, parsed, this.reg.ctorContext), args.rem);
    } catch (e) {
      return fail(this.ctorError(e, args.rem), p);
    }
  }

  protected fieldTail(fn: Node, p: number): Res<Node> {
    const w = this.word(p, "field path");
    if (w.ok) return ok(newGet(fn, w.v), w.rem);
    const qs = this.quotedString(p);
    if (!qs.ok) {
      if (isFatal(qs.e)) return fail(qs.e, p);
      return fail(perr(p, "field path"), p);
    }
    return ok(newGet(fn, qs.v.replaceAll("~", "~0").replaceAll(".", "~1")), qs.rem);
  }

  protected functionCall(p: number, pctx: PCtx): Res<Node> {
    const name = this.snakeCase(p, "function");
    if (!name.ok) return fail(name.e, p);
    const args = this.functionArgs(name.rem, pctx);
    if (!args.ok) return fail(args.e, p);
    const impl = this.reg.fn(name.v);
    if (!impl) return fail(unknown("function", name.v, args.rem), p);
    try {
      const parsed = populateArgs(impl.params, args.v);
      return ok(instantiateFunction(impl, parsed, this.reg.ctorContext), args.rem);
    } catch (e) {
      return fail(this.ctorError(e, args.rem), p);
    }
  }

  protected functionArgs(p: number, pctx: PCtx): Res<RawArg[]> {
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

  protected positionalArg(p: number, pctx: PCtx): Res<RawArg> {
    const r = this.query(p, pctx);
    if (!r.ok) return fail(r.e, p);
    return ok({ name: undefined, value: r.v }, r.rem);
  }

  protected namedArg(p: number, pctx: PCtx): Res<RawArg> {
    const name = this.snakeCase(p, "snake-case");
    if (!name.ok) return fail(name.e, p);
    if (this.s[name.rem] !== ":") return fail(perr(name.rem, ":"), p);
    const r = mustBe(expect(this.query(this.skipSpaces(name.rem + 1), pctx), "argument value"));
    if (!r.ok) return fail(r.e, p);
    return ok({ name: name.v, value: r.v }, r.rem);
  }

  protected ctorError(e: unknown, pos: number): PErr {
    if (e instanceof ArgError) return fatal(pos, e.message, "INVALID_ARGUMENTS");
    if (e instanceof QueryError) return fatal(pos, e.message, "INVALID_ARGUMENTS");
    throw e;
  }

  protected metaRef(p: number): Res<Node> {
    if (this.s[p] !== "@") return fail(perr(p, "metadata path"), p);
    const w = this.word(p + 1, "");
    if (w.ok) return ok(new MetaRefNode(w.v), w.rem);
    const qs = this.quotedString(p + 1);
    if (qs.ok) return ok(new MetaRefNode(qs.v), qs.rem);
    if (isFatal(qs.e)) return fail(qs.e, p);
    return ok(new MetaRefNode(""), p + 1);
  }

  protected varRef(p: number): Res<Node> {
    if (this.s[p] !== "$") return fail(perr(p, "variable path"), p);
    const w = this.word(p + 1, "variable path");
    if (!w.ok) return fail(perr(w.e.pos, "variable path"), p);
    return ok(new VarNode(w.v), w.rem);
  }

  protected fieldRoot(p: number, pctx: PCtx): Res<Node> {
    const w = this.word(p, "field path");
    if (!w.ok) return w as Res<never>;
    const path = w.v;
    if (path === "this") return ok(new FieldNode([]), w.rem);
    if (path === "root") return ok(new FieldNode([], "", true), w.rem);
    if (pctx.named.has(path)) return ok(new FieldNode([], path), w.rem);
    return ok(new FieldNode([path]), w.rem);
  }

  protected brackets(p: number, pctx: PCtx): Res<Node> {
    if (this.s[p] !== "(") return fail(perr(p, "function"), p);
    const r = this.query(this.dwnc(p + 1), pctx);
    if (!r.ok) return fail(r.e, p);
    const q = this.dwnc(r.rem);
    if (this.s[q] !== ")")
      return fail({ pos: q, expected: ["closing bracket"], err: "required", code: undefined }, p);
    return ok(r.v, q + 1);
  }

  protected lambda(p: number, pctx: PCtx): Res<Node> {
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

  protected ifExpr(p: number, pctx: PCtx): Res<Node> {
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

  protected matchExpr(p: number, pctx: PCtx): Res<Node> {
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

  protected matchCase(p: number, pctx: PCtx): Res<{ test: Node; value: Node }> {
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

  protected literal(p: number, pctx: PCtx): Res<Node> {
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

  protected arrayLiteral(p: number, pctx: PCtx): Res<Value | Node> {
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

  protected objectLiteral(p: number, pctx: PCtx): Res<Value | Node> {
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
}

/** `unrecognised method 'x'`, or why natskit does not run a reference method of that name. */
function unknown(kind: "function" | "method", name: string, pos: number): PErr {
  const reason = unsupportedReason(kind, name);
  if (reason !== undefined)
    return fatal(pos, `${kind} '${name}' is not supported in natskit: it needs ${reason}`, "UNSUPPORTED");
  return fatal(
    pos,
    `unrecognised ${kind} '${name}'`,
    kind === "method" ? "UNKNOWN_METHOD" : "UNKNOWN_FUNCTION",
  );
}
