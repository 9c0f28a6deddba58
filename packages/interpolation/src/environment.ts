import { InterpolationBaseError, InterpolationParseError } from "./errors.js";
import { builtinFunctions } from "./functions/builtins.js";
import { CompiledInterpolation } from "./interpolation.js";
import { compileMapping as compileMappingImpl, type Mapping } from "./mapping.js";
import { builtinMethods } from "./methods/builtins.js";
import { batchSize, Closure, type Ctx, msgAt } from "./node.js";
import { readFileSync } from "./node-builtins.js";
import type { Args, ParamDef, ParamsSpec } from "./params.js";
import { FieldParser, type Segment } from "./parser/field-parser.js";
import { CompiledQuery, singleQuery } from "./query.js";
import { errFrom, toQueryError } from "./query-error.js";
import type { CtorContext, FunctionImpl, MethodImpl, Registry } from "./registry.js";
import type {
  CallContext,
  EnvironmentOptions,
  FunctionDefinition,
  Interpolation,
  MethodDefinition,
  PlainValue,
  PluginParam,
  Query,
  Result,
} from "./types.js";
import { fromHost, toPlainValue, type Value } from "./value.js";

const NAME = /^[a-z0-9]+(_[a-z0-9]+)*$/;

/** Query value → what plugins see. */
function toPlain(v: Value): PlainValue {
  return toPlainValue(v) as PlainValue;
}

function pluginParams(params: readonly PluginParam[] | undefined): ParamsSpec {
  return {
    params: (params ?? []).map((p): ParamDef => {
      const def: ParamDef = { name: p.name, type: p.type };
      if ("default" in p) return { ...def, default: fromHost(p.default) };
      if (p.optional) return { ...def, optional: true };
      return def;
    }),
  };
}

function pluginArgs(spec: ParamsSpec, args: Args): Record<string, PlainValue | undefined> {
  const out: Record<string, PlainValue | undefined> = {};
  spec.params.forEach((p, i) => {
    const v = args.values[i];
    out[p.name] = v === undefined ? undefined : toPlain(v as Value);
  });
  return out;
}

function callContext(ctx: Ctx): CallContext {
  return { message: msgAt(ctx), batchIndex: ctx.index, batchSize: batchSize(ctx) };
}

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new InterpolationBaseError(
      "INVALID_PLUGIN",
      `${kind} name '${name}' does not match the required regular expression /${NAME.source}/`,
    );
  }
}

/**
 * A set of functions and methods, and the compiler that uses them. Create one with
 * {@link createEnvironment}; nothing is registered globally, so plugins added to one environment
 * never leak into another.
 */
export class Environment {
  readonly #functions: Map<string, FunctionImpl>;
  readonly #methods: Map<string, MethodImpl>;
  readonly #options: EnvironmentOptions;
  readonly #registry: Registry;

  /** @internal Use {@link createEnvironment}. */
  constructor(
    options: EnvironmentOptions = {},
    functions?: Map<string, FunctionImpl>,
    methods?: Map<string, MethodImpl>,
  ) {
    this.#options = options;
    this.#functions = functions ?? new Map();
    this.#methods = methods ?? new Map();
    if (!functions && options.builtins !== false) {
      for (const f of builtinFunctions()) this.#functions.set(f.name, f);
    }
    if (!methods && options.builtins !== false) {
      for (const m of builtinMethods()) this.#methods.set(m.name, m);
    }
    const envOpt = options.env;
    const getEnv = typeof envOpt === "function" ? envOpt : (name: string) => (envOpt ?? process.env)[name];
    const fns = this.#functions;
    const mts = this.#methods;
    let dynamic: Registry | undefined;
    const ctorContext: CtorContext = {
      getEnv,
      readFile: options.readFile ?? ((path) => new Uint8Array(readFileSync(path))),
      counters: new Map(),
      parseDynamicQuery: (text) => {
        dynamic ??= {
          fn: (name) => {
            const f = fns.get(name);
            if (!f || f.impure || f.category === "Message Info" || f.category === "Environment")
              return undefined;
            return f;
          },
          method: (name) => mts.get(name),
          ctorContext,
        };
        try {
          return singleQuery(text, new FieldParser(`\${! ${text} }`, dynamic).parse());
        } catch (e) {
          if (InterpolationParseError.isInstance(e)) throw shiftParseError(e, text);
          throw e;
        }
      },
    };
    this.#registry = {
      fn: (name) => fns.get(name),
      method: (name) => mts.get(name),
      ctorContext,
    };
  }

  /**
   * Compiles an interpolated string. Throws {@link InterpolationParseError} when the text is not
   * valid (a broken `${!` is always an error, never literal text).
   *
   * @example
   * env.compile('${! json("user.name").uppercase() }').evaluate(msg)
   */
  compile(text: string): Interpolation {
    const segments = new FieldParser(text, this.#registry).parse();
    return new CompiledInterpolation(text, segments);
  }

  /**
   * Compiles a bare Bloblang query (what goes inside `${! }`), to evaluate with an optional
   * `this` value — e.g. for mappings such as `meta = @.merge(this)`. Throws
   * {@link InterpolationParseError}; positions count from the start of `text`.
   *
   * @example
   * env.compileQuery("@.merge(this)").evaluate(msg, { traceparent: "00-…" })
   */
  compileQuery(text: string): Query {
    let segments: Segment[];
    try {
      segments = new FieldParser(`\${! ${text} }`, this.#registry).parse();
    } catch (e) {
      if (InterpolationParseError.isInstance(e)) throw shiftParseError(e, text);
      throw e;
    }
    return new CompiledQuery(text.trim(), singleQuery(text, segments), toPlain);
  }

  /** Like {@link Environment.compileQuery} but returns a result instead of throwing. */
  tryCompileQuery(text: string): Result<Query, InterpolationParseError> {
    try {
      return { ok: true, value: this.compileQuery(text) };
    } catch (e) {
      if (InterpolationParseError.isInstance(e)) return { ok: false, error: e };
      throw e;
    }
  }

  /**
   * Compiles a mapping of plain assignments (`meta type = this.type`, `root.id = uuid_v4()`);
   * see {@link Mapping} for the supported forms. Returns a parse error naming the line.
   */
  compileMapping(text: string): Result<Mapping, InterpolationParseError> {
    return compileMappingImpl(text, this);
  }

  /** Like {@link Environment.compile} but returns a result instead of throwing. */
  tryCompile(text: string): Result<Interpolation, InterpolationParseError> {
    try {
      return { ok: true, value: this.compile(text) };
    } catch (e) {
      if (InterpolationParseError.isInstance(e)) return { ok: false, error: e };
      throw e;
    }
  }

  /**
   * Adds (or replaces) a function.
   *
   * @example
   * env.registerFunction("shout", {
   *   params: [{ name: "text", type: "string" }],
   *   create: ({ text }) => () => String(text).toUpperCase(),
   * });
   */
  registerFunction(name: string, def: FunctionDefinition): this {
    checkName("function", name);
    const spec = pluginParams(def.params);
    this.#functions.set(name, {
      name,
      params: spec,
      impure: true,
      ctor: (args) => {
        let fn: (ctx: CallContext) => PlainValue;
        try {
          fn = def.create(pluginArgs(spec, args));
        } catch (e) {
          throw toQueryError(e);
        }
        return new Closure(`function ${name}`, (ctx) => {
          try {
            return fromHost(fn(callContext(ctx)));
          } catch (e) {
            throw toQueryError(e);
          }
        });
      },
    });
    return this;
  }

  /** Adds (or replaces) a method. */
  registerMethod(name: string, def: MethodDefinition): this {
    checkName("method", name);
    const spec = pluginParams(def.params);
    this.#methods.set(name, {
      name,
      params: spec,
      ctor: (target, args) => {
        let fn: (value: PlainValue, ctx: CallContext) => PlainValue;
        try {
          fn = def.create(pluginArgs(spec, args));
        } catch (e) {
          throw toQueryError(e);
        }
        return new Closure(`method ${name}`, (ctx) => {
          const v = target.exec(ctx);
          try {
            return fromHost(fn(toPlain(v), callContext(ctx)));
          } catch (e) {
            throw errFrom(toQueryError(e), target.annotation);
          }
        });
      },
    });
    return this;
  }

  /** Whether a function is available. */
  hasFunction(name: string): boolean {
    return this.#functions.has(name);
  }

  /** Whether a method is available. */
  hasMethod(name: string): boolean {
    return this.#methods.has(name);
  }

  /** Names of the available functions, sorted. */
  functionNames(): string[] {
    return [...this.#functions.keys()].sort();
  }

  /** Names of the available methods, sorted. */
  methodNames(): string[] {
    return [...this.#methods.keys()].sort();
  }

  /** An independent copy; registering on it does not affect this environment. */
  clone(): Environment {
    return new Environment(this.#options, new Map(this.#functions), new Map(this.#methods));
  }

  /** A copy without the named functions (e.g. `"env"`, `"file"` for untrusted configs). */
  withoutFunctions(...names: string[]): Environment {
    const fns = new Map(this.#functions);
    for (const n of names) fns.delete(n);
    return new Environment(this.#options, fns, new Map(this.#methods));
  }

  /** A copy without the named methods. */
  withoutMethods(...names: string[]): Environment {
    const mts = new Map(this.#methods);
    for (const n of names) mts.delete(n);
    return new Environment(this.#options, new Map(this.#functions), mts);
  }
}

/**
 * Creates an environment with the built-in functions and methods (unless `builtins: false`).
 *
 * @example
 * const env = createEnvironment({ env: { REGION: "eu" } });
 * env.compile('${! env("REGION") }').evaluate(createMessage(""));
 */
export function createEnvironment(options: EnvironmentOptions = {}): Environment {
  return new Environment(options);
}

let shared: Environment | undefined;

/** A shared environment with the built-ins, created on first use. */
export function defaultEnvironment(): Environment {
  shared ??= new Environment();
  return shared;
}

/**
 * Compiles with {@link defaultEnvironment}. Throws {@link InterpolationParseError}.
 *
 * @example
 * compileInterpolation('foo.${! meta("kafka_topic") }').evaluate(msg)
 */
export function compileInterpolation(text: string): Interpolation {
  return defaultEnvironment().compile(text);
}

/** A parse error of `${! text }` re-expressed against `text` itself (the wrapper adds 4 chars). */
function shiftParseError(e: InterpolationParseError, text: string): InterpolationParseError {
  const char = Math.min(Math.max(1, e.char - 4), [...text].length + 1);
  const before = [...text].slice(0, char - 1).join("");
  const lines = before.split("\n");
  return new InterpolationParseError(
    e.code,
    {
      source: text,
      char,
      line: lines.length,
      column: [...(lines[lines.length - 1] as string)].length + 1,
      reason: e.reason,
      got: e.got,
    },
    { cause: e },
  );
}
