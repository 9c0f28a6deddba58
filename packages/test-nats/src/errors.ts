const MARKER = Symbol.for("natskit.test-nats.error");

/** One-line install hint; also the exact message of {@link NatsServerNotFoundError} when nothing is found. */
export const NATS_SERVER_INSTALL_HINT =
  "nats-server not found: set NATS_SERVER_BIN, put nats-server on PATH, or run scripts/ensure-nats-server.sh (Debian/Ubuntu: apt-get install nats-server)";

/** Codes of {@link TestNatsError}. */
export type TestNatsErrorCode =
  /** No nats-server binary was found, or `NATS_SERVER_BIN` does not point at an executable file. */
  | "NATS_SERVER_NOT_FOUND"
  /** `nats-server --version` failed or printed something that is not a version. */
  | "VERSION_UNKNOWN"
  /** The server process exited before it was ready (bad config, port taken…); the message has the log tail. */
  | "START_FAILED"
  /** The server did not become ready in time; the message has the log tail. */
  | "START_TIMEOUT"
  /** A cluster's JetStream meta leader was not elected in time. */
  | "CLUSTER_NOT_READY"
  /** The operation needs a running server (or one that was not stopped for good). */
  | "NOT_RUNNING"
  /** The operation needs the HTTP monitoring port (`monitoring: true`). */
  | "MONITORING_DISABLED"
  /** A monitoring endpoint answered with an HTTP error. */
  | "MONITORING_FAILED"
  /** An `openssl` command failed while creating the PKI. */
  | "OPENSSL_FAILED"
  /** The options are invalid (for example an empty user list). */
  | "INVALID_OPTIONS";

/**
 * Base class of every error this package throws. Check with `TestNatsError.isInstance(e)` rather
 * than `instanceof`, which fails when two copies of the package are installed.
 */
export class TestNatsError extends Error {
  readonly [MARKER] = true;
  /** Stable, machine-readable code; the message text may change. */
  readonly code: TestNatsErrorCode;

  constructor(code: TestNatsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TestNatsError";
    this.code = code;
  }

  static isInstance(e: unknown): e is TestNatsError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * No usable nats-server binary. The message is {@link NATS_SERVER_INSTALL_HINT}, or names the bad
 * `NATS_SERVER_BIN` value. Tests should let it fail the test rather than skip.
 */
export class NatsServerNotFoundError extends TestNatsError {
  constructor(message: string = NATS_SERVER_INSTALL_HINT, options?: { cause?: unknown }) {
    super("NATS_SERVER_NOT_FOUND", message, options);
    this.name = "NatsServerNotFoundError";
  }

  static override isInstance(e: unknown): e is NatsServerNotFoundError {
    return TestNatsError.isInstance(e) && e.code === "NATS_SERVER_NOT_FOUND";
  }
}
