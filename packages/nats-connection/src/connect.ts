import {
  type Authenticator,
  connect,
  credsAuthenticator,
  jwtAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from "@nats-io/transport-node";
import { type ConnectionEvents, NatsClient } from "./client.js";
import { parseConnectionConfig, parseConnectionOptions } from "./config.js";
import { ConnectError, type ConnectErrorCode } from "./errors.js";
import { checkServerIdentity } from "./identity.js";
import { createConnection } from "./node-builtins.js";
import { renderPath } from "./paths.js";
import { type ResolvedConnection, resolveConnection } from "./resolve.js";
import type { AuthMethod, ConnectionConfig, NatsConnectionOptions, RawConnectionConfig } from "./types.js";
import { redactUrl } from "./urls.js";
import { withFirstConnectWait } from "./wait.js";

/**
 * How long one server may take to accept the connection and finish the handshake, as the Go
 * client's `Timeout`: a server that accepts TCP but never answers delays the next one in the
 * list by at most this.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

export interface ConnectOptions {
  /**
   * How long the connection to one server (TCP, TLS and NATS handshake) may take, in ms; then
   * the next server in the list is tried.
   * @default 2000 (as the Go client)
   */
  timeout?: number;
  /** Wait between reconnect attempts, in ms. @default 2000 (as the Go client) */
  reconnectTimeWait?: number;
  /**
   * Called for every connection event from the first moment (also available later via
   * `client.on`), including `connect_wait` while the first connect waits for a server.
   * @example { onEvent: (e) => e.type === "connect_wait" && log.warn(`${e.error.message}; retrying in ${e.delayMs} ms`) }
   */
  onEvent?: (event: ConnectionEvents) => void;
  /**
   * Ends a connect that is still waiting for a server (`wait_on_first_connect`): it rejects
   * with `ConnectError` `ABORTED` at once, and a connection that comes up afterwards is closed.
   */
  signal?: AbortSignal;
}

/**
 * Connects with a config in either form: the camelCase TypeScript options, or a config already
 * validated with `parseConnectionConfig` (the Redpanda Connect YAML shape). While no server can
 * be reached it keeps trying for `wait_on_first_connect` (default 30 s), reporting each retry
 * as a `connect_wait` event to `options.onEvent`.
 *
 * @throws ConfigError when the options or a file they name are invalid (nothing is dialled).
 * @throws ConnectError when no server accepts the connection; `code` says why. Rejected
 *   credentials or certificates fail at once; `UNREACHABLE` / `CONNECT_TIMEOUT` only once the
 *   wait ran out (the message says how long it waited); `ABORTED` when `options.signal` aborts.
 */
export async function connectNats(
  options: NatsConnectionOptions,
  connect?: ConnectOptions,
): Promise<NatsClient>;
export async function connectNats(config: ConnectionConfig, connect?: ConnectOptions): Promise<NatsClient>;
// Two signatures, not a union: a typo that happens to be a `ConnectionConfig` field name
// (`waitOnFirstConnectMs`) would pass a union's excess-property check.
export async function connectNats(
  config: NatsConnectionOptions | ConnectionConfig,
  options: ConnectOptions = {},
): Promise<NatsClient> {
  const parsed = isConnectionConfig(config) ? config : parseConnectionOptions(config);
  const resolved = resolveConnection(parsed);
  const servers = parsed.servers.map((s) => redactUrl(s.url));
  const nc = await withFirstConnectWait(
    (timeoutCap) => dial(resolved, options, timeoutCap),
    (late) => late.close(),
    {
      waitMs: parsed.waitOnFirstConnectMs,
      signal: options.signal,
      onWait: options.onEvent,
      where: `cannot connect to ${servers.join(", ")}`,
      servers,
      field: renderPath(["wait_on_first_connect"], parsed.pathStyle),
    },
  );
  return new NatsClient(nc, parsed, options.onEvent);
}

/** Shorthand for `connectNats(parseConnectionConfig(raw, { label }))`. */
export async function connectFromConfig(
  raw: RawConnectionConfig,
  label?: string,
  options?: ConnectOptions,
): Promise<NatsClient> {
  return await connectNats(parseConnectionConfig(raw, label === undefined ? {} : { label }), options);
}

function isConnectionConfig(c: NatsConnectionOptions | ConnectionConfig): c is ConnectionConfig {
  return "servers" in c && "pathStyle" in c;
}

/** The options handed to `@nats-io/transport-node`'s `connect`; exported for tools that dial themselves. */
export function toClientOptions(
  resolved: ResolvedConnection,
  options: ConnectOptions = {},
): NodeConnectionOptions {
  const { config, tls } = resolved;
  const opts: NodeConnectionOptions = {
    servers: config.servers.map((s) => s.url),
    maxReconnectAttempts: config.maxReconnects,
    reconnectTimeWait: options.reconnectTimeWait ?? 2000,
    timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  if (config.name !== undefined) opts.name = config.name;
  if (config.inboxPrefix !== undefined) opts.inboxPrefix = config.inboxPrefix;
  const auth = authenticator(resolved);
  if (auth) opts.authenticator = auth;
  if (tls) {
    // Node TLS options pass through the client's `tls` object to `tls.connect`.
    const t: Record<string, unknown> = {
      rejectUnauthorized: tls.rejectUnauthorized,
      minVersion: "TLSv1.2",
      checkServerIdentity,
    };
    if (tls.ca) t.ca = tls.ca;
    if (tls.cert.length > 0) {
      t.cert = tls.cert;
      t.key = tls.key;
    }
    if (tls.handshakeFirst) t.handshakeFirst = true;
    opts.tls = t;
  }
  return opts;
}

function authenticator(resolved: ResolvedConnection): Authenticator | undefined {
  const a = resolved.auth;
  switch (a.kind) {
    case "none":
      return undefined;
    case "nkey":
      return nkeyAuthenticator(a.seed);
    case "creds":
      return credsAuthenticator(a.read);
    case "jwt":
      return jwtAuthenticator(a.jwt, a.seed);
    case "token":
      return tokenAuthenticator(a.token);
    case "user_password":
      return usernamePasswordAuthenticator(a.user, a.password);
  }
}

async function dial(
  resolved: ResolvedConnection,
  options: ConnectOptions,
  timeoutCap: number | undefined,
): Promise<NatsConnection> {
  const opts = toClientOptions(resolved, options);
  // While waiting for a server, an attempt must not run far past the deadline.
  if (timeoutCap !== undefined) {
    opts.timeout = Math.min(opts.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS, Math.ceil(timeoutCap));
  }
  // When a server drops the socket during the first handshake (mutual TLS rejects the client
  // certificate after a TLS 1.3 handshake), nats.js 3.x with `reconnect: true` waits out the
  // whole connect timeout without saying why. With `reconnect: false` it fails at once with the
  // real error, and still tries every server of the first pool; reconnects are switched on as
  // soon as the connection is up. The client reads this flag from the options object it keeps.
  const reconnect = opts.reconnect ?? true;
  opts.reconnect = false;
  let nc: NatsConnection;
  try {
    nc = await connect(opts);
  } catch (e) {
    const error = classifyConnectError(e, resolved.config);
    throw error.code === "CONNECT_FAILED" && resolved.tls
      ? await diagnoseReset(error, resolved.config)
      : error;
  }
  const kept = (nc as unknown as { options?: { reconnect?: boolean } }).options;
  if (kept) kept.reconnect = reconnect;
  return nc;
}

const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Maps what the client threw to a {@link ConnectError}; the original stays as `cause`. */
export function classifyConnectError(e: unknown, config: ConnectionConfig): ConnectError {
  const chain: Error[] = [];
  for (let c: unknown = e; c instanceof Error && chain.length < 8; c = c.cause) chain.push(c);
  const codes = chain.map((c) => String((c as NodeJS.ErrnoException).code ?? ""));
  const text = chain.map((c, i) => `${c.name} ${codes[i]} ${c.message}`).join(" | ");
  const where = `cannot connect to ${config.servers.map((s) => s.url).join(", ")}`;
  const make = (code: ConnectErrorCode, reason: string, retryable: boolean) =>
    new ConnectError(code, `${where}: ${reason}`, { cause: e, retryable });

  if (
    /AuthorizationError|Authorization Violation|UserAuthenticationExpired|authentication expired/i.test(text)
  ) {
    return make("AUTH_FAILED", `the server rejected the credentials (${authSource(config)})`, false);
  }
  const tlsCode = codes.find((c) => UNTRUSTED.has(c));
  if (tlsCode === "ERR_TLS_CERT_ALTNAME_INVALID") {
    // Node: "Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: ..."
    const detail = chain[codes.indexOf(tlsCode)]?.message.replace(/^[^:]*altnames: /, "") ?? "";
    return make(
      "TLS_UNTRUSTED",
      `the server certificate does not name the host or address it was reached at (${detail}); use a URL with a name or IP address from the certificate`,
      false,
    );
  }
  if (tlsCode) {
    const hint = config.tls?.rootCas
      ? "tls.root_cas / root_cas_file"
      : "set tls.root_cas or tls.root_cas_file";
    return make("TLS_UNTRUSTED", `the server certificate is not trusted (${tlsCode}; ${hint})`, false);
  }
  if (/ALERT_BAD_CERTIFICATE|CERTIFICATE_REQUIRED|alert number 4[26]|ALERT_UNKNOWN_CA/i.test(text)) {
    const hint = config.tls?.clientCerts.length ? "check tls.client_certs" : "set tls.client_certs";
    return make("TLS_CLIENT_CERT_REJECTED", `the server rejected the client certificate (${hint})`, false);
  }
  if (/WRONG_VERSION_NUMBER|wrong version number/i.test(text)) {
    const mismatch = config.tls?.handshakeFirst
      ? "tls_handshake_first is set but the server does not expect a TLS handshake first"
      : "the server expects the TLS handshake first (set tls_handshake_first)";
    return make("TLS_FAILED", `tls handshake failed: ${mismatch}`, false);
  }
  // nats.js 3.x: "server does not support 'tls'"; older clients: "... is not available on this server".
  if (/does not support 'tls'|is not available on this server/i.test(text)) {
    return make("TLS_FAILED", "tls is enabled but the server does not offer tls", false);
  }
  if (
    codes.includes("ECONNREFUSED") ||
    /connection refused|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/i.test(text)
  ) {
    return make("UNREACHABLE", "no server is reachable", true);
  }
  if (/TimeoutError|timeout/i.test(text)) {
    return make("CONNECT_TIMEOUT", "the server did not complete the handshake in time", true);
  }
  const first = chain[0];
  return make("CONNECT_FAILED", first ? first.message : String(e), true);
}

/**
 * A mutual-TLS server often resets the socket before the client reads its "bad certificate"
 * alert. The server's plaintext INFO says whether it verifies client certificates, which turns
 * a bare ECONNRESET into an actionable error.
 */
async function diagnoseReset(error: ConnectError, config: ConnectionConfig): Promise<ConnectError> {
  if (!/ECONNRESET|EPIPE|socket hang up/i.test(String((error.cause as Error | undefined)?.message)))
    return error;
  const server = config.servers[0];
  if (!server || config.tls?.handshakeFirst) return error;
  const info = await readServerInfo(server.url, 2000).catch(() => undefined);
  if (info?.tls_verify !== true) return error;
  const hint = config.tls?.clientCerts.length ? "check tls.client_certs" : "set tls.client_certs";
  return new ConnectError(
    "TLS_CLIENT_CERT_REJECTED",
    `${error.message.split(": ")[0]}: the server requires a client certificate it trusts (${hint})`,
    { cause: error.cause, retryable: false },
  );
}

/** Reads the INFO line a NATS server sends on accept (before any TLS). */
export function readServerInfo(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 4222) });
    let buf = "";
    const done = (err: Error | undefined, info?: Record<string, unknown>) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(info ?? {});
    };
    const timer = setTimeout(() => done(new Error("no INFO from server")), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      const end = buf.indexOf("\r\n");
      if (end === -1) return;
      const line = buf.slice(0, end);
      if (!line.startsWith("INFO ")) return done(new Error("not a NATS server"));
      try {
        done(undefined, JSON.parse(line.slice(5)));
      } catch (e) {
        done(e as Error);
      }
    });
    socket.on("error", (e) => done(e));
  });
}

/** The auth method as the config spells it, or where it came from: `token of context 'prod' (…)`, `NATS_CREDS`. */
function authSource(config: ConnectionConfig): string {
  const own = describeAuth(config.auth);
  if (config.auth.kind === "none" || ("from" in config.auth && config.auth.from === "url")) return own;
  const origins = (config.origins?.stages ?? []).flat().filter((o) => o.from[0] === "auth");
  const names = [...new Set(origins.map((o) => o.name))];
  if (names.length === 0) return own;
  if (origins[0]?.to[0] === "context" && config.context) {
    return `${names.join("/")} of context '${config.context.name}' (${config.context.file})`;
  }
  return names.join("/");
}

function describeAuth(auth: AuthMethod): string {
  switch (auth.kind) {
    case "none":
      return "no auth configured";
    case "token":
    case "user_password":
      return auth.from === "url"
        ? `${auth.kind} from url`
        : `auth.${auth.kind === "token" ? "token" : "user/password"}`;
    case "user_jwt":
      return "auth.user_jwt";
    default:
      return `auth.${auth.kind}`;
  }
}
