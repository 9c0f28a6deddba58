export { findNatsServer, repoRoot } from "./binary.js";
export { trackedResources } from "./cleanup.js";
export { startNatsCluster } from "./cluster.js";
export {
  NATS_SERVER_INSTALL_HINT,
  NatsServerNotFoundError,
  TestNatsError,
  type TestNatsErrorCode,
} from "./errors.js";
export { createNkeyUser, createOperatorSetup, UNLIMITED_ACCOUNT_LIMITS } from "./operator.js";
export { createPki } from "./pki.js";
export { processCpuSeconds } from "./process.js";
export { startNatsServer } from "./server.js";
export type {
  AccountKeys,
  AuthOptions,
  CertKeyPair,
  Connz,
  ConnzConnection,
  CreateUserOptions,
  NatsCluster,
  NatsClusterOptions,
  NatsServer,
  NatsServerOptions,
  NkeyUser,
  OperatorSetup,
  PemFile,
  Pki,
  PkiOptions,
  ServerTlsOptions,
  SubjectPermission,
  UserCredentials,
  UserPassword,
  UserPermissions,
} from "./types.js";
export {
  compareVersions,
  NATS_SERVER_FEATURES,
  type NatsServerFeature,
  natsServerVersion,
  natsServerVersionSync,
  parseNatsServerVersion,
  skipReason,
  supports,
} from "./version.js";
