// For natskit's own packages only: these building blocks change with them, outside semver.
// Components that embed the connection fields in their config parse them with these.
export { mergeIssues, normalizeConnectionConfig, parseFields } from "./config.js";
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
export { type Path, type RawIssue, renderIssues } from "./paths.js";
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
