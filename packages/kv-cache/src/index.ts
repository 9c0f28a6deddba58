export {
  type BucketSettings,
  CACHE_DEFAULTS,
  type KvCacheBucketOptions,
  type KvCacheConfig,
  type KvCacheOptions,
  type NearCacheOptions,
  parseKvCacheBucketOptions,
  parseKvCacheConfig,
  parseKvCacheOptions,
  type RawBucketSettings,
  type RawKvCacheConfig,
  type RawNearCacheConfig,
} from "./config.js";
export { type Duration, parseDuration } from "./duration.js";
export {
  BatchError,
  type BatchFailure,
  BucketNotFoundError,
  CacheClosedError,
  CacheConfigError,
  type CacheConfigIssue,
  InvalidArgumentError,
  InvalidKeyError,
  JetStreamNotEnabledError,
  KeyExistsError,
  KeyNotFoundError,
  KvCacheError,
  type KvCacheErrorCode,
  NatsServerError,
  OutcomeUnknownError,
  TimeoutError,
  TtlNotSupportedError,
  UnavailableError,
} from "./errors.js";
export {
  base64urlKeys,
  KEY_RULES,
  type KeyCodec,
  type KeyCodecName,
  keyCodec,
  MAX_ENCODED_KEY_LENGTH,
  plainKeys,
} from "./keys.js";
export {
  type BucketInfo,
  CACHE_TTL_HEADER,
  KvCache,
  type KvCacheConnectOptions,
  type KvCacheMetricsOption,
} from "./kv-cache.js";
export { MemoryCache, type MemoryCacheOptions } from "./memory.js";
export type { CacheMetricsOptions, CacheOperation, MeterProviderLike } from "./metrics.js";
export type { NearCacheStats } from "./near-cache.js";
export type { Cache, CacheEntry, CacheValue, WriteOptions } from "./types.js";
