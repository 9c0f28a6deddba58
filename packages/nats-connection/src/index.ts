export { type ConnectionEvents, type ConnectionEventType, NatsClient } from "./client.js";
export {
  DEFAULT_MAX_RECONNECTS,
  DEFAULT_WAIT_ON_FIRST_CONNECT,
  mergeIssues,
  normalizeConnectionConfig,
  type ParseOptions,
  parseConnectionConfig,
  parseConnectionOptions,
  parseFields,
  zodIssues,
} from "./config.js";
export {
  type ConnectOptions,
  classifyConnectError,
  connectFromConfig,
  connectNats,
  DEFAULT_CONNECT_TIMEOUT_MS,
  toClientOptions,
} from "./connect.js";
export { type Duration, parseDuration } from "./duration.js";
export {
  ConfigError,
  type ConfigIssue,
  ConnectError,
  type ConnectErrorCode,
  formatIssues,
  NatsConnectionError,
} from "./errors.js";
export { type Path, type PathStyle, type RawIssue, renderIssues, renderPath } from "./paths.js";
export { describeConnection, redactConnectionConfig, SECRET_MASK } from "./redact.js";
export {
  type ResolvedAuth,
  type ResolvedConnection,
  type ResolvedTls,
  resolveConnection,
} from "./resolve.js";
export {
  authSchema,
  clientCertSchema,
  connectionConfigSchema,
  connectionFields,
  type RawAuthConfig,
  type RawClientCert,
  type RawConnectionConfig,
  type RawTlsConfig,
  tlsSchema,
} from "./schema.js";
export type {
  AuthMethod,
  AuthOptions,
  ClientCertConfig,
  ClientCertOptions,
  ConnectionConfig,
  NatsConnectionOptions,
  PemSource,
  TlsConfig,
  TlsOptions,
} from "./types.js";
export { expandUrls, redactUrl, type ServerUrl, type UrlCredentials } from "./urls.js";
export { connectionWarnings } from "./warnings.js";
