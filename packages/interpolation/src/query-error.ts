import type { EvaluationErrorCode } from "./errors.js";
import { formatGoFloat } from "./gofmt.js";
import { GoFloat, JsonNumber, type TypeName, typeOf, type Value } from "./value.js";

/**
 * An evaluation failure inside a query. Deliberately not an `Error`: no stack is captured, so
 * throwing one in a `|` / `.catch()` fallback path stays cheap. It becomes a public
 * `InterpolationError` at the edge.
 */
export class QueryError {
  constructor(
    readonly code: EvaluationErrorCode,
    private readonly text: string,
    readonly cause?: unknown,
  ) {}

  get message(): string {
    return this.text;
  }

  /** The wrapped error, for `errors.As`-style walks. */
  get inner(): QueryError | undefined {
    return undefined;
  }
}

/** `value.TypeError`: a value of the wrong type. */
export class TypeErr extends QueryError {
  from: string;
  constructor(
    readonly expected: readonly TypeName[],
    readonly actual: TypeName,
    readonly valueStr: string,
    from = "",
  ) {
    super("TYPE_MISMATCH", "");
    this.from = from;
  }

  override get message(): string {
    let s: string;
    if (this.expected.length > 0) {
      s = "expected ";
      this.expected.forEach((e, i) => {
        if (i > 0) s += this.expected.length > 2 && i < this.expected.length - 1 ? ", " : " or ";
        s += e;
      });
      s += " value";
    } else s = "unexpected value";
    s += `, got ${this.actual}`;
    if (this.from !== "") s += ` from ${this.from}`;
    if (this.valueStr !== "") s += ` (${this.valueStr})`;
    return s;
  }
}

/** Go `%v` of a scalar, as type errors show it. */
function goScalar(v: Value): string {
  if (typeof v === "string") return `"${v}"`;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return String(v);
  if (v instanceof GoFloat) return formatGoFloat(v.f);
  if (v instanceof JsonNumber) return v.text;
  return "";
}

export function typeError(v: Value, ...expected: TypeName[]): TypeErr {
  const t = typeOf(v);
  return new TypeErr(expected, t, t === "string" || t === "bool" || t === "number" ? goScalar(v) : "");
}

export function typeErrorFrom(from: string, v: Value, ...expected: TypeName[]): TypeErr {
  const e = typeError(v, ...expected);
  e.from = from;
  return e;
}

/** `query.TypeMismatch`: an operator given two incompatible types. */
export class MismatchErr extends QueryError {
  constructor(
    readonly operation: string,
    readonly left: TypeName,
    readonly leftFrom: string,
    readonly right: TypeName,
    readonly rightFrom: string,
  ) {
    super("TYPE_MISMATCH", "");
  }

  override get message(): string {
    return `cannot ${this.operation} types ${this.left} (from ${this.leftFrom}) and ${this.right} (from ${this.rightFrom})`;
  }
}

/** `fmt.Errorf("prefix: %w", err)` and `errFrom`: a prefix in front of a wrapped error. */
export class WrapErr extends QueryError {
  constructor(
    readonly prefix: string,
    private readonly wrapped: QueryError,
    readonly isFrom = false,
  ) {
    super(wrapped.code, "");
  }

  override get message(): string {
    return `${this.prefix}: ${this.wrapped.message}`;
  }

  override get inner(): QueryError {
    return this.wrapped;
  }
}

function hasFrom(e: QueryError): boolean {
  let cur: QueryError | undefined = e;
  while (cur) {
    if (cur instanceof WrapErr && cur.isFrom) return true;
    cur = cur.inner;
  }
  return false;
}

/** `query.ErrFrom`: attribute an error to the query that produced the value. */
export function errFrom(err: QueryError, annotation: string): QueryError {
  if (err instanceof TypeErr) {
    if (err.from === "") err.from = annotation;
    return err;
  }
  if (err instanceof MismatchErr) return err;
  if (hasFrom(err)) return err;
  return new WrapErr(annotation, err, true);
}

/** Converts anything a plugin or helper threw into a {@link QueryError}. */
export function toQueryError(e: unknown): QueryError {
  if (e instanceof QueryError) return e;
  if (e instanceof Error) return new QueryError("FAILED", e.message, e);
  return new QueryError("FAILED", String(e), e);
}

export function fail(message: string, code: EvaluationErrorCode = "FAILED"): never {
  throw new QueryError(code, message);
}
