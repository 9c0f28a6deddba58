export {
  DEFAULTS,
  type MetadataFilter,
  type OutputConfig,
  type ParseOutputOptions,
  parseOutputConfig,
  type RawBackoff,
  type RawMetadataFilter,
  type RawOutputConfig,
} from "./config.js";
export {
  AtomicBatchError,
  BatchWriteError,
  JetStreamOutputError,
  type JetStreamOutputErrorCode,
} from "./errors.js";
export type { BatchAck } from "./fast-ingest.js";
export type { MeterProviderLike, OutputMetricsOptions } from "./metrics.js";
export { JetStreamOutput, type OutputEvent, type OutputOptions, type OutputStats } from "./output.js";
export {
  AckPublisher,
  type AckPublisherOptions,
  type MessageAck,
  type PubAck,
  type PublishJob,
  type ResultHandler,
} from "./publisher.js";
export type { Output } from "./types.js";
