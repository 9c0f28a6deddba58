export { substituteEnvVars } from "./env-vars.js";
export { compileInterpolation, createEnvironment, defaultEnvironment, Environment } from "./environment.js";
export type { EnvVarErrorCode, EvaluationErrorCode, ParseErrorCode } from "./errors.js";
export {
  EnvVarError,
  InterpolationBaseError,
  InterpolationError,
  InterpolationParseError,
} from "./errors.js";
export type { Mapping } from "./mapping.js";
export type { MessageInit, MetaValue, ProcessingError, TraceCarrier } from "./message.js";
export { createBatch, createMessage, Message, MessageBatch } from "./message.js";
export type {
  CallContext,
  EnvironmentOptions,
  EnvSubstitution,
  FunctionDefinition,
  Interpolation,
  MethodDefinition,
  PlainValue,
  PluginParam,
  PluginParamType,
  Query,
  Result,
} from "./types.js";
