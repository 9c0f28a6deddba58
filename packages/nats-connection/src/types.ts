import type { Duration } from "./duration.js";
import type { FieldOrigin } from "./origins.js";
import type { Path, PathStyle } from "./paths.js";
import type { ServerUrl } from "./urls.js";

/**
 * The connection config in the TypeScript API's spelling. Field for field the same as the
 * Redpanda Connect YAML (`max_reconnects` is `maxReconnects`, and so on).
 *
 * @example
 * ```ts
 * const client = await connectNats({
 *   urls: ["nats://127.0.0.1:4222"],
 *   name: "orders-writer",
 *   auth: { userCredentialsFile: "./orders.creds" },
 * });
 * ```
 */
export interface NatsConnectionOptions {
  /**
   * Server URLs. An item containing commas is expanded into several URLs. `user:pass@` and
   * `token@` credentials in a URL are used (the NATS client alone ignores them). Required
   * unless `context` names a context (whose `url` is then used).
   */
  urls?: string | readonly string[] | undefined;
  /**
   * A `nats` CLI context (as `nats context save` writes it): a name, looked up in
   * `$XDG_CONFIG_HOME/nats/context/<name>.json` (default `~/.config/nats/context`), or the path
   * of a context file (a value with a `/` or ending in `.json`). Its url, credentials and TLS
   * files are used; fields set here override the context's.
   * @example { context: "prod", maxReconnects: -1 }
   */
  context?: string | undefined;
  /**
   * Prefix of the subjects replies are received on (request/reply, JetStream API calls), for
   * accounts whose permissions allow only certain reply subjects.
   * @default "_INBOX"
   */
  inboxPrefix?: string | undefined;
  /** Connection name shown by the server's monitoring (`/connz`); Redpanda Connect uses the label. */
  name?: string;
  /**
   * How many times to try reconnecting after a disconnect before giving up; negative retries
   * forever.
   * @default 60 (as Redpanda Connect, whose Go client defaults to 60)
   */
  maxReconnects?: number;
  tls?: TlsOptions;
  /** Start TLS before the NATS protocol (server option `handshake_first`, nats-server ≥ 2.10). Implies TLS. @default false */
  tlsHandshakeFirst?: boolean;
  /** At most one method may be set. */
  auth?: AuthOptions;
  /**
   * How long the first connect keeps trying while no server can be reached yet (a pipeline
   * started beside its server, or during a server restart): ms, or a duration string. Attempts
   * back off from 250 ms to about 2 s. Only failures a retry can help are retried (no server
   * listening, timeouts, a dropped socket); bad credentials, an untrusted certificate or a config
   * error fail at once. `0` makes one attempt only; negative waits without limit. Like nats.js
   * `waitOnFirstConnect` / nats.go `RetryOnFailedConnect`, but bounded.
   * @default "30s"
   * @example { waitOnFirstConnect: "2m" }
   */
  waitOnFirstConnect?: Duration;
}

export interface TlsOptions {
  /** Whether the settings below are used. When `false` they are ignored, as in Redpanda Connect. @default false */
  enabled?: boolean;
  /** Do not verify the server's certificate. Only for testing. @default false */
  skipCertVerify?: boolean;
  /** Accepted for compatibility; Node's TLS client already accepts server-initiated renegotiation (TLS ≤ 1.2). @default false */
  enableRenegotiation?: boolean;
  /** PEM root certificates to trust instead of the system ones. Not with `rootCasFile`. */
  rootCas?: string;
  /** Path of a PEM file of root certificates. Not with `rootCas`. */
  rootCasFile?: string;
  /** Client certificates for mutual TLS: inline `cert` + `key`, or `certFile` + `keyFile`. */
  clientCerts?: readonly ClientCertOptions[];
}

export interface ClientCertOptions {
  cert?: string;
  key?: string;
  certFile?: string;
  keyFile?: string;
  /** Password of an encrypted key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or legacy PKCS#1/SEC1 `Proc-Type: 4,ENCRYPTED`). */
  password?: string;
}

export interface AuthOptions {
  /** Path of a file holding a user nkey seed (`SU…`). */
  nkeyFile?: string;
  /** A user nkey seed (`SU…`) inline. */
  nkey?: string;
  /** Path of a `.creds` file (user JWT + seed). Read again at every (re)connect, so rotation works. */
  userCredentialsFile?: string;
  /** A user JWT; needs `userNkeySeed`. */
  userJwt?: string;
  /** The user's nkey seed for `userJwt`. */
  userNkeySeed?: string;
  user?: string;
  password?: string;
  token?: string;
}

/** A source of PEM text: inline or a file, with the config path it came from (for errors). */
export type PemSource =
  | { readonly kind: "inline"; readonly pem: string; readonly path: readonly (string | number)[] }
  | { readonly kind: "file"; readonly file: string; readonly path: readonly (string | number)[] };

/** The auth method after validation. Secrets stay in memory only. */
export type AuthMethod =
  | { readonly kind: "none" }
  | { readonly kind: "nkey_file"; readonly file: string }
  | { readonly kind: "nkey"; readonly seed: string }
  | { readonly kind: "user_credentials_file"; readonly file: string }
  | { readonly kind: "user_jwt"; readonly jwt: string; readonly seed: string }
  | { readonly kind: "token"; readonly token: string; readonly from: "auth" | "url" }
  | {
      readonly kind: "user_password";
      readonly user: string;
      readonly password: string;
      readonly from: "auth" | "url";
    };

export interface ClientCertConfig {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly password: string | undefined;
  readonly index: number;
}

export interface TlsConfig {
  readonly skipCertVerify: boolean;
  readonly enableRenegotiation: boolean;
  readonly rootCas: PemSource | undefined;
  readonly clientCerts: readonly ClientCertConfig[];
  readonly handshakeFirst: boolean;
}

/** A validated connection config; no file has been read yet. */
export interface ConnectionConfig {
  readonly servers: readonly ServerUrl[];
  readonly name: string | undefined;
  /** Negative: forever. */
  readonly maxReconnects: number;
  /** How long the first connect waits for a server, in ms (`wait_on_first_connect`). 0: one attempt; negative: no limit. */
  readonly waitOnFirstConnectMs: number;
  readonly auth: AuthMethod;
  /** `undefined`: plain, or whatever the server offers with system CAs. */
  readonly tls: TlsConfig | undefined;
  /** How paths are spelled in errors raised later (file reads, connect). */
  readonly pathStyle: PathStyle;
  /** `inbox_prefix`; `undefined`: the client's `_INBOX`. */
  readonly inboxPrefix?: string | undefined;
  /** The nats CLI context the config named, if any. */
  readonly context?: { readonly name: string; readonly file: string } | undefined;
  /**
   * Fields that came from a context or the environment, so problems found when the files are
   * read name their source (`context: 'prod' (…): creds: …`). For natskit's own use.
   */
  readonly origins?:
    | { readonly prefix: Path; readonly stages: readonly (readonly FieldOrigin[])[] }
    | undefined;
}

/**
 * The Redpanda Connect connection config (snake_case), as written in YAML: the input of
 * `connectFromConfig`, and the connection part of every natskit component's YAML config.
 * For a value that is not typed yet (parsed YAML or JSON), use `parseConnectionConfig(raw)`,
 * which validates it at runtime.
 *
 * @example
 * ```ts
 * const raw: RawConnectionConfig = { urls: ["nats://127.0.0.1:4222"], auth: { user_credentials_file: "./orders.creds" } };
 * ```
 */
export interface RawConnectionConfig {
  /** Server URLs; an item containing commas is expanded into several URLs. Required unless `context` is set. */
  urls?: string | readonly string[] | undefined;
  /**
   * A `nats` CLI context by name (`~/.config/nats/context/<name>.json`) or path; fields set here
   * override the context's.
   */
  context?: string | undefined;
  /** Prefix of reply subjects (request/reply, JetStream API). @default "_INBOX" */
  inbox_prefix?: string | undefined;
  /** Negative retries forever. @default 60 */
  max_reconnects?: number | undefined;
  tls?: RawTlsConfig | undefined;
  /** Start TLS before the NATS protocol (nats-server ≥ 2.10). Implies TLS. @default false */
  tls_handshake_first?: boolean | undefined;
  /** At most one method may be set. */
  auth?: RawAuthConfig | undefined;
  /** How long the first connect waits for a server: ms, or a duration string. @default "30s" */
  wait_on_first_connect?: Duration | undefined;
}

/** The `tls` section (snake_case); see {@link TlsOptions} for each field. */
export interface RawTlsConfig {
  /** @default false */
  enabled?: boolean | undefined;
  /** @default false */
  skip_cert_verify?: boolean | undefined;
  /** @default false */
  enable_renegotiation?: boolean | undefined;
  root_cas?: string | undefined;
  root_cas_file?: string | undefined;
  client_certs?: readonly RawClientCert[] | undefined;
}

/** One item of `tls.client_certs` (snake_case): inline `cert` + `key`, or `cert_file` + `key_file`. */
export interface RawClientCert {
  cert?: string | undefined;
  key?: string | undefined;
  cert_file?: string | undefined;
  key_file?: string | undefined;
  password?: string | undefined;
}

/** The `auth` section (snake_case); see {@link AuthOptions} for each field. */
export interface RawAuthConfig {
  nkey_file?: string | undefined;
  nkey?: string | undefined;
  user_credentials_file?: string | undefined;
  user_jwt?: string | undefined;
  user_nkey_seed?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}
