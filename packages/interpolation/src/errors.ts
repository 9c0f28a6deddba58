const MARKER = Symbol.for("natskit.interpolation.error");

/**
 * Base class of every error this package throws. Check with `InterpolationBaseError.isInstance(e)`
 * (or the subclass's `isInstance`) rather than `instanceof`, which fails when two copies of the
 * package are installed.
 */
export class InterpolationBaseError extends Error {
  readonly [MARKER] = true;
  /** Stable, machine-readable code; the message text may change between versions. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InterpolationBaseError";
    this.code = code;
  }

  static isInstance(e: unknown): e is InterpolationBaseError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Codes of {@link InterpolationParseError}. */
export type ParseErrorCode =
  /** A query was required but none starts here (`${!}`, `${! 'a' }`, `1 +`). */
  | "EXPECTED_QUERY"
  /** The query ended but `}` does not follow (`${! a b }`, `${! content()` at the end). */
  | "EXPECTED_END_OF_EXPRESSION"
  /** A string literal is not closed (`"abc`, `"""abc`). */
  | "UNTERMINATED_STRING"
  /** A `${{!` escape has no closing `}}`. */
  | "UNTERMINATED_ESCAPE"
  /** Any other syntax problem; the message lists what was expected. */
  | "SYNTAX"
  /** A function name that the environment does not know. */
  | "UNKNOWN_FUNCTION"
  /** A method name that the environment does not know. */
  | "UNKNOWN_METHOD"
  /** A reference function or method natskit does not run; the message says what it needs. */
  | "UNSUPPORTED"
  /** Wrong argument count, type or name, or a function/method constructor refused them. */
  | "INVALID_ARGUMENTS"
  /** A literal that cannot be represented (integer overflow, bad escape, non-string key). */
  | "INVALID_LITERAL"
  /** A constant expression failed when folded (`"a" + 1`, `1 / 0`) or a lambda is malformed. */
  | "INVALID_EXPRESSION"
  /** Brackets, arrays or method chains nested deeper than the parser allows. */
  | "NESTING_TOO_DEEP"
  /** A mapping line is not a supported assignment (`Environment.compileMapping`). */
  | "INVALID_MAPPING";

/**
 * An interpolated string could not be parsed. The message matches the reference engine's
 * (`char 22: required: expected end of expression`); `line` and `column` locate the problem and
 * {@link InterpolationParseError.render} draws it.
 */
export class InterpolationParseError extends InterpolationBaseError {
  override readonly code: ParseErrorCode;
  /** The full text given to `compile`. */
  readonly source: string;
  /** 1-based position in characters (code points) from the start of `source`: the reference's `char N`. */
  readonly char: number;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column (code points) within {@link InterpolationParseError.line}. */
  readonly column: number;
  /** The message without the position prefix (`required: expected end of expression`). */
  readonly reason: string;
  /** Up to five characters found at the problem, or `undefined` at the end of input. */
  readonly got: string | undefined;
  readonly #listsExpected: boolean;

  constructor(
    code: ParseErrorCode,
    init: {
      source: string;
      char: number;
      line: number;
      column: number;
      reason: string;
      got: string | undefined;
      /** Whether `reason` ends with an "expected …" list (changes how `detail` adds the input). */
      listsExpected?: boolean;
    },
    options?: { cause?: unknown },
  ) {
    super(code, `char ${init.char}: ${init.reason}`, options);
    this.name = "InterpolationParseError";
    this.code = code;
    this.source = init.source;
    this.char = init.char;
    this.line = init.line;
    this.column = init.column;
    this.reason = init.reason;
    this.got = init.got;
    this.#listsExpected = init.listsExpected ?? init.reason.includes("expected ");
  }

  /**
   * The reference's plain `Error()` text: `required: expected end of expression, got: bar` or
   * `…, but reached end of input`.
   */
  get detail(): string {
    if (this.#listsExpected) {
      return this.got === undefined
        ? `${this.reason}, but reached end of input`
        : `${this.reason}, got: ${this.got}`;
    }
    return this.got === undefined ? this.reason : `${this.reason}: ${this.got}`;
  }

  /**
   * The offending line with a caret under the column:
   *
   * ```text
   * line 1 char 22: required: expected end of expression
   *   |
   * 1 | static string ${!not a function} hello world
   *   |                      ^---
   * ```
   */
  render(): string {
    const lines = this.source.split("\n");
    const text = lines[this.line - 1] ?? "";
    const num = String(this.line);
    const padding = " ".repeat(num.length);
    const chars = [...text];
    const before = chars.slice(0, this.column - 1).map((c) => (c === "\t" ? "\t" : " "));
    return [
      `line ${this.line} char ${this.column}: ${this.reason}`,
      `${padding} |`,
      `${num} | ${text}`,
      `${padding} | ${before.join("")}^---`,
    ].join("\n");
  }

  static override isInstance(e: unknown): e is InterpolationParseError {
    return InterpolationBaseError.isInstance(e) && e.name === "InterpolationParseError";
  }
}

/** Codes of {@link InterpolationError}. */
export type EvaluationErrorCode =
  /** A value had the wrong type for a method, function or operator. */
  | "TYPE_MISMATCH"
  /** `this` / a bare field was used but the body is not a single JSON document. */
  | "NO_CONTEXT"
  /** `json()` (or `this`) could not parse the message body. */
  | "INVALID_BODY"
  /** `.not_null()` found null. */
  | "NULL_VALUE"
  /** `.not_empty()` found an empty string, array or object. */
  | "EMPTY_VALUE"
  /** `throw("why")`. */
  | "THROWN"
  /** Division or modulo by zero. */
  | "DIVIDE_BY_ZERO"
  /** An index outside an array or string. */
  | "OUT_OF_BOUNDS"
  /** An argument resolved at evaluation time was invalid (bad regex, unknown scheme, …). */
  | "INVALID_ARGUMENT"
  /** `$variable`: interpolations have no variables. */
  | "UNDEFINED_VARIABLE"
  /** Anything else (including errors thrown by plugin functions); see `cause`. */
  | "FAILED";

/**
 * Evaluating an interpolation against a message failed. As in the reference, the first failing
 * `${! }` fails the whole string. The message is the reference engine's error text.
 */
export class InterpolationError extends InterpolationBaseError {
  override readonly code: EvaluationErrorCode;
  /** The query text of the failing `${! … }`, without the delimiters. */
  readonly expression: string;
  /** 0-based index of the failing `${! }` among the string's interpolations. */
  readonly part: number;
  /** 1-based line of the failing `${!` in the source. */
  readonly line: number;
  /** 1-based column (code points) of the failing `${!` in the source. */
  readonly column: number;

  constructor(
    code: EvaluationErrorCode,
    message: string,
    init: { expression: string; part: number; line: number; column: number },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "InterpolationError";
    this.code = code;
    this.expression = init.expression;
    this.part = init.part;
    this.line = init.line;
    this.column = init.column;
  }

  static override isInstance(e: unknown): e is InterpolationError {
    return InterpolationBaseError.isInstance(e) && e.name === "InterpolationError";
  }
}

/** Codes of {@link EnvVarError}. */
export type EnvVarErrorCode =
  /** `${VAR|base64decode}`: the value is not valid base64. */
  | "BASE64_DECODE"
  /** `${VAR|x}` with an unknown filter. */
  | "UNKNOWN_FILTER";

/** Raw config text could not have its environment variables substituted. */
export class EnvVarError extends InterpolationBaseError {
  override readonly code: EnvVarErrorCode;
  /** The variable whose substitution failed. */
  readonly variable: string;

  constructor(code: EnvVarErrorCode, variable: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "EnvVarError";
    this.code = code;
    this.variable = variable;
  }

  static override isInstance(e: unknown): e is EnvVarError {
    return InterpolationBaseError.isInstance(e) && e.name === "EnvVarError";
  }
}
