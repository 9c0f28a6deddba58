export {
  DEFAULTS,
  type MetadataFilter,
  type OutputConfig,
  type ParseOutputOptions,
  parseOutputConfig,
} from "./config.js";
export { BatchWriteError, JetStreamOutputError, type JetStreamOutputErrorCode } from "./errors.js";
export { headerNameProblem, headerValueProblem, subjectProblem } from "./headers.js";
export { JetStreamOutput, type OutputOptions, type OutputStats } from "./output.js";
export {
  AckPublisher,
  type AckPublisherOptions,
  type PubAck,
  type PublishJob,
  type ResultHandler,
} from "./publisher.js";
export { outputConfigSchema, type RawOutputConfig } from "./schema.js";
export type { Output } from "./types.js";
