const MARKER = Symbol.for("natskit.kv-cache.error");

/** Stable codes of {@link KvCacheError}; the message text may change between versions, the code does not. */
export type KvCacheErrorCode =
  | "KEY_NOT_FOUND"
  | "KEY_EXISTS"
  | "INVALID_KEY"
  | "INVALID_ARGUMENT"
  | "BUCKET_NOT_FOUND"
  | "TTL_NOT_SUPPORTED"
  | "UNAVAILABLE"
  | "TIMEOUT"
  | "OUTCOME_UNKNOWN"
  | "BATCH_FAILED"
  | "SERVER_ERROR"
  | "JETSTREAM_NOT_ENABLED"
  | "CLOSED"
  | "CONFIG_INVALID";

/**
 * Base class of every error this package throws. Check with `KvCacheError.isInstance(e)` (or the
 * subclass' `isInstance`) rather than `instanceof`, which fails when two copies of the package
 * are installed.
 */
export class KvCacheError extends Error {
  readonly [MARKER] = true;
  /** Stable, machine-readable code. */
  readonly code: KvCacheErrorCode;
  /** Whether the same call may succeed if tried again later (e.g. after the server is back). */
  readonly retryable: boolean;

  constructor(
    code: KvCacheErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KvCacheError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  static isInstance(e: unknown): e is KvCacheError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

function is<T extends KvCacheError>(e: unknown, name: string): e is T {
  return KvCacheError.isInstance(e) && e.name === name;
}

/** `get` found no value: the key never existed, was deleted, purged or expired. Same text as Redpanda Connect. */
export class KeyNotFoundError extends KvCacheError {
  /** The key as the caller passed it. */
  readonly key: string;
  constructor(key: string) {
    super("KEY_NOT_FOUND", "key does not exist");
    this.name = "KeyNotFoundError";
    this.key = key;
  }
  static override isInstance(e: unknown): e is KeyNotFoundError {
    return is(e, "KeyNotFoundError");
  }
}

/** `add` found a value under the key (the first value is kept). Same text as Redpanda Connect. */
export class KeyExistsError extends KvCacheError {
  readonly key: string;
  constructor(key: string) {
    super("KEY_EXISTS", "key already exists");
    this.name = "KeyExistsError";
    this.key = key;
  }
  static override isInstance(e: unknown): e is KeyExistsError {
    return is(e, "KeyExistsError");
  }
}

/** The key cannot be stored as a NATS KV key (checked before anything is sent). */
export class InvalidKeyError extends KvCacheError {
  readonly key: string;
  constructor(key: string, reason: string) {
    super("INVALID_KEY", `invalid key '${printable(key)}': ${reason}`);
    this.name = "InvalidKeyError";
    this.key = key;
  }
  static override isInstance(e: unknown): e is InvalidKeyError {
    return is(e, "InvalidKeyError");
  }
}

/** A value or option the caller passed is unusable (a negative TTL, a value over the server's max payload). */
export class InvalidArgumentError extends KvCacheError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
    this.name = "InvalidArgumentError";
  }
  static override isInstance(e: unknown): e is InvalidArgumentError {
    return is(e, "InvalidArgumentError");
  }
}

/** The bucket does not exist (found at connect, not at the first operation). */
export class BucketNotFoundError extends KvCacheError {
  readonly bucket: string;
  constructor(bucket: string, options: { cause?: unknown } = {}) {
    super(
      "BUCKET_NOT_FOUND",
      `bucket '${bucket}' does not exist: create it first, or set create_bucket: true to create it at connect`,
      options,
    );
    this.name = "BucketNotFoundError";
    this.bucket = bucket;
  }
  static override isInstance(e: unknown): e is BucketNotFoundError {
    return is(e, "BucketNotFoundError");
  }
}

/** A TTL was asked for but neither the server nor the bucket can honour it; the value was not written. */
export class TtlNotSupportedError extends KvCacheError {
  /** The server's version, e.g. `"2.9.10"`. */
  readonly serverVersion: string;
  constructor(message: string, serverVersion: string) {
    super("TTL_NOT_SUPPORTED", message);
    this.name = "TtlNotSupportedError";
    this.serverVersion = serverVersion;
  }
  static override isInstance(e: unknown): e is TtlNotSupportedError {
    return is(e, "TtlNotSupportedError");
  }
}

/**
 * No connection to the server: it did not come back within `operation_timeout`, or (for reads)
 * the connection dropped while the request was in flight. Retryable. For writes this error
 * means the write was **not** sent; a write that may have reached the server fails with
 * {@link OutcomeUnknownError} instead.
 */
export class UnavailableError extends KvCacheError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super("UNAVAILABLE", message, { retryable: true, ...options });
    this.name = "UnavailableError";
  }
  static override isInstance(e: unknown): e is UnavailableError {
    return is(e, "UnavailableError");
  }
}

/** A read was sent but no answer came within `operation_timeout`. Retryable. */
export class TimeoutError extends KvCacheError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("TIMEOUT", message, { ...options, retryable: true });
    this.name = "TimeoutError";
  }
  static override isInstance(e: unknown): e is TimeoutError {
    return is(e, "TimeoutError");
  }
}

/**
 * A write was sent but its acknowledgement never came (timeout, or the connection dropped
 * while it was in flight): the bucket may or may not hold it. Retryable (`set` and `delete`
 * are idempotent; a retried `add` may report {@link KeyExistsError} if the first attempt landed).
 */
export class OutcomeUnknownError extends KvCacheError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("OUTCOME_UNKNOWN", message, { ...options, retryable: true });
    this.name = "OutcomeUnknownError";
  }
  static override isInstance(e: unknown): e is OutcomeUnknownError {
    return is(e, "OutcomeUnknownError");
  }
}

/** One failed item of a batch. */
export interface BatchFailure {
  readonly key: string;
  readonly error: KvCacheError;
}

/**
 * Some writes of a `setMulti` failed. `succeeded` are keys whose write was acknowledged;
 * `failures` say why each other one failed. Retryable when every failure is.
 */
export class BatchError extends KvCacheError {
  readonly succeeded: readonly string[];
  readonly failures: readonly BatchFailure[];
  constructor(op: string, succeeded: readonly string[], failures: readonly BatchFailure[]) {
    const first = failures[0];
    super(
      "BATCH_FAILED",
      `${op}: ${failures.length} of ${succeeded.length + failures.length} failed` +
        (first ? ` (first: '${printable(first.key)}': ${first.error.message})` : ""),
      { retryable: failures.every((f) => f.error.retryable), cause: first?.error },
    );
    this.name = "BatchError";
    this.succeeded = succeeded;
    this.failures = failures;
  }
  static override isInstance(e: unknown): e is BatchError {
    return is(e, "BatchError");
  }
}

/**
 * The server refused the request (e.g. the bucket is full). `serverCode` is JetStream's
 * numeric `err_code` (e.g. 10071), `status` its HTTP-like code; the client's error is `cause`.
 */
export class NatsServerError extends KvCacheError {
  readonly serverCode: number;
  readonly status: number;
  readonly description: string;
  constructor(
    context: string,
    api: { code: number; err_code?: number; description?: string },
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    const description = api.description ?? "unknown error";
    super(
      "SERVER_ERROR",
      `${context}: the server refused it: ${description} (status ${api.code}, err_code ${api.err_code ?? 0})`,
      options,
    );
    this.name = "NatsServerError";
    this.serverCode = api.err_code ?? 0;
    this.status = api.code;
    this.description = description;
  }
  static override isInstance(e: unknown): e is NatsServerError {
    return is(e, "NatsServerError");
  }
}

/** The server (or the account) has no JetStream, so there is no KV. */
export class JetStreamNotEnabledError extends KvCacheError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("JETSTREAM_NOT_ENABLED", message, options);
    this.name = "JetStreamNotEnabledError";
  }
  static override isInstance(e: unknown): e is JetStreamNotEnabledError {
    return is(e, "JetStreamNotEnabledError");
  }
}

/** The cache was closed (by `close()`, or because the client gave up reconnecting). */
export class CacheClosedError extends KvCacheError {
  constructor(message = "the cache is closed") {
    super("CLOSED", message);
    this.name = "CacheClosedError";
  }
  static override isInstance(e: unknown): e is CacheClosedError {
    return is(e, "CacheClosedError");
  }
}

/** One problem in a cache config: the field path (`near_cache.max_entries`) and what is wrong. */
export interface CacheConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The cache config is invalid; `issues` lists every problem at once, each with its field path. */
export class CacheConfigError extends KvCacheError {
  readonly issues: readonly CacheConfigIssue[];
  constructor(issues: readonly CacheConfigIssue[], options: { cause?: unknown } = {}) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super(
      "CONFIG_INVALID",
      lines.length === 1
        ? `invalid nats_kv cache config: ${lines[0]}`
        : `invalid nats_kv cache config (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
      options,
    );
    this.name = "CacheConfigError";
    this.issues = issues;
  }
  static override isInstance(e: unknown): e is CacheConfigError {
    return is(e, "CacheConfigError");
  }
}

/** Keys in messages: control characters escaped, long keys shortened. */
export function printable(key: string): string {
  const shown = key.length > 64 ? `${key.slice(0, 61)}...` : key;
  return shown.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
