export { type ConnectionEvents, type ConnectionEventType, NatsClient } from "./client.js";
export {
  DEFAULT_MAX_RECONNECTS,
  DEFAULT_WAIT_ON_FIRST_CONNECT,
  type ParseOptions,
  parseConnectionConfig,
  parseConnectionOptions,
} from "./config.js";
export {
  type ConnectOptions,
  connectFromConfig,
  connectNats,
  DEFAULT_CONNECT_TIMEOUT_MS,
  toClientOptions,
} from "./connect.js";
export { type Duration, parseDuration } from "./duration.js";
export { connectionConfigFromEnv, type EnvConfigOptions, NATS_ENV_VARS } from "./env.js";
export {
  ConfigError,
  type ConfigIssue,
  ConnectError,
  type ConnectErrorCode,
  NatsConnectionError,
} from "./errors.js";
export {
  IGNORED_CONTEXT_FIELDS,
  loadNatsContext,
  type NatsContext,
  natsConfigDir,
  selectedNatsContext,
  UNSUPPORTED_CONTEXT_FIELDS,
} from "./nats-context.js";
export { NATS_DEFAULT_URL, type NatsContextOptions } from "./nats-settings.js";
export type { PathStyle } from "./paths.js";
export { describeConnection, redactConnectionConfig, SECRET_MASK } from "./redact.js";
export {
  type ResolvedAuth,
  type ResolvedConnection,
  type ResolvedTls,
  resolveConnection,
} from "./resolve.js";
export type {
  AuthMethod,
  AuthOptions,
  ClientCertConfig,
  ClientCertOptions,
  ConnectionConfig,
  NatsConnectionOptions,
  PemSource,
  RawAuthConfig,
  RawClientCert,
  RawConnectionConfig,
  RawTlsConfig,
  TlsConfig,
  TlsOptions,
} from "./types.js";
export { redactUrl, type ServerUrl } from "./urls.js";
export { connectionWarnings } from "./warnings.js";
