import { goV } from "./gosprintf.js";
import { BodyError, Message, type MessageBatch } from "./message.js";
import { QueryError, typeErrorFrom, WrapErr } from "./query-error.js";
import { getKey, isObject, NOTHING, type TypeName, toText, typeOf, type Value } from "./value.js";

/** Marks "no explicit value": `this` is then the message body (Go's nil value pointer). */
export const LAZY: unique symbol = Symbol("lazy");
export type CtxValue = Value | typeof LAZY;

interface Named {
  readonly name: string;
  readonly value: Value;
  readonly next: Named | undefined;
}

/** Evaluation context (Go `query.FunctionContext`). Copied, never mutated. */
export interface Ctx {
  /** The batch, or `undefined` for a lone message (which answers every index). */
  readonly batch: MessageBatch | undefined;
  /** Current index; `.from(i)` changes it. */
  readonly index: number;
  /** The interpolation's own message: source of `this` and `@`. */
  readonly msg: Message;
  readonly value: CtxValue;
  readonly prev: CtxValue;
  readonly named: Named | undefined;
}

export function rootCtx(msg: Message, batch: MessageBatch | undefined, index: number): Ctx {
  return { batch, index, msg, value: LAZY, prev: LAZY, named: undefined };
}

let emptyMessage: Message | undefined;

/** The message at the context's index (an empty message when out of range). */
export function msgAt(ctx: Ctx): Message {
  const b = ctx.batch;
  if (b === undefined) return ctx.msg;
  const m = b.at(ctx.index);
  if (m !== undefined) return m;
  if (emptyMessage === undefined) emptyMessage = new Message();
  return emptyMessage;
}

export function batchSize(ctx: Ctx): number {
  return ctx.batch === undefined ? 1 : ctx.batch.length;
}

/** `this`, or `undefined` when there is no context (body is not a single JSON document). */
export function ctxValue(ctx: Ctx): Value | undefined {
  const v = ctx.value;
  if (v !== LAZY) return v;
  const b = ctx.msg.body();
  return b instanceof BodyError ? undefined : b;
}

export function withValue(ctx: Ctx, value: Value): Ctx {
  return { batch: ctx.batch, index: ctx.index, msg: ctx.msg, value, prev: ctx.value, named: ctx.named };
}

export function withIndex(ctx: Ctx, index: number): Ctx {
  return { batch: ctx.batch, index, msg: ctx.msg, value: ctx.value, prev: ctx.prev, named: ctx.named };
}

/** Pops the current value and names it (lambda `name -> query`). */
export function popAndName(ctx: Ctx, name: string): Ctx {
  const v = ctxValue(ctx);
  if (v === undefined)
    throw new WrapErr(
      `failed to capture context ${name}`,
      new QueryError("NO_CONTEXT", "context was undefined"),
    );
  const named = name === "_" ? ctx.named : { name, value: v, next: ctx.named };
  return { batch: ctx.batch, index: ctx.index, msg: ctx.msg, value: ctx.prev, prev: LAZY, named };
}

export function namedValue(ctx: Ctx, name: string): { found: boolean; value: Value } {
  let cur = ctx.named;
  while (cur) {
    if (cur.name === name) return { found: true, value: cur.value };
    cur = cur.next;
  }
  return { found: false, value: null };
}

// ---------------------------------------------------------------------------------------------

/** A compiled query. `exec` throws {@link QueryError} on failure. */
export abstract class Node {
  abstract exec(ctx: Ctx): Value;
  /** Names the query in error messages (`field \`this.a\``, `string literal`). */
  abstract get annotation(): string;
}

export class Literal extends Node {
  constructor(
    readonly value: Value,
    private readonly ann = "",
  ) {
    super();
  }
  exec(): Value {
    return this.value;
  }
  get annotation(): string {
    return this.ann !== "" ? this.ann : `${typeOf(this.value)} literal`;
  }
}

export class Closure extends Node {
  constructor(
    private readonly ann: string,
    readonly fn: (ctx: Ctx) => Value,
  ) {
    super();
  }
  exec(ctx: Ctx): Value {
    return this.fn(ctx);
  }
  get annotation(): string {
    return this.ann;
  }
}

/** Closure whose annotation is computed from another node only when an error needs it. */
export class LazyAnnotated extends Node {
  constructor(
    private readonly annOf: () => string,
    readonly fn: (ctx: Ctx) => Value,
  ) {
    super();
  }
  exec(ctx: Ctx): Value {
    return this.fn(ctx);
  }
  get annotation(): string {
    return this.annOf();
  }
}

// ---------------------------------------------------------------------------------------------
// paths (gabs semantics)

/** `gabs.DotPathToSlice`: split on `.`, then `~1` → `.` and `~0` → `~`. */
export function dotPathToSlice(path: string): string[] {
  return path.split(".").map((s) => s.replaceAll("~1", ".").replaceAll("~0", "~"));
}

export function sliceToDotPath(path: readonly string[]): string {
  return path.map((s) => s.replaceAll("~", "~0").replaceAll(".", "~1")).join(".");
}

const ATOI = /^[+-]?\d+$/;

/** `gabs.Search`: `undefined` when the path does not resolve, `*` fans out over arrays. */
export function searchPath(root: Value, path: readonly string[], from = 0): Value | undefined {
  let cur: Value = root;
  for (let i = from; i < path.length; i++) {
    const seg = path[i] as string;
    if (Array.isArray(cur)) {
      if (seg === "*") {
        if (i + 1 >= path.length) return cur.length === 0 ? undefined : cur;
        const out: Value[] = [];
        for (const e of cur) {
          const r = searchPath(e, path, i + 1);
          if (r !== undefined) out.push(r);
        }
        return out.length === 0 ? undefined : out;
      }
      if (!ATOI.test(seg)) return undefined;
      const idx = Number(seg);
      if (idx < 0 || idx >= cur.length || !Number.isSafeInteger(idx)) return undefined;
      cur = cur[idx] as Value;
    } else if (isObject(cur)) {
      const next = getKey(cur, seg);
      if (next === undefined) return undefined;
      cur = next;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Path lookup where "not found" is null (`gabs…S(path).Data()`). */
export function getPath(root: Value, path: readonly string[]): Value {
  if (path.length === 1 && isObject(root)) {
    const v = getKey(root, path[0] as string);
    return v === undefined ? null : v;
  }
  const v = searchPath(root, path);
  return v === undefined ? null : v;
}

/** `this`, `this.a.b`, bare `a.b`, a lambda's `x.a` or `root` (always an error here). */
export class FieldNode extends Node {
  constructor(
    readonly path: readonly string[],
    readonly namedContext = "",
    readonly fromRoot = false,
  ) {
    super();
  }

  expand(path: readonly string[]): FieldNode {
    return new FieldNode([...this.path, ...path], this.namedContext, this.fromRoot);
  }

  get annotation(): string {
    let p = this.fromRoot ? "root" : this.namedContext === "" ? "this" : this.namedContext;
    if (this.path.length > 0) p += "." + sliceToDotPath(this.path);
    return "field `" + p + "`";
  }

  exec(ctx: Ctx): Value {
    let target: Value;
    if (this.fromRoot) {
      throw new QueryError("NO_CONTEXT", "unable to reference `root` from this context");
    }
    if (this.namedContext === "") {
      const v = ctxValue(ctx);
      if (v === undefined) {
        throw new QueryError(
          "NO_CONTEXT",
          this.path.length > 0
            ? `context was undefined, unable to reference \`${sliceToDotPath(this.path)}\``
            : "context was undefined",
        );
      }
      target = v;
    } else {
      const nv = namedValue(ctx, this.namedContext);
      if (!nv.found) throw new QueryError("FAILED", `named context ${this.namedContext} was not found`);
      target = nv.value;
    }
    if (this.path.length === 0) return target;
    return getPath(target, this.path);
  }
}

/** `.a.b` after anything that is not a field: `json().a`, `meta_obj().x`. */
export class GetNode extends Node {
  constructor(
    readonly target: Node,
    readonly path: readonly string[],
  ) {
    super();
  }
  get annotation(): string {
    return "path `" + sliceToDotPath(this.path) + "`";
  }
  exec(ctx: Ctx): Value {
    return getPath(this.target.exec(ctx), this.path);
  }
}

/** `query.NewGetMethod`: merges consecutive paths like the reference does. */
export function newGet(target: Node, pathStr: string): Node {
  const path = dotPathToSlice(pathStr);
  if (target instanceof GetNode) return new GetNode(target.target, [...target.path, ...path]);
  if (target instanceof FieldNode) return target.expand(path);
  return new GetNode(target, path);
}

export class NamedContextNode extends Node {
  constructor(
    readonly name: string,
    readonly fn: Node,
  ) {
    super();
  }
  get annotation(): string {
    return this.fn.annotation;
  }
  exec(ctx: Ctx): Value {
    return this.fn.exec(popAndName(ctx, this.name));
  }
}

export class NotNode extends Node {
  constructor(readonly fn: Node) {
    super();
  }
  get annotation(): string {
    return "not " + this.fn.annotation;
  }
  exec(ctx: Ctx): Value {
    const v = this.fn.exec(ctx);
    if (typeof v !== "boolean") throw typeErrorFrom(this.fn.annotation, v, "bool");
    return !v;
  }
}

export class MapNode extends Node {
  constructor(
    readonly target: Node,
    readonly mapFn: Node,
  ) {
    super();
  }
  get annotation(): string {
    return this.mapFn.annotation;
  }
  exec(ctx: Ctx): Value {
    const res = this.target.exec(ctx);
    return this.mapFn.exec(withValue(ctx, res));
  }
}

/** `$name`: interpolations never have variables. */
export class VarNode extends Node {
  constructor(readonly name: string) {
    super();
  }
  get annotation(): string {
    return "variable " + this.name;
  }
  exec(): Value {
    throw new QueryError("UNDEFINED_VARIABLE", "variables were undefined");
  }
}

/** `@`, `@key`: typed metadata of the interpolation's own message. */
export class MetaRefNode extends Node {
  constructor(readonly key: string) {
    super();
  }
  get annotation(): string {
    return this.key === "" ? "meta object" : "meta field " + this.key;
  }
  exec(ctx: Ctx): Value {
    if (this.key === "") return metaObject(ctx.msg, false);
    const v = ctx.msg.metaRaw(this.key);
    return v === undefined ? null : v;
  }
}

export function metaObject(msg: Message, stringify: boolean): Value {
  const out: Record<string, Value> = Object.create(null);
  for (const [k, v] of msg.metaEntries()) out[k] = stringify ? metaString(v) : v;
  return out;
}

function metaString(v: Value): string {
  return typeof v === "string" ? v : toText(v);
}

// ---------------------------------------------------------------------------------------------
// if / match

function goValueV(v: Value): string {
  return goV(v);
}

export function goTypeForIf(v: Value): string {
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int64";
    case "number":
      return "json.Number";
    default:
      return typeOfGo(v);
  }
}

function typeOfGo(v: Value): string {
  const t: TypeName = typeOf(v);
  switch (t) {
    case "number":
      return "float64";
    case "bytes":
      return "[]uint8";
    case "array":
      return "[]interface {}";
    case "object":
      return "map[string]interface {}";
    case "timestamp":
      return "time.Time";
    default:
      return t;
  }
}

export class IfNode extends Node {
  constructor(
    readonly cond: Node,
    readonly then: Node,
    readonly elseIfs: readonly { cond: Node; body: Node }[],
    readonly otherwise: Node | undefined,
  ) {
    super();
  }
  get annotation(): string {
    return "if expression";
  }
  private check(cond: Node, ctx: Ctx, prefix: string): boolean {
    let v: Value;
    try {
      v = cond.exec(ctx);
    } catch (e) {
      if (e instanceof QueryError) throw new WrapErr(prefix, e);
      throw e;
    }
    if (typeof v === "boolean") return v;
    if (v === null) return false;
    throw new QueryError(
      "TYPE_MISMATCH",
      `${cond.annotation} resolved to a non-boolean value ${goValueV(v)} (${goTypeForIf(v)})`,
    );
  }
  exec(ctx: Ctx): Value {
    if (this.check(this.cond, ctx, "failed to check if condition")) return this.then.exec(ctx);
    for (let i = 0; i < this.elseIfs.length; i++) {
      const e = this.elseIfs[i] as { cond: Node; body: Node };
      if (this.check(e.cond, ctx, `failed to check if condition ${i + 1}`)) return e.body.exec(ctx);
    }
    if (this.otherwise) return this.otherwise.exec(ctx);
    return NOTHING;
  }
}

export class MatchNode extends Node {
  constructor(
    readonly subject: Node | undefined,
    readonly cases: readonly { test: Node; value: Node }[],
  ) {
    super();
  }
  get annotation(): string {
    return "match expression";
  }
  exec(ctx: Ctx): Value {
    let subject: Value;
    if (this.subject) subject = this.subject.exec(ctx);
    else subject = ctxValue(ctx) ?? null;
    const caseCtx = withValue(ctx, subject);
    for (let i = 0; i < this.cases.length; i++) {
      const c = this.cases[i] as { test: Node; value: Node };
      let matched: Value;
      try {
        matched = c.test.exec(caseCtx);
      } catch (e) {
        if (e instanceof QueryError) throw new WrapErr(`failed to check match case ${i}`, e);
        throw e;
      }
      if (matched === true) return c.value.exec(caseCtx);
    }
    return NOTHING;
  }
}
