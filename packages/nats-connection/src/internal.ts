// For natskit's own packages only: these building blocks change with them, outside semver.
// Components that embed the connection fields in their config parse them with these.
// The sibling packages take every value they use from here, the public ones included: one module
// to load instead of two when a user imports only them.

export { mergeIssues, normalizeConnectionConfig, parseFields } from "./config.js";
export { connectNats } from "./connect.js";
export { parseDuration } from "./duration.js";
export { ConfigError } from "./errors.js";
export {
  type AttributesLike,
  BatchCallback,
  type BatchMeterLike,
  ConnectionTally,
  type HistogramLike,
  LATENCY_NS_BUCKETS,
  LatencySampler,
  latencyHistogram,
  loadMeter,
  type MeterLike,
  type MeterProviderLike,
} from "./metrics.js";
export { type Path, type RawIssue, renderIssues, renderPath } from "./paths.js";
export { connectionFields, type ParsedConnectionFields } from "./schema.js";
export { serverAtLeast } from "./server-version.js";
export {
  type Infer,
  type ObjectSchema,
  type Schema,
  type SchemaDef,
  type Shape,
  toJsonSchema,
  type Validated,
  v,
  validate,
} from "./validate.js";
