const MARKER = Symbol.for("natskit.nats-connection.error");

/** One problem found in a config: the field path (`tls.client_certs[0].key_file`) and what is wrong. */
export interface ConfigIssue {
  /** Dotted path of the offending field, in the caller's naming style; `""` for the root. */
  readonly path: string;
  /** Lowercase, no trailing period, never contains a secret. */
  readonly message: string;
}

/**
 * Base class of every error this package throws. Check with `NatsConnectionError.isInstance(e)`
 * rather than `instanceof`, which fails when two copies of the package are installed.
 */
export class NatsConnectionError extends Error {
  readonly [MARKER] = true;
  /** Stable, machine-readable code; the message text may change between versions. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NatsConnectionError";
    this.code = code;
  }

  static isInstance(e: unknown): e is NatsConnectionError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** The config is invalid. `issues` lists every problem at once, each with its field path. */
export class ConfigError extends NatsConnectionError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super("CONFIG_INVALID", formatIssues(issues), options);
    this.name = "ConfigError";
    this.issues = issues;
  }

  static override isInstance(e: unknown): e is ConfigError {
    return NatsConnectionError.isInstance(e) && e.code === "CONFIG_INVALID";
  }
}

/** Codes of {@link ConnectError}. */
export type ConnectErrorCode =
  /** The server refused the credentials (or the account could not be used). */
  | "AUTH_FAILED"
  /** The server's certificate is not trusted, or does not match the host name. */
  | "TLS_UNTRUSTED"
  /** The server rejected the client certificate (mutual TLS), or none was sent. */
  | "TLS_CLIENT_CERT_REJECTED"
  /** The TLS handshake failed for another reason (e.g. handshake-first mismatch). */
  | "TLS_FAILED"
  /** No server could be reached at any of the URLs. */
  | "UNREACHABLE"
  /** A server accepted the TCP connection but the NATS handshake did not finish in time. */
  | "CONNECT_TIMEOUT"
  /** Anything else the client reported; see `cause`. */
  | "CONNECT_FAILED"
  /** The `signal` passed to connect was aborted (e.g. the component was closed while it waited for a server). */
  | "ABORTED";

/** Connecting failed. The message names the servers tried and the auth method, never a secret. */
export class ConnectError extends NatsConnectionError {
  override readonly code: ConnectErrorCode;
  /** Whether trying again later may succeed (a down server) or not (bad credentials). */
  readonly retryable: boolean;

  constructor(code: ConnectErrorCode, message: string, options: { cause?: unknown; retryable: boolean }) {
    super(code, message, options);
    this.name = "ConnectError";
    this.code = code;
    this.retryable = options.retryable;
  }

  static override isInstance(e: unknown): e is ConnectError {
    return NatsConnectionError.isInstance(e) && e.name === "ConnectError";
  }
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  if (lines.length === 1) return `invalid nats connection config: ${lines[0]}`;
  return `invalid nats connection config (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join("\n")}`;
}
