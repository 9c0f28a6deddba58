const MARKER = Symbol.for("natskit.jetstream-output.error");

/** Stable codes of {@link JetStreamOutputError}. */
export type JetStreamOutputErrorCode =
  /** The config is invalid; `issues` lists each problem with its field path. */
  | "CONFIG_INVALID"
  /** An interpolated field (`subject`, a header, `msg_id`) failed for this message. */
  | "INTERPOLATION_FAILED"
  /** The subject is empty, has spaces, empty tokens or wildcards. */
  | "INVALID_SUBJECT"
  /** A header name or value is invalid (CR/LF, or a name with `:` or spaces). */
  | "INVALID_HEADER"
  /**
   * `msg_id` evaluated to `""` or `null` (often a missing field: `json("id")` of a message without
   * `id`). Without an id the stream cannot drop a re-sent copy, and with `null` every such message
   * would share one id; `allow_empty_msg_id: true` publishes them anyway.
   */
  | "INVALID_MSG_ID"
  /** Body plus headers exceed the server's `max_payload`. */
  | "MAX_PAYLOAD_EXCEEDED"
  /** No stream captures the subject. */
  | "NO_STREAM"
  /** The server (or the account) has no JetStream. */
  | "JETSTREAM_NOT_ENABLED"
  /** The server refused the publish (permissions). */
  | "PERMISSION_DENIED"
  /** The stream answered with an error (`apiCode`, `errCode`, `description`). */
  | "PUBLISH_REJECTED"
  /** No ack in time: the message may or may not be stored. Retried with the same `Nats-Msg-Id`. */
  | "ACK_TIMEOUT"
  /**
   * The connection dropped before the ack came, or (fast ingest) the server dropped the batch
   * (a restart, `allow_batched` turned off): the message may or may not be stored. Retried with
   * the same `Nats-Msg-Id`.
   */
  | "DISCONNECTED"
  /** A 503 "no responders" while a stream for the subject exists (e.g. a leader election). */
  | "STREAM_UNAVAILABLE"
  /** The ack could not be understood. */
  | "INVALID_ACK"
  /** The output (or its connection) is closed. */
  | "CLOSED"
  /**
   * `ttl` is set but the server (< 2.11) or the stream (no `allow_msg_ttl`) has no per-message
   * TTL: the message would be stored and never expire, so it is not sent.
   */
  | "TTL_NOT_SUPPORTED"
  /**
   * `atomic_batches` is set but the server (< 2.12) or the stream (no `allow_atomic`) has no
   * atomic batches, or the batch cannot be one (over 1000 messages, subjects of several streams).
   * Nothing was sent.
   */
  | "ATOMIC_NOT_SUPPORTED"
  /** An atomic batch was refused as a whole; `AtomicBatchError.index` names the message. */
  | "BATCH_REJECTED";

/**
 * Every error of this package. `retryable` says whether trying the same message again can help;
 * the output already retried retryable errors up to `max_retries` before reporting one.
 * Check with `JetStreamOutputError.isInstance(e)`, which works across duplicate package copies.
 */
export class JetStreamOutputError extends Error {
  readonly [MARKER] = true;
  readonly code: JetStreamOutputErrorCode;
  readonly retryable: boolean;
  /** For `PUBLISH_REJECTED`: the status code (e.g. 503) and JetStream's `err_code` (e.g. 10077). */
  readonly apiCode: number | undefined;
  readonly errCode: number | undefined;
  /** How many publish attempts were made for the message (0 when it failed before publishing). */
  attempts = 0;

  constructor(
    code: JetStreamOutputErrorCode,
    message: string,
    options: { retryable: boolean; cause?: unknown; apiCode?: number; errCode?: number },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "JetStreamOutputError";
    this.code = code;
    this.retryable = options.retryable;
    this.apiCode = options.apiCode;
    this.errCode = options.errCode;
  }

  static isInstance(e: unknown): e is JetStreamOutputError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** `writeBatch` failed for some messages; `errors[i]` is the error of message `i` or `undefined`. */
export class BatchWriteError extends Error {
  readonly [MARKER] = true;
  readonly code = "BATCH_PARTIALLY_FAILED" as const;
  readonly errors: readonly (JetStreamOutputError | undefined)[];

  constructor(errors: readonly (JetStreamOutputError | undefined)[]) {
    const failed = errors.filter((e) => e !== undefined);
    const first = failed[0];
    super(
      `${failed.length} of ${errors.length} messages failed${first ? `; first: ${first.message}` : ""}`,
      first ? { cause: first } : undefined,
    );
    this.name = "BatchWriteError";
    this.errors = errors;
  }

  static isInstance(e: unknown): e is BatchWriteError {
    return (
      typeof e === "object" &&
      e !== null &&
      (e as Record<symbol, unknown>)[MARKER] === true &&
      (e as { code?: unknown }).code === "BATCH_PARTIALLY_FAILED"
    );
  }
}

/**
 * An atomic `writeBatch` (`atomic_batches: true`) that stored nothing: `index` is the message the
 * server (or the output, before sending) refused, `undefined` when the refusal concerns the batch
 * as a whole; `reason` is that message's own error. `retryable` follows `reason`.
 */
export class AtomicBatchError extends JetStreamOutputError {
  readonly index: number | undefined;
  readonly reason: JetStreamOutputError;

  constructor(index: number | undefined, reason: JetStreamOutputError) {
    super(
      "BATCH_REJECTED",
      `the atomic batch stored nothing: ${index === undefined ? "the batch" : `message ${index}`} was refused: ${reason.message}`,
      {
        retryable: reason.retryable,
        cause: reason,
        ...(reason.apiCode === undefined ? {} : { apiCode: reason.apiCode }),
        ...(reason.errCode === undefined ? {} : { errCode: reason.errCode }),
      },
    );
    this.name = "AtomicBatchError";
    this.index = index;
    this.reason = reason;
  }

  static override isInstance(e: unknown): e is AtomicBatchError {
    return JetStreamOutputError.isInstance(e) && e.code === "BATCH_REJECTED";
  }
}
