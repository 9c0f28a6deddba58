import type { InterpolationError } from "./errors.js";
import type { Message, MessageBatch } from "./message.js";

/** Outcome of an operation that can fail with a typed error, without throwing. */
export type Result<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/**
 * A compiled interpolated string: parse once with `env.compile(text)`, evaluate per message.
 *
 * Evaluation follows the reference engine: parts are evaluated left to right and the first failing
 * `${! }` fails the whole string with an {@link InterpolationError}.
 *
 * @example
 * const subject = compileInterpolation('orders.${! meta("region") }');
 * subject.evaluate(createMessage("{}", { metadata: { region: "eu" } })); // "orders.eu"
 */
export interface Interpolation {
  /** The text that was compiled. */
  readonly source: string;
  /**
   * `true` when the result never depends on the message (no `${! }`, or only literals): evaluation
   * returns a precomputed string.
   */
  readonly isStatic: boolean;
  /** Number of `${! }` expressions (the reference's `NumDynamicExpressions`). */
  readonly dynamicCount: number;
  /**
   * The string for a message, throwing {@link InterpolationError} on failure. Byte values (from
   * `content()`, `.hash()`, …) are decoded as UTF-8; use {@link Interpolation.evaluateBytes} for
   * binary output. A message in a {@link MessageBatch} is evaluated against its batch.
   */
  evaluate(message: Message): string;
  /** The raw bytes for a message (byte values are copied verbatim), throwing on failure. */
  evaluateBytes(message: Message): Uint8Array;
  /** Like {@link Interpolation.evaluate} but returns a result instead of throwing. */
  tryString(message: Message): Result<string, InterpolationError>;
  /** Like {@link Interpolation.evaluateBytes} but returns a result instead of throwing. */
  tryBytes(message: Message): Result<Uint8Array, InterpolationError>;
  /**
   * Evaluates for the message at `index` of a batch (`MessageBatch.TryInterpolatedString`). An
   * index outside the batch selects an empty message.
   */
  evaluateAt(batch: MessageBatch, index: number): string;
}

/**
 * A compiled Bloblang query (the text inside `${! }`), from `Environment.compileQuery`.
 */
export interface Query {
  readonly source: string;
  /**
   * Evaluates against a message; `context` becomes `this` (otherwise `this` is the message's
   * JSON body). Throws {@link InterpolationError} when the query fails.
   */
  evaluate(message: Message, context?: PlainValue): PlainValue;
}

/** Argument types of plugin function and method parameters. */
export type PluginParamType = "string" | "int" | "float" | "bool" | "timestamp" | "array" | "object" | "any";

/** A parameter of a plugin function or method. */
export interface PluginParam {
  readonly name: string;
  readonly type: PluginParamType;
  /** Value used when the argument is omitted; makes the parameter optional. */
  readonly default?: PlainValue;
  /** Optional without default: the argument is `undefined` when omitted. */
  readonly optional?: boolean;
}

/**
 * Values as plugins see and return them. `int64` values arrive as `bigint`, other numbers as
 * `number`, timestamps as `Date`, bytes as `Uint8Array`. Returned `number`s print like JSON
 * numbers (`5`, `1.5`); return a `bigint` for exact 64-bit integers.
 */
export type PlainValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Date
  | readonly PlainValue[]
  | { readonly [key: string]: PlainValue };

/** What a plugin sees of the evaluation. */
export interface CallContext {
  /** The message at the current index (after `.from()`). */
  readonly message: Message;
  /** The current batch index. */
  readonly batchIndex: number;
  /** Size of the batch (1 for a lone message). */
  readonly batchSize: number;
}

/** A plugin function for {@link Environment.registerFunction}. */
export interface FunctionDefinition {
  /**
   * Parameters, positional in this order or named.
   * @default []
   */
  readonly params?: readonly PluginParam[];
  /**
   * Called once per call site with the arguments when they are constants (or per evaluation when
   * an argument is a query). Throw to reject the arguments: at compile time this becomes an
   * `INVALID_ARGUMENTS` parse error. The returned function runs per evaluation; what it throws
   * becomes an `InterpolationError` with code `FAILED`.
   */
  readonly create: (
    args: Readonly<Record<string, PlainValue | undefined>>,
  ) => (ctx: CallContext) => PlainValue;
}

/** A plugin method for {@link Environment.registerMethod}. */
export interface MethodDefinition {
  /** @default [] */
  readonly params?: readonly PluginParam[];
  /** As {@link FunctionDefinition.create}; the returned function receives the target value. */
  readonly create: (
    args: Readonly<Record<string, PlainValue | undefined>>,
  ) => (value: PlainValue, ctx: CallContext) => PlainValue;
}

/** Options of `createEnvironment`. */
export interface EnvironmentOptions {
  /**
   * Include the built-in functions and methods.
   * @default true
   */
  readonly builtins?: boolean;
  /**
   * Where `env()` reads variables.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>> | ((name: string) => string | undefined);
  /**
   * How `file()` / `file_rel()` read files (paths are used as given).
   * @default fs.readFileSync
   */
  readonly readFile?: (path: string) => Uint8Array;
}

/** Result of `substituteEnvVars`. */
export interface EnvSubstitution {
  /** The text with every `${VAR}` replaced (missing variables become `""`). */
  readonly text: string;
  /** Variables referenced without a default that were not set, in order of appearance (deduplicated). */
  readonly missing: readonly string[];
  /**
   * Maps an offset in `text` to the offset in the original text, for error positions: an offset
   * inside a substituted value maps to the `$` of its `${…}`.
   */
  originalOffset(offset: number): number;
  /**
   * The strings the variables put into `text` (after filters and newline escaping), e.g. to keep
   * them out of error messages that quote the text.
   */
  readonly inserted: readonly string[];
}
