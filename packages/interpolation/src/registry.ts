import { Closure, type Ctx, type Node } from "./node.js";
import type { Args, ParamsSpec } from "./params.js";
import { errFrom, type QueryError, toQueryError, typeError, WrapErr } from "./query-error.js";
import { getString, utf8Decode, utf8Encode, type Value } from "./value.js";

/** The reference's function categories (`query.FunctionCategory*`), for documentation tables. */
export type FunctionCategory =
  | "General"
  | "Message Info"
  | "Environment"
  | "Fake Data Generation"
  | "Deprecated"
  | "Plugin";

/** The reference's method categories (`query.MethodCategory*`); a method may sit in several. */
export type MethodCategory =
  | "General"
  | "String Manipulation"
  | "Number Manipulation"
  | "Timestamp Manipulation"
  | "Regular Expressions"
  | "Encoding and Encryption"
  | "Type Coercion"
  | "Parsing"
  | "Object & Array Manipulation"
  | "JSON Web Tokens"
  | "GeoIP"
  | "Deprecated"
  | "Plugin";

/** Context a function constructor may use at parse time. */
export interface CtorContext {
  /** Reads an environment variable (for `env()`), as configured on the environment. */
  readonly getEnv: (name: string) => string | undefined;
  /** Reads a file (for `file()`); throws on failure. */
  readonly readFile: (path: string) => Uint8Array;
  /** Process-wide counters of `count()`, shared by everything compiled by one environment. */
  readonly counters: Map<string, bigint>;
  /**
   * Parses a query for a dynamic mapping (the `bloblang` method): only pure functions that do
   * not read the message or the environment are available, as in the reference.
   */
  readonly parseDynamicQuery: (text: string) => Node;
}

/** A built-in or plugin function: parameters and a constructor run once per call site. */
export interface FunctionImpl {
  readonly name: string;
  readonly params: ParamsSpec;
  readonly impure?: boolean;
  /** Where the reference lists it; set by {@link functionsIn} for the built-ins. */
  readonly category?: FunctionCategory;
  /** Builds the query node; throw a {@link QueryError} to reject the arguments. */
  readonly ctor: (args: Args, ctx: CtorContext) => Node;
}

/** A built-in or plugin method. */
export interface MethodImpl {
  readonly name: string;
  readonly params: ParamsSpec;
  /** Where the reference lists it (first = main); set by {@link inCategory} for the built-ins. */
  readonly categories?: readonly MethodCategory[];
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

type MakeMethod = (args: Args, cctx: CtorContext) => (v: Value, ctx: Ctx) => Value;

/** Evaluates the target and applies `fn`; `onError` shapes what `fn` throws. */
function targetMethod(
  name: string,
  params: ParamsSpec,
  make: MakeMethod,
  onError: (e: QueryError, target: Node) => QueryError,
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
          throw onError(toQueryError(e), target);
        }
      });
    },
  };
}

/**
 * `registerSimpleMethod`: evaluates the target, applies `fn`, and attributes errors to the
 * target (`expected string value, got number from field \`this.n\``).
 */
export function simpleMethod(name: string, params: ParamsSpec, make: MakeMethod): MethodImpl {
  return targetMethod(name, params, make, (e, target) => errFrom(e, target.annotation));
}

/**
 * A Redpanda Connect plugin method (`RegisterMethodV2`): like {@link simpleMethod}, but errors
 * are not attributed to the target, as the reference's plugin wrapper returns them as they are
 * (`expected string value, got number (5)`, not `… from field \`this.n\``).
 */
export function pluginMethod(name: string, params: ParamsSpec, make: MakeMethod): MethodImpl {
  return targetMethod(name, params, make, (e) => e);
}

export const NO_PARAMS: ParamsSpec = { params: [] };

/** Tags a category file's functions with its category. */
export function functionsIn(category: FunctionCategory, fns: readonly FunctionImpl[]): FunctionImpl[] {
  return fns.map((f) => (f.category === undefined ? { ...f, category } : f));
}

/** Tags a category file's methods with its category, unless an entry names its own. */
export function inCategory(category: MethodCategory, methods: readonly MethodImpl[]): MethodImpl[] {
  return methods.map((m) => (m.categories === undefined ? { ...m, categories: [category] } : m));
}

/** A method the reference lists under several categories (`length` for strings and arrays). */
export function withCategories(categories: readonly MethodCategory[], method: MethodImpl): MethodImpl {
  return { ...method, categories };
}

/** A parameter list (`p([{ name: "value", type: "string" }])`). */
export const p = (params: ParamsSpec["params"]): ParamsSpec => ({ params });

/** Any number of nameless arguments (`append`, `format`, `without`). */
export const VARIADIC: ParamsSpec = { variadic: true, params: [] };

/** A method over strings where bytes in gives bytes out. */
export function textMethod(
  name: string,
  params: ParamsSpec,
  make: (args: Args) => (s: string) => string,
): MethodImpl {
  return simpleMethod(name, params, (args) => {
    const fn = make(args);
    return (v) => {
      if (typeof v === "string") return fn(v);
      if (v instanceof Uint8Array) return utf8Encode(fn(utf8Decode(v)));
      throw typeError(v, "string");
    };
  });
}

/** A method reading a string (or bytes, or timestamp) and returning anything. */
export function readStringMethod(
  name: string,
  params: ParamsSpec,
  make: (args: Args) => (s: string) => Value,
): MethodImpl {
  return simpleMethod(name, params, (args) => {
    const fn = make(args);
    return (v) => {
      const s = getString(v);
      if (s === undefined) throw typeError(v, "string");
      return fn(s);
    };
  });
}
