import type {
  ConnectionConfig,
  NatsConnectionOptions,
  PathStyle,
  RawConnectionConfig,
} from "@natskit/nats-connection";
import {
  connectionFields,
  type Infer,
  mergeIssues,
  normalizeConnectionConfig,
  type Path,
  parseFields,
  type RawIssue,
  renderIssues,
  v,
  validate,
} from "@natskit/nats-connection/internal";
import { type Duration, formatMs, parseDuration } from "./duration.js";
import { CacheConfigError } from "./errors.js";
import type { KeyCodecName } from "./keys.js";

/** Defaults of every cache field beyond the connection's. */
export const CACHE_DEFAULTS = {
  createBucket: false,
  keyCodec: "none" as KeyCodecName,
  operationTimeoutMs: 5000,
  getMultiBatch: true,
  bucketSettings: { history: 1, storage: "file", replicas: 1, maxBytes: -1, ttlMs: 0, limitMarkerTtlMs: 0 },
  nearCache: { enabled: false, maxEntries: 1000, maxAgeMs: 30_000 },
} as const;

// Durations are validated in `normalize` so their messages say "duration", not "union".
const duration = v.optional(v.unknown());

const bucketSettingsSchema = v.object({
  history: v.optional(v.int()),
  storage: v.optional(v.enum(["file", "memory"])),
  replicas: v.optional(v.int()),
  max_bytes: v.optional(v.int()),
  ttl: duration,
  limit_marker_ttl: duration,
  description: v.optional(v.string()),
});

const nearCacheSchema = v.object({
  enabled: v.optional(v.boolean()),
  max_entries: v.optional(v.int()),
  max_age: duration,
});

/** The cache's own fields (snake_case), without the connection's. */
const cacheFields = {
  bucket: v.string(),
  create_bucket: v.optional(v.boolean()),
  bucket_settings: v.optional(bucketSettingsSchema),
  key_codec: v.optional(v.enum(["none", "base64url"])),
  operation_timeout: duration,
  near_cache: v.optional(nearCacheSchema),
  get_multi_batch: v.optional(v.boolean()),
};

/** The `nats_kv` cache config as written in YAML: Redpanda Connect's fields plus natskit's extensions. */
export const kvCacheConfigSchema = v.object({ ...connectionFields, ...cacheFields });

const bucketOptionsSchema = v.object(cacheFields);

/**
 * The `nats_kv` cache config as written in YAML (snake_case): Redpanda Connect's fields plus
 * natskit's extensions; the connection fields are `@natskit/nats-connection`'s. The input of
 * {@link KvCache.fromConfig}. A value that is not typed yet (parsed YAML or JSON) goes through
 * {@link parseKvCacheConfig}, which checks it at runtime: `KvCache.connect(parseKvCacheConfig(raw))`.
 *
 * @example
 * ```ts
 * const raw: RawKvCacheConfig = { urls: ["nats://127.0.0.1:4222"], bucket: "sessions", near_cache: { enabled: true } };
 * ```
 */
export interface RawKvCacheConfig extends RawConnectionConfig {
  /** The KV bucket; must exist unless `create_bucket` is set. */
  bucket: string;
  /** Create the bucket at connect when it does not exist. @default false */
  create_bucket?: boolean | undefined;
  bucket_settings?: RawBucketSettings | undefined;
  /** `"base64url"` lets any string be a key (stored encoded). @default "none" */
  key_codec?: KeyCodecName | undefined;
  /** How long an operation may wait for the connection and for the server's answer. @default "5s" */
  operation_timeout?: Duration | undefined;
  near_cache?: RawNearCacheConfig | undefined;
  /**
   * `getMulti` asks for up to 1024 keys per request (batched direct get) where the server has
   * it (nats-server >= 2.11, a bucket with direct get); `false` = one pipelined request per key.
   * @default true
   */
  get_multi_batch?: boolean | undefined;
}

/** `bucket_settings` (snake_case); see {@link BucketSettings} for each field. */
export interface RawBucketSettings {
  history?: number | undefined;
  storage?: "file" | "memory" | undefined;
  replicas?: number | undefined;
  max_bytes?: number | undefined;
  ttl?: Duration | undefined;
  limit_marker_ttl?: Duration | undefined;
  description?: string | undefined;
}

/** `near_cache` (snake_case); see {@link NearCacheOptions} for each field. */
export interface RawNearCacheConfig {
  enabled?: boolean | undefined;
  max_entries?: number | undefined;
  max_age?: Duration | undefined;
}

// The public types are plain interfaces, so the schemas stay out of the published API; this
// type-level check keeps their field names in step with the schemas.
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Check<T extends true> = T;
export type SchemaInStep = Check<
  | SameKeys<RawKvCacheConfig, Infer<typeof kvCacheConfigSchema>>
  | SameKeys<RawBucketSettings, Infer<typeof bucketSettingsSchema>>
  | SameKeys<RawNearCacheConfig, Infer<typeof nearCacheSchema>>
>;

/** Settings used when `create_bucket` creates the bucket; an existing bucket is never changed. */
export interface BucketSettings {
  /** Values kept per key (1–64). @default 1 */
  history?: number;
  /** @default "file" */
  storage?: "file" | "memory";
  /** 1, 3 or 5 on a cluster. @default 1 */
  replicas?: number;
  /** Size limit of the bucket in bytes; -1 = unlimited. @default -1 */
  maxBytes?: number;
  /** Bucket TTL: every entry expires this long after it was written. @default none */
  ttl?: Duration;
  /**
   * Lets entries carry their own TTL (nats-server >= 2.11: `allow_msg_ttl`), and keeps a marker
   * for this long when an entry expires. Needed for `set`/`add` with a TTL on a bucket with no
   * TTL of its own. @default none
   */
  limitMarkerTtl?: Duration;
  /** Stream description. */
  description?: string;
}

/** The local near-cache; see the README for its staleness bound. */
export interface NearCacheOptions {
  /** @default false */
  enabled?: boolean;
  /** Most entries kept; the least recently used go first. @default 1000 */
  maxEntries?: number;
  /** No entry is served older than this, whatever the watch says. @default "30s" */
  maxAge?: Duration;
}

/**
 * The typed (camelCase) options of a KV cache: the connection options of
 * `@natskit/nats-connection` plus the cache's own.
 * @example { urls: ["nats://127.0.0.1:4222"], bucket: "sessions", nearCache: { enabled: true } }
 */
export interface KvCacheOptions extends NatsConnectionOptions {
  /** The KV bucket; must exist unless `createBucket` is set. */
  bucket: string;
  /** Create the bucket at connect when it does not exist. @default false */
  createBucket?: boolean;
  bucketSettings?: BucketSettings;
  /** `"base64url"` lets any string be a key (stored encoded). @default "none" */
  keyCodec?: KeyCodecName;
  /** How long an operation may wait for the connection and for the server's answer. @default "5s" */
  operationTimeout?: Duration;
  nearCache?: NearCacheOptions;
  /**
   * `getMulti` asks for up to 1024 keys per request (batched direct get) where the server has
   * it (nats-server >= 2.11, a bucket with direct get); `false` = one pipelined request per key.
   * Either way the results are the same.
   * @default true
   * @example { bucket: "sessions", getMultiBatch: false }
   */
  getMultiBatch?: boolean;
}

/** The cache's own options, for a cache on a connection the caller already has (`KvCache.open`). */
export type KvCacheBucketOptions = Omit<KvCacheOptions, keyof NatsConnectionOptions>;

/** A validated cache config (from {@link parseKvCacheConfig} or {@link parseKvCacheOptions}). */
export interface KvCacheConfig {
  readonly connection: ConnectionConfig;
  readonly bucket: string;
  readonly createBucket: boolean;
  readonly bucketSettings: {
    readonly history: number;
    readonly storage: "file" | "memory";
    readonly replicas: number;
    readonly maxBytes: number;
    readonly ttlMs: number;
    readonly limitMarkerTtlMs: number;
    readonly description: string | undefined;
  };
  readonly keyCodec: KeyCodecName;
  readonly operationTimeoutMs: number;
  readonly nearCache: { readonly enabled: boolean; readonly maxEntries: number; readonly maxAgeMs: number };
  readonly getMultiBatch: boolean;
  readonly pathStyle: PathStyle;
}

const BUCKET_NAME = /^[-_a-zA-Z0-9]+$/;

/**
 * Validates a `nats_kv` cache config in Redpanda Connect's YAML shape (snake_case). Pure: reads
 * no files. Throws {@link CacheConfigError} listing every problem with its field path.
 */
export function parseKvCacheConfig(input: unknown, options: { label?: string } = {}): KvCacheConfig {
  return parse(input, "snake", options.label);
}

/** Same as {@link parseKvCacheConfig} for the typed API; paths in errors are camelCase. */
export function parseKvCacheOptions(options: KvCacheOptions): KvCacheConfig {
  if (!isPlainObject(options))
    throw new CacheConfigError([{ path: "", message: "expected an options object" }]);
  const { name, ...rest } = options;
  if (name !== undefined && typeof name !== "string") {
    throw new CacheConfigError([{ path: "name", message: `expected string, got ${typeof name}` }]);
  }
  return parse(keysToSnake(rest), "camel", name);
}

/** Validates the cache's own options (camelCase) for a connection that already exists. */
export function parseKvCacheBucketOptions(
  options: KvCacheBucketOptions,
  connection: ConnectionConfig,
): KvCacheConfig {
  if (!isPlainObject(options))
    throw new CacheConfigError([{ path: "", message: "expected an options object" }]);
  const input = keysToSnake(options);
  const parsed = validate(bucketOptionsSchema, input);
  if (!parsed.ok) throw new CacheConfigError(renderIssues(parsed.issues, "camel"));
  const issues: RawIssue[] = [];
  const config = normalizeCache(parsed.value, connection, "camel", (path, message) =>
    issues.push({ path, message }),
  );
  if (issues.length > 0) throw new CacheConfigError(renderIssues(issues, "camel"));
  return config;
}

function parse(input: unknown, style: PathStyle, label: string | undefined): KvCacheConfig {
  const { data, issues: schemaIssues } = parseFields(kvCacheConfigSchema, input);
  const raw = { urls: [], bucket: "", ...data } as Infer<typeof kvCacheConfigSchema>;
  const { config: connection, issues } = normalizeConnectionConfig(raw, {
    ...(label === undefined ? {} : { label }),
    pathStyle: style,
  });
  const push = (path: Path, message: string) => issues.push({ path, message });
  const config = normalizeCache(raw, connection, style, push);
  const all = mergeIssues(schemaIssues, issues);
  if (all.length > 0) throw new CacheConfigError(renderIssues(all, style));
  return config;
}

function normalizeCache(
  raw: Infer<typeof bucketOptionsSchema>,
  connection: ConnectionConfig,
  style: PathStyle,
  push: (path: Path, message: string) => void,
): KvCacheConfig {
  if (raw.bucket === "") push(["bucket"], "required");
  else if (!BUCKET_NAME.test(raw.bucket)) {
    push(["bucket"], `'${raw.bucket}' is not a bucket name: use only [-_a-zA-Z0-9]`);
  }

  const dur = (path: Path, value: unknown, fallback: number, min: number, what: string): number => {
    if (value === undefined) return fallback;
    const d = parseDuration(value as Duration);
    if ("error" in d) {
      push(path, d.error);
      return fallback;
    }
    if (d.ms < min) {
      push(path, `${what}, got '${String(value)}'`);
      return fallback;
    }
    return d.ms;
  };
  const int = (
    path: Path,
    value: number | undefined,
    fallback: number,
    ok: (n: number) => boolean,
    rule: string,
  ) => {
    if (value === undefined) return fallback;
    if (!ok(value)) {
      push(path, `${rule}, got ${value}`);
      return fallback;
    }
    return value;
  };

  const d = CACHE_DEFAULTS;
  const bs = raw.bucket_settings ?? {};
  const bucketSettings = {
    history: int(["bucket_settings", "history"], bs.history, 1, (n) => n >= 1 && n <= 64, "must be 1 to 64"),
    storage: bs.storage ?? d.bucketSettings.storage,
    replicas: int(["bucket_settings", "replicas"], bs.replicas, 1, (n) => n >= 1 && n <= 5, "must be 1 to 5"),
    maxBytes: int(
      ["bucket_settings", "max_bytes"],
      bs.max_bytes,
      -1,
      (n) => n === -1 || n > 0,
      "must be -1 (unlimited) or a positive number of bytes",
    ),
    ttlMs: dur(["bucket_settings", "ttl"], bs.ttl, 0, 0, "must not be negative"),
    limitMarkerTtlMs: dur(
      ["bucket_settings", "limit_marker_ttl"],
      bs.limit_marker_ttl,
      0,
      0,
      "must not be negative",
    ),
    description: bs.description,
  };
  if (bucketSettings.limitMarkerTtlMs > 0 && bucketSettings.limitMarkerTtlMs < 1000) {
    push(
      ["bucket_settings", "limit_marker_ttl"],
      `must be at least 1s (the server counts whole seconds), got ${formatMs(bucketSettings.limitMarkerTtlMs)}`,
    );
  }
  if (bucketSettings.ttlMs > 0 && bucketSettings.ttlMs < 100) {
    push(["bucket_settings", "ttl"], `must be at least 100ms, got ${formatMs(bucketSettings.ttlMs)}`);
  }

  const nc = raw.near_cache ?? {};
  const nearCache = {
    enabled: nc.enabled ?? d.nearCache.enabled,
    maxEntries: int(
      ["near_cache", "max_entries"],
      nc.max_entries,
      d.nearCache.maxEntries,
      (n) => n >= 1,
      "must be at least 1",
    ),
    maxAgeMs: dur(["near_cache", "max_age"], nc.max_age, d.nearCache.maxAgeMs, 1, "must be positive"),
  };

  return {
    connection,
    bucket: raw.bucket,
    createBucket: raw.create_bucket ?? d.createBucket,
    bucketSettings,
    keyCodec: raw.key_codec ?? d.keyCodec,
    operationTimeoutMs: dur(
      ["operation_timeout"],
      raw.operation_timeout,
      d.operationTimeoutMs,
      1,
      "must be positive",
    ),
    nearCache,
    getMultiBatch: raw.get_multi_batch ?? d.getMultiBatch,
    pathStyle: style,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function keysToSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysToSnake);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = keysToSnake(v);
  return out;
}
