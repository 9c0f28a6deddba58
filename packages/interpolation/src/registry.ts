import { Closure, type Ctx, type Node } from "./node.js";
import type { Args, ParamsSpec } from "./params.js";
import { errFrom, QueryError, toQueryError, WrapErr } from "./query-error.js";
import type { Value } from "./value.js";

/** Context a function constructor may use at parse time. */
export interface CtorContext {
  /** Reads an environment variable (for `env()`), as configured on the environment. */
  readonly getEnv: (name: string) => string | undefined;
  /** Reads a file (for `file()`); throws on failure. */
  readonly readFile: (path: string) => Uint8Array;
  /** Process-wide counters of `count()`, shared by everything compiled by one environment. */
  readonly counters: Map<string, bigint>;
}

/** A built-in or plugin function: parameters and a constructor run once per call site. */
export interface FunctionImpl {
  readonly name: string;
  readonly params: ParamsSpec;
  readonly impure?: boolean;
  /** Builds the query node; throw a {@link QueryError} to reject the arguments. */
  readonly ctor: (args: Args, ctx: CtorContext) => Node;
}

/** A built-in or plugin method. */
export interface MethodImpl {
  readonly name: string;
  readonly params: ParamsSpec;
  readonly ctor: (target: Node, args: Args, ctx: CtorContext) => Node;
}

/** Lookup of functions and methods by name (an environment). */
export interface Registry {
  fn(name: string): FunctionImpl | undefined;
  method(name: string): MethodImpl | undefined;
  readonly ctorContext: CtorContext;
}

/** `wrapCtorWithDynamicArgs`: constant arguments build once, dynamic ones per evaluation. */
export function instantiateFunction(impl: FunctionImpl, args: Args, ctx: CtorContext): Node {
  if (args.dynamic.length === 0) return impl.ctor(args, ctx);
  return new Closure(`function ${impl.name}`, (c: Ctx) => {
    let resolved: Args;
    try {
      resolved = args.resolve(c);
    } catch (e) {
      throw new WrapErr(`function '${impl.name}'`, toQueryError(e));
    }
    return impl.ctor(resolved, ctx).exec(c);
  });
}

export function instantiateMethod(impl: MethodImpl, target: Node, args: Args, ctx: CtorContext): Node {
  if (args.dynamic.length === 0) return impl.ctor(target, args, ctx);
  return new Closure(`method ${impl.name}`, (c: Ctx) => {
    let resolved: Args;
    try {
      resolved = args.resolve(c);
    } catch (e) {
      throw new WrapErr(`method '${impl.name}'`, toQueryError(e));
    }
    return impl.ctor(target, resolved, ctx).exec(c);
  });
}

/** A function that only needs the context (`registerSimpleFunction`). */
export function simpleFunction(name: string, fn: (ctx: Ctx) => Value, impure = false): FunctionImpl {
  return {
    name,
    params: { params: [] },
    impure,
    ctor: () => new Closure(`function ${name}`, fn),
  };
}

/**
 * `registerSimpleMethod`: evaluates the target, applies `fn`, and attributes errors to the
 * target (`expected string value, got number from field \`this.n\``).
 */
export function simpleMethod(
  name: string,
  params: ParamsSpec,
  make: (args: Args, cctx: CtorContext) => (v: Value, ctx: Ctx) => Value,
): MethodImpl {
  return {
    name,
    params,
    ctor: (target, args, cctx) => {
      const fn = make(args, cctx);
      return new Closure(`method ${name}`, (ctx) => {
        const v = target.exec(ctx);
        try {
          return fn(v, ctx);
        } catch (e) {
          if (e instanceof QueryError) throw errFrom(e, target.annotation);
          throw errFrom(toQueryError(e), target.annotation);
        }
      });
    },
  };
}

export const NO_PARAMS: ParamsSpec = { params: [] };
