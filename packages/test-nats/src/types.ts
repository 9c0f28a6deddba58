/** Subjects a user may (`allow`) or may not (`deny`) use; wildcards allowed. */
export interface SubjectPermission {
  allow?: readonly string[];
  deny?: readonly string[];
}

/** Publish/subscribe permissions, for a config user or a JWT user. */
export interface UserPermissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
}

/** A user/password entry of the server's `authorization.users`. */
export interface UserPassword {
  user: string;
  password: string;
  permissions?: UserPermissions;
}

/**
 * How clients must authenticate. One of:
 * - `{ users }`: user + password (`authorization { users = [...] }`);
 * - `{ token }`: a single token;
 * - `{ nkeys }`: user public keys (`U…`), e.g. from {@link createNkeyUser};
 * - `{ operator }`: operator/JWT mode with a memory resolver, from {@link createOperatorSetup}.
 *
 * @example { users: [{ user: "alice", password: "pa ss" }] }
 */
export type AuthOptions =
  | { users: readonly UserPassword[] }
  | { token: string }
  | { nkeys: readonly string[] }
  | { operator: OperatorSetup };

/** Server-side TLS on the client port, with certificates from {@link createPki}. */
export interface ServerTlsOptions {
  pki: Pki;
  /** Require a client certificate signed by `pki.ca` (mutual TLS, `verify: true`). @default false */
  verify?: boolean;
  /** Seconds the server allows for the TLS handshake. @default 2 */
  timeout?: number;
  /**
   * TLS before the NATS protocol (`handshake_first`). Needs nats-server >= 2.10: guard the test
   * with `skipReason("handshakeFirst")`; older servers refuse to start with it. @default false
   */
  handshakeFirst?: boolean;
  /** Serve `pki.untrustedServer` (signed by `pki.untrustedCa`) instead of `pki.server`. @default false */
  untrusted?: boolean;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream with a store in the server's temp dir. @default true */
  jetstream?: boolean;
  /** Client authentication. @default no auth */
  auth?: AuthOptions;
  /** TLS on the client port. @default plain TCP */
  tls?: ServerTlsOptions;
  /** HTTP monitoring on a free port; sets `monitorUrl` and enables `connz()`/`monitor()`. @default false */
  monitoring?: boolean;
  /** Client port. @default a free port picked by the server (`listen: 127.0.0.1:-1`), race-free */
  port?: number;
  /** JetStream store dir; kept on `stop()` when given. @default `<dir>/js` */
  storeDir?: string;
  /** `server_name`. @default `test-nats-<pid>-<n>` */
  serverName?: string;
  /** `max_payload` in bytes. @default server default (1 MiB) */
  maxPayload?: number;
  /** Raw config text appended to the generated config (top level). */
  extraConfig?: string;
  /**
   * Server debug logging, and keep the log after `stop()` (copied to
   * `<tmpdir>/natskit-test-nats-logs/`, path printed to stderr). The log is always captured to
   * `logPath` while the server exists, and its tail is in every start error.
   * @default true when env `NATSKIT_TEST_VERBOSE` is set (not "" or "0"), else false
   */
  debug?: boolean;
  /** How long to wait for the server to be ready. @default 10_000 */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. @default 10_000 */
  stopTimeoutMs?: number;
}

/** One client connection of `/connz` (the fields tests use most; the rest are there too). */
export interface ConnzConnection {
  cid: number;
  ip: string;
  port: number;
  name?: string;
  lang?: string;
  version?: string;
  tls_version?: string;
  tls_cipher_suite?: string;
  authorized_user?: string;
  account?: string;
  subscriptions?: number;
  subscriptions_list?: string[];
  [field: string]: unknown;
}

/** The `/connz` monitoring response. */
export interface Connz {
  server_id: string;
  num_connections: number;
  total: number;
  connections: ConnzConnection[];
  [field: string]: unknown;
}

/**
 * A running nats-server started by {@link startNatsServer}. Release it with `stop()` in
 * `afterAll`/`afterEach` (or `await using`); if a test forgets, it is killed when the process exits.
 */
export interface NatsServer extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` (also with TLS; the client upgrades on the server's INFO). */
  readonly url: string;
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** Client port; stays the same across `restart()`. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` when `monitoring` is on (always for cluster nodes). */
  readonly monitorUrl: string | undefined;
  /** Cluster (route) port of a cluster node. */
  readonly clusterPort: number | undefined;
  /** nats-server version, e.g. `"2.9.10"`. */
  readonly version: string;
  /** `server_name`. */
  readonly serverName: string;
  /** PID of the current process (the last one after `kill()`/`stop()`); changes on `restart()`. */
  readonly pid: number;
  /** Whether the server process is alive. */
  readonly running: boolean;
  /** JetStream store dir; kept across `kill()`/`restart()`. */
  readonly storeDir: string;
  /** This server's temp dir (config, log, ports file, store); removed by `stop()`. */
  readonly dir: string;
  /** The generated config file; after the first start it names the actual ports. */
  readonly configPath: string;
  /** Server stdout/stderr, appended across restarts. */
  readonly logPath: string;
  /** The last `lines` lines of the log. @default 40 */
  logTail(lines?: number): string;
  /**
   * Stops for good: SIGTERM (graceful), SIGKILL after `stopTimeoutMs`, then removes `dir`.
   * Idempotent; `restart()` fails afterwards.
   */
  stop(): Promise<void>;
  /**
   * Kills the process and waits for it to exit, keeping config and store for `restart()`.
   * With SIGTERM it escalates to SIGKILL after `stopTimeoutMs`. No-op when not running.
   * @default "SIGKILL"
   */
  kill(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /**
   * Starts the server again with the same config, port and store (gracefully stopping it first
   * if it is running); resolves once it accepts connections.
   * @throws {TestNatsError} `NOT_RUNNING` after `stop()`, `START_FAILED` (e.g. port taken meanwhile).
   */
  restart(): Promise<void>;
  /**
   * GET `/connz` (query e.g. `{ subs: true, auth: true }`).
   * @throws {TestNatsError} `MONITORING_DISABLED` without `monitoring: true`.
   */
  connz(query?: Record<string, string | number | boolean>): Promise<Connz>;
  /** GET any monitoring endpoint (`"varz"`, `"jsz"`, `"routez"`, `"healthz"`…) as parsed JSON. */
  monitor<T = unknown>(endpoint: string, query?: Record<string, string | number | boolean>): Promise<T>;
  /** Same as `stop()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link startNatsCluster}; each node gets the same auth/TLS/extra config. */
export interface NatsClusterOptions {
  /** Number of nodes (>= 2). @default 3 */
  size?: number;
  /** JetStream on every node; start waits for the meta leader. @default true */
  jetstream?: boolean;
  auth?: AuthOptions;
  tls?: ServerTlsOptions;
  maxPayload?: number;
  extraConfig?: string;
  /** @default as in {@link NatsServerOptions.debug} */
  debug?: boolean;
  /** `cluster.name`. @default `test-nats-<pid>-<n>` */
  name?: string;
  /** Per-node start timeout, and the JetStream readiness timeout. @default 30_000 */
  startTimeoutMs?: number;
  /** @default 10_000 */
  stopTimeoutMs?: number;
}

/** Nodes `n1`…`nN` of a loopback cluster, fully routed, with monitoring on. */
export interface NatsCluster extends AsyncDisposable {
  /** `cluster.name`. */
  readonly name: string;
  readonly servers: readonly NatsServer[];
  /** Client URLs of all nodes, in `servers` order. */
  readonly urls: readonly string[];
  /**
   * Waits until JetStream has settled on the running nodes (stopped/killed nodes are ignored):
   * - every node agrees on a meta leader, which sees every other node as current (so streams
   *   with replicas = running nodes can be created);
   * - every replicated stream and consumer has one agreed leader on a running node, which sees
   *   every running replica as current, and all copies of a stream have the same last sequence
   *   (a restarted node has caught up).
   * Call it after `restart()`/`stop()` of a node before asserting on stream state.
   * @throws {TestNatsError} `CLUSTER_NOT_READY` after `timeoutMs` (default: the cluster's
   *   `startTimeoutMs`, 30_000); `INVALID_OPTIONS` for a cluster without JetStream.
   */
  waitForJetStreamReady(opts?: { timeoutMs?: number }): Promise<void>;
  /** Stops every node (see `NatsServer.stop`). Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A PEM file: its path and its text. */
export interface PemFile {
  path: string;
  pem: string;
}

/**
 * A certificate and its unencrypted key, as paths and as PEM text. The names match the client's
 * TLS options: `{ certFile, keyFile }` or `{ cert, key }`.
 */
export interface CertKeyPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** Options of {@link createPki}. */
export interface PkiOptions {
  /** subjectAltName entries of the server certs, e.g. `["IP:127.0.0.1"]`. @default `["DNS:localhost", "IP:127.0.0.1"]` */
  readonly serverAltNames?: readonly string[];
}

/** Test PKI from {@link createPki}. Certificates are valid for 2 days. */
export interface Pki extends AsyncDisposable {
  dir: string;
  /** Passphrase of every key in `keys` whose name says encrypted. */
  passphrase: string;
  /** RSA 2048 CA (`ca.certFile` is what servers and clients trust). */
  ca: CertKeyPair;
  /** Server cert signed by `ca`: SAN `DNS:localhost, IP:127.0.0.1`, serverAuth; RSA, PKCS#8 key. */
  server: CertKeyPair;
  /** Client cert signed by `ca` (CN `natskit-client`), clientAuth; RSA, PKCS#8 key. */
  client: CertKeyPair;
  /** Client cert signed by `ca` with an EC P-256 key (PKCS#8). */
  ecClient: CertKeyPair;
  /** A second CA that nothing trusts. */
  untrustedCa: CertKeyPair;
  /** Server cert (same SANs) signed by `untrustedCa`. */
  untrustedServer: CertKeyPair;
  /** Client cert signed by `untrustedCa`. */
  untrustedClient: CertKeyPair;
  /** Other encodings of `client.key` (RSA) and `ecClient.key` (EC). */
  keys: {
    /** RSA, PKCS#1 unencrypted (`BEGIN RSA PRIVATE KEY`). */
    rsaPkcs1: PemFile;
    /** RSA, PKCS#8 encrypted with AES-256-CBC (`BEGIN ENCRYPTED PRIVATE KEY`). */
    rsaPkcs8Encrypted: PemFile;
    /** RSA, legacy PKCS#1 `Proc-Type: 4,ENCRYPTED`, AES-256-CBC. */
    rsaPkcs1Aes256: PemFile;
    /** RSA, legacy PKCS#1 `Proc-Type: 4,ENCRYPTED`, DES-EDE3-CBC. */
    rsaPkcs1Des3: PemFile;
    /** EC, SEC1 unencrypted (`BEGIN EC PRIVATE KEY`). */
    ecSec1: PemFile;
    /** EC, SEC1 encrypted with AES-256-CBC (`Proc-Type: 4,ENCRYPTED`). */
    ecSec1Aes256: PemFile;
    /** EC, PKCS#8 encrypted with AES-256-CBC. */
    ecPkcs8Encrypted: PemFile;
  };
  /** Removes `dir` when `createPki` created it. Idempotent. */
  remove(): Promise<void>;
}

/** An account's keys and JWT. */
export interface AccountKeys {
  name: string;
  publicKey: string;
  /** Seed as text (`SA…`). */
  seed: string;
  jwt: string;
}

/** A JWT user: pass `jwt` + `seed` to `jwtAuthenticator`, or `creds` to `credsAuthenticator`. */
export interface UserCredentials {
  name: string;
  publicKey: string;
  /** Seed as text (`SU…`); `new TextEncoder().encode(seed)` for the authenticators. */
  seed: string;
  jwt: string;
  /** Creds file text (`-----BEGIN NATS USER JWT-----` …). */
  creds: string;
  /** Public key of the account that issued the user. */
  account: string;
}

/** Options of {@link OperatorSetup.createUser}. */
export interface CreateUserOptions {
  /** @default "user-<n>" */
  name?: string;
  /** Issuing account. @default the setup's `account` */
  account?: AccountKeys;
  /** Issue a JWT that expired a minute ago (the server rejects it). @default false */
  expired?: boolean;
  /** JWT expiry, seconds from now. @default no expiry */
  expiresInSeconds?: number;
  permissions?: UserPermissions;
}

/**
 * Operator, system account, one account with every limit unlimited (including JetStream), and a
 * user, for `startNatsServer({ auth: { operator } })`. Created by {@link createOperatorSetup}.
 */
export interface OperatorSetup {
  operator: { publicKey: string; seed: string; jwt: string };
  /** Same as `operator.jwt`. */
  operatorJwt: string;
  systemAccount: AccountKeys;
  account: AccountKeys;
  /** Accounts added with `createAccount({ register: true })`; preloaded by servers started later. */
  readonly extraAccounts: readonly AccountKeys[];
  /** A user of `account`. */
  user: UserCredentials;
  createUser(opts?: CreateUserOptions): Promise<UserCredentials>;
  /**
   * Another account with unlimited limits. With `register: false` no server knows it, so its users
   * are rejected. @default { register: true }
   */
  createAccount(opts?: { name?: string; register?: boolean }): Promise<AccountKeys>;
}

/** An nkey user: put `publicKey` in `auth.nkeys`; the client signs with `seed`. */
export interface NkeyUser {
  publicKey: string;
  /** Seed as text (`SU…`); `new TextEncoder().encode(seed)` for `nkeyAuthenticator`. */
  seed: string;
}
