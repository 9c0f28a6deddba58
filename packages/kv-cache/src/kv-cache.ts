// The JetStream and KV clients are loaded by connect (async), not at import: an import of this
// package costs about what @nats-io/transport-node does.
import type { JetStreamClient, JetStreamManager, StorageType, StreamInfo } from "@nats-io/jetstream";
import type { KvOptions } from "@nats-io/kv";
import type { ConnectOptions, NatsClient } from "@natskit/nats-connection";
import { ConfigError, connectNats, loadMeter, serverAtLeast } from "@natskit/nats-connection/internal";
import type { Meter, MeterProvider } from "@opentelemetry/api";
import { BATCH_GET_MIN_VERSION, MultiGet } from "./batch-get.js";
import { type ApiError, BucketClient, type ReadResult } from "./bucket-client.js";
import { NearCacheCoherence } from "./coherence.js";
import {
  type KvCacheBucketOptions,
  type KvCacheConfig,
  type KvCacheOptions,
  parseKvCacheBucketOptions,
  parseKvCacheConfig,
  parseKvCacheOptions,
  type RawKvCacheConfig,
} from "./config.js";
import { formatMs, toWholeSeconds } from "./duration.js";
import {
  BucketNotFoundError,
  CacheClosedError,
  CacheConfigError,
  InvalidArgumentError,
  JetStreamNotEnabledError,
  KeyExistsError,
  KeyNotFoundError,
  KvCacheError,
  NatsServerError,
  printable,
  TtlNotSupportedError,
  UnavailableError,
} from "./errors.js";
import { type KeyCodec, keyCodec } from "./keys.js";
import { CacheMetrics, type CacheMetricsOptions, type CacheOperation } from "./metrics.js";
import { NearCache, type NearCacheStats } from "./near-cache.js";
import { EncodedHeaders } from "./reply.js";
import { Requester, type RequestHeaders } from "./requester.js";
import type { Cache, CacheEntry, CacheValue, WriteOptions } from "./types.js";
import { batchResult, toBytes, ttlMs } from "./values.js";

/** What the cache found out about the bucket and the server at connect. */
export interface BucketInfo {
  readonly bucket: string;
  /** The backing stream, `KV_<bucket>`. */
  readonly stream: string;
  /** The server's version, e.g. `"2.9.10"`. */
  readonly serverVersion: string;
  /** Whether `create_bucket` created the bucket during this connect. */
  readonly created: boolean;
  /** Reads use direct get (`allow_direct` on the bucket): faster, any replica may answer. */
  readonly directGet: boolean;
  readonly history: number;
  readonly storage: "file" | "memory";
  /** The bucket's own TTL in ms (`max_age`); 0 = none. */
  readonly bucketTtlMs: number;
  /** Whether entries can carry their own TTL (nats-server >= 2.11 and `allow_msg_ttl` on the bucket). */
  readonly perKeyTtl: boolean;
  /**
   * Whether `getMulti` asks for many keys per request (batched direct get): nats-server >= 2.11,
   * direct get on the bucket, and `get_multi_batch` not turned off. Decided at connect; should
   * a server still refuse a batch (an older server in a cluster being upgraded), the cache
   * reads key by key from then on.
   */
  readonly batchGet: boolean;
}

/** Options of {@link KvCache.connect} beyond the config. */
export interface KvCacheConnectOptions extends ConnectOptions, KvCacheMetricsOption {
  /** The component label; it becomes the connection name (YAML configs). */
  label?: string;
}

export interface KvCacheMetricsOption {
  /**
   * OpenTelemetry metrics (`cache_success`, `cache_error`, `cache_latency_ns`, …; see the README).
   * On by default when `@opentelemetry/api` is installed: they go to its global meter provider,
   * which must be installed before the cache connects.
   */
  metrics?: CacheMetricsOptions;
}

const EMPTY = new Uint8Array(0);

/** Header natskit writes when a per-call TTL is shorter than the bucket's own TTL (see README). */
export const CACHE_TTL_HEADER = "Natskit-Cache-Ttl";
const EXPECT_NONE: [string, string] = ["Nats-Expected-Last-Subject-Sequence", "0"];
const CREATE_HEADERS = new EncodedHeaders([EXPECT_NONE]);
const DELETE_HEADERS = new EncodedHeaders([["KV-Operation", "DEL"]]);
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);
const STREAM_NOT_FOUND = 10059;
const MAX_ADD_ATTEMPTS = 4;
/** Most requests a getMulti/setMulti keeps in flight; beyond this, answers only queue up. */
const MULTI_WINDOW = 1024;

/**
 * The `nats_kv` cache: a {@link Cache} on a NATS KV bucket, with Redpanda Connect's semantics
 * and error texts, plus TTLs, batch operations, key codecs, an optional near-cache, and
 * typed, retryable errors across connection faults.
 *
 * @example
 * const cache = await KvCache.connect({ urls: ["nats://127.0.0.1:4222"], bucket: "sessions" });
 * await cache.set("user-1", "alice", { ttl: "10m" });
 * const value = new TextDecoder().decode(await cache.get("user-1"));
 * await cache.close();
 */
export class KvCache implements Cache {
  readonly config: KvCacheConfig;
  readonly info: BucketInfo;
  readonly #client: NatsClient;
  readonly #ownsClient: boolean;
  readonly #req: Requester;
  readonly #codec: KeyCodec;
  readonly #bucket: BucketClient;
  readonly #multi: MultiGet;
  readonly #near: NearCache | undefined;
  readonly #coherence: NearCacheCoherence | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #metrics: CacheMetrics | undefined;

  private constructor(client: NatsClient, ownsClient: boolean, config: KvCacheConfig, info: BucketInfo) {
    this.#client = client;
    this.#ownsClient = ownsClient;
    this.config = config;
    this.info = info;
    this.#codec = keyCodec(config.keyCodec);
    this.#req = new Requester(client, config.operationTimeoutMs);
    this.#bucket = new BucketClient(client, this.#req, info, config.nearCache.enabled);
    this.#multi = new MultiGet(client, this.#req, this.#bucket, info);
    if (config.nearCache.enabled) {
      const near = new NearCache(config.nearCache.maxEntries, config.nearCache.maxAgeMs);
      this.#near = near;
      const codec = this.#codec;
      this.#coherence = new NearCacheCoherence(client, near, {
        bucket: config.bucket,
        stream: info.stream,
        decodeKey: (k) => codec.decode(k),
        requestTimeoutMs: config.operationTimeoutMs,
      });
    }
  }

  /**
   * Connects, checks that the bucket exists (or creates it with `createBucket`), and returns a
   * ready cache. Takes the typed options or a config from {@link parseKvCacheConfig}. While no
   * server can be reached yet it keeps trying for `wait_on_first_connect` (default 30s);
   * `connect.signal` ends that wait (`ConnectError` `ABORTED`).
   * @throws CacheConfigError for invalid options (nothing is dialled), or a file the config
   *   names (creds, nkey, TLS) that cannot be read or used.
   * @throws ConnectError from `@natskit/nats-connection` when no server accepts the connection:
   *   at once for rejected credentials or certificates, after the wait for an unreachable server.
   * @throws BucketNotFoundError, JetStreamNotEnabledError, TtlNotSupportedError (a
   *   `limitMarkerTtl` the server cannot honour), UnavailableError.
   */
  static async connect(options: KvCacheOptions, connect?: KvCacheConnectOptions): Promise<KvCache>;
  static async connect(config: KvCacheConfig, connect?: KvCacheConnectOptions): Promise<KvCache>;
  // Two signatures, not a union: a typo that happens to be a `KvCacheConfig` field name
  // (`operationTimeoutMs`) would pass a union's excess-property check.
  static async connect(
    options: KvCacheOptions | KvCacheConfig,
    connect: KvCacheConnectOptions = {},
  ): Promise<KvCache> {
    const config = isConfig(options) ? options : parseKvCacheOptions(options);
    let client: NatsClient;
    try {
      client = await connectNats(config.connection, connect);
    } catch (e) {
      // One error class for every config problem of this package, files included.
      if (ConfigError.isInstance(e)) throw new CacheConfigError(e.issues, { cause: e });
      throw e;
    }
    try {
      return await KvCache.#bind(client, true, config, connect);
    } catch (e) {
      await client.close().catch(() => {});
      throw e;
    }
  }

  /**
   * {@link connect} for a config in Redpanda Connect's YAML shape (snake_case), checked again at
   * runtime. A value that is not typed yet (parsed YAML or JSON) goes through
   * `parseKvCacheConfig`: `KvCache.connect(parseKvCacheConfig(raw, { label }))`.
   */
  static async fromConfig(raw: RawKvCacheConfig, connect: KvCacheConnectOptions = {}): Promise<KvCache> {
    const config = parseKvCacheConfig(raw, connect.label === undefined ? {} : { label: connect.label });
    return await KvCache.connect(config, connect);
  }

  /**
   * A cache on a connection the caller owns (several caches and outputs can share one).
   * `close()` then leaves the connection open.
   */
  static async open(
    client: NatsClient,
    options: KvCacheBucketOptions,
    extra: KvCacheMetricsOption & { label?: string } = {},
  ): Promise<KvCache> {
    const config = parseKvCacheBucketOptions(options, client.config);
    return await KvCache.#bind(client, false, config, extra);
  }

  static async #bind(
    client: NatsClient,
    owns: boolean,
    config: KvCacheConfig,
    extra: KvCacheMetricsOption & { label?: string },
  ): Promise<KvCache> {
    const timeout = config.operationTimeoutMs;
    const nc = client.nc;
    const serverVersion = nc.info?.version ?? "0.0.0";
    const stream = `KV_${config.bucket}`;
    const { jetstream } = await import("@nats-io/jetstream");
    const js = jetstream(nc, { timeout });
    const jsm = await KvCache.#manager(client, timeout);

    let si = await KvCache.#streamInfo(jsm, stream, config.bucket);
    let created = false;
    if (si === undefined) {
      if (!config.createBucket) throw new BucketNotFoundError(config.bucket);
      await KvCache.#createBucket(js, config, serverVersion);
      created = true;
      si = await KvCache.#streamInfo(jsm, stream, config.bucket);
      if (si === undefined) throw new BucketNotFoundError(config.bucket);
    }
    const c = si.config;
    const directGet = c.allow_direct === true;
    const info: BucketInfo = {
      bucket: config.bucket,
      stream,
      serverVersion,
      created,
      directGet,
      history: c.max_msgs_per_subject,
      storage: c.storage === ("memory" as StorageType) ? "memory" : "file",
      bucketTtlMs: Math.round((c.max_age ?? 0) / 1e6),
      perKeyTtl:
        serverAtLeast(serverVersion, 2, 11) && (c as { allow_msg_ttl?: boolean }).allow_msg_ttl === true,
      batchGet:
        config.getMultiBatch &&
        directGet &&
        serverAtLeast(serverVersion, BATCH_GET_MIN_VERSION.major, BATCH_GET_MIN_VERSION.minor),
    };
    const cache = new KvCache(client, owns, config, info);
    const m = extra.metrics;
    if (m?.enabled !== false) {
      const meter = (await loadMeter(
        "@natskit/kv-cache",
        "",
        m?.meterProvider as MeterProvider | undefined,
      )) as Meter | undefined;
      if (meter) {
        const label = m?.label ?? extra.label ?? "nats_kv";
        cache.#metrics = new CacheMetrics(meter, label, config.bucket, client, () => cache.nearCacheStats());
      }
    }
    try {
      await cache.#coherence?.start();
    } catch (e) {
      await cache.close();
      throw classifySetupError(e, `watching bucket '${config.bucket}' for the near-cache`);
    }
    return cache;
  }

  static async #manager(client: NatsClient, timeout: number): Promise<JetStreamManager> {
    try {
      const { jetstreamManager } = await import("@nats-io/jetstream");
      return await jetstreamManager(client.nc, { timeout });
    } catch (e) {
      throw classifySetupError(e, "checking jetstream");
    }
  }

  static async #streamInfo(
    jsm: JetStreamManager,
    stream: string,
    bucket: string,
  ): Promise<StreamInfo | undefined> {
    try {
      return await jsm.streams.info(stream);
    } catch (e) {
      if (apiErrorOf(e)?.err_code === STREAM_NOT_FOUND) return undefined;
      throw classifySetupError(e, `reading bucket '${bucket}'`);
    }
  }

  static async #createBucket(
    js: JetStreamClient,
    config: KvCacheConfig,
    serverVersion: string,
  ): Promise<void> {
    const s = config.bucketSettings;
    if (s.limitMarkerTtlMs > 0 && !serverAtLeast(serverVersion, 2, 11)) {
      // The server would accept the setting and silently drop it.
      throw new TtlNotSupportedError(
        `bucket_settings.limit_marker_ttl: per-key ttl needs nats-server >= 2.11, the server is ${serverVersion}; bucket '${config.bucket}' was not created`,
        serverVersion,
      );
    }
    const opts: Partial<KvOptions> = {
      history: s.history,
      storage: (s.storage === "memory" ? "memory" : "file") as StorageType,
      replicas: s.replicas,
      max_bytes: s.maxBytes,
    };
    if (s.ttlMs > 0) opts.ttl = s.ttlMs;
    if (s.limitMarkerTtlMs > 0) opts.markerTTL = s.limitMarkerTtlMs;
    if (s.description !== undefined) opts.description = s.description;
    try {
      const { Kvm } = await import("@nats-io/kv");
      await new Kvm(js).create(config.bucket, opts);
    } catch (e) {
      throw classifySetupError(e, `creating bucket '${config.bucket}'`);
    }
  }

  /** Near-cache counters (all zero when the near-cache is off). */
  nearCacheStats(): NearCacheStats {
    return (
      this.#near?.stats() ?? {
        hits: 0,
        misses: 0,
        invalidations: 0,
        evictions: 0,
        resets: 0,
        size: 0,
        live: false,
      }
    );
  }

  /** The connection, for sharing it or watching its events. */
  get client(): NatsClient {
    return this.#client;
  }

  get(key: string): Promise<Uint8Array> {
    const m = this.#metrics;
    if (m === undefined) return this.#get(key);
    const start = performance.now();
    return this.#metered(m, "get", start, this.#get(key));
  }

  async #get(key: string): Promise<Uint8Array> {
    this.#assertOpen();
    const near = this.#near;
    if (near === undefined) {
      const r = await this.#bucket.read(this.#codec.encode(key), key, "get");
      if (r.kind !== "value") throw new KeyNotFoundError(key);
      return r.value;
    }
    // Keyed by the caller's key: only keys that passed validation are ever held, so a hit
    // skips encoding.
    const hit = near.get(key);
    if (hit !== undefined) return hit;
    const skey = this.#codec.encode(key);
    const token = near.beginFetch(key);
    let r: ReadResult;
    try {
      r = await this.#bucket.read(skey, key, "get");
    } catch (e) {
      near.endFetch(token, undefined);
      throw e;
    }
    near.endFetch(token, r.kind === "value" ? r : undefined);
    if (r.kind !== "value") throw new KeyNotFoundError(key);
    return r.value;
  }

  set(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    const m = this.#metrics;
    if (m === undefined) return this.#set(key, value, options);
    const start = performance.now();
    return this.#metered(m, "set", start, this.#set(key, value, options));
  }

  async #set(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const skey = this.#codec.encode(key);
    const data = toBytes(value, "set");
    const h =
      options.ttl === undefined ? undefined : this.#ttlHeaders([], ttlMs(options.ttl, "set"), "set", key);
    await this.#write(skey, key, data, h, "set");
  }

  add(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    const m = this.#metrics;
    if (m === undefined) return this.#add(key, value, options);
    const start = performance.now();
    return this.#metered(m, "add", start, this.#add(key, value, options));
  }

  async #add(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const skey = this.#codec.encode(key);
    const data = toBytes(value, "add");
    const ttl = options.ttl === undefined ? undefined : ttlMs(options.ttl, "add");
    let first: RequestHeaders = CREATE_HEADERS;
    if (ttl !== undefined) first = this.#ttlHeaders([EXPECT_NONE], ttl, "add", key); // fails before sending
    let h: RequestHeaders = first;
    for (let attempt = 0; attempt < MAX_ADD_ATTEMPTS; attempt++) {
      this.#near?.invalidate(key);
      // put checks the size with this attempt's headers: an expected revision is longer than "0".
      const ack = await this.#bucket.put(skey, key, data, h, "add");
      if (ack.seq !== undefined) {
        this.#near?.invalidate(key, ack.seq);
        return;
      }
      if (!WRONG_LAST_SEQUENCE.has(ack.error.err_code ?? 0)) {
        throw this.#bucket.serverError(ack.error, "add", key);
      }
      // The key has an entry: a value (the add fails), or a delete/purge marker or an expired
      // entry, which `add` replaces by expecting exactly that revision.
      const current = await this.#bucket.read(skey, key, "add");
      if (current.kind === "value") throw new KeyExistsError(key);
      if (current.kind === "missing") {
        h = first;
        continue;
      }
      const expect: [string, string] = ["Nats-Expected-Last-Subject-Sequence", String(current.revision)];
      h = ttl === undefined ? new EncodedHeaders([expect]) : this.#ttlHeaders([expect], ttl, "add", key);
    }
    // Other writers kept changing the key between our read and our write.
    throw new KeyExistsError(key);
  }

  delete(key: string): Promise<void> {
    const m = this.#metrics;
    if (m === undefined) return this.#delete(key);
    const start = performance.now();
    return this.#metered(m, "delete", start, this.#delete(key));
  }

  async #delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#write(this.#codec.encode(key), key, EMPTY, DELETE_HEADERS, "delete");
  }

  getMulti(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const m = this.#metrics;
    if (m === undefined) return this.#getMulti(keys);
    const start = performance.now();
    return this.#metered(m, "get_multi", start, this.#getMulti(keys));
  }

  async #getMulti(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#assertOpen();
    if (!Array.isArray(keys)) throw new InvalidArgumentError("getMulti: expected an array of keys");
    const unique = new Map<string, string>(); // caller key -> stored key; all checked first
    for (const k of keys) unique.set(k, this.#codec.encode(k));
    const hits = new Map<string, Uint8Array>();
    const todo: string[] = [];
    const skeys: string[] = [];
    const near = this.#near;
    for (const [key, skey] of unique) {
      const hit = near?.get(key);
      if (hit !== undefined) hits.set(key, hit);
      else {
        todo.push(key);
        skeys.push(skey);
      }
    }
    if (todo.length === 0) return hits;
    const found: (Uint8Array | undefined)[] = new Array(todo.length);
    // Every fetch is begun before anything is sent, so each token sees every change of its key
    // from then until its answer arrives.
    const tokens = near === undefined ? undefined : todo.map((key) => near.beginFetch(key));
    const answered = tokens === undefined ? undefined : new Uint8Array(todo.length);
    try {
      await this.#multi.readMany(skeys, todo, "getMulti", (i, r) => {
        if (r.kind === "value") found[i] = r.value;
        if (tokens !== undefined && answered !== undefined) {
          answered[i] = 1;
          near?.endFetch(tokens[i], r.kind === "value" ? r : undefined);
        }
      });
    } finally {
      if (tokens !== undefined && answered !== undefined) {
        for (let i = 0; i < tokens.length; i++) if (answered[i] === 0) near?.endFetch(tokens[i], undefined);
      }
    }
    // In the order of the caller's keys, whichever way each was read.
    const out = new Map<string, Uint8Array>();
    let t = 0;
    for (const key of unique.keys()) {
      const v = key === todo[t] ? found[t++] : hits.get(key);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  setMulti(entries: readonly CacheEntry[]): Promise<void> {
    const m = this.#metrics;
    if (m === undefined) return this.#setMulti(entries);
    const start = performance.now();
    return this.#metered(m, "set_multi", start, this.#setMulti(entries));
  }

  async #setMulti(entries: readonly CacheEntry[]): Promise<void> {
    this.#assertOpen();
    if (!Array.isArray(entries)) throw new InvalidArgumentError("setMulti: expected an array of entries");
    // Everything is checked before anything is sent.
    const prepared = entries.map((e) => {
      if (e === null || typeof e !== "object") {
        throw new InvalidArgumentError("setMulti: expected entries of the form { key, value, ttl? }");
      }
      const skey = this.#codec.encode(e.key);
      const data = toBytes(e.value, "setMulti");
      const h =
        e.ttl === undefined ? undefined : this.#ttlHeaders([], ttlMs(e.ttl, "setMulti"), "setMulti", e.key);
      this.#bucket.checkSize(data, h, "setMulti", e.key);
      return { skey, key: e.key, data, h };
    });
    const results = await windowed(prepared.length, MULTI_WINDOW, async (i) => {
      const p = prepared[i] as (typeof prepared)[number];
      await this.#write(p.skey, p.key, p.data, p.h, "setMulti");
    });
    batchResult(
      "setMulti",
      prepared.map((p) => p.key),
      results,
    );
  }

  async close(): Promise<void> {
    if (this.#closing) return await this.#closing;
    this.#closed = true;
    this.#closing = (async () => {
      this.#bucket.close();
      await this.#req.idle();
      this.#req.close();
      this.#coherence?.close();
      this.#metrics?.close();
      if (this.#ownsClient) await this.#client.close().catch(() => {});
    })();
    await this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Counts `work`, started at `start`, in the metrics. */
  async #metered<T>(m: CacheMetrics, op: CacheOperation, start: number, work: Promise<T>): Promise<T> {
    try {
      const result = await work;
      m.done(op, start);
      return result;
    } catch (e) {
      m.done(op, start, e);
      throw e;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheClosedError();
  }

  async #write(
    skey: string,
    key: string,
    data: Uint8Array,
    h: RequestHeaders | undefined,
    op: string,
  ): Promise<number> {
    this.#near?.invalidate(key);
    const ack = await this.#bucket.put(skey, key, data, h, op);
    if (ack.seq === undefined) throw this.#bucket.serverError(ack.error, op, key);
    this.#near?.invalidate(key, ack.seq);
    return ack.seq;
  }

  /** Headers for a write with a TTL, or {@link TtlNotSupportedError} if it cannot be honoured. */
  #ttlHeaders(fields: [string, string][], ms: number, op: string, key: string): RequestHeaders {
    const info = this.info;
    if (info.perKeyTtl) return new EncodedHeaders([...fields, ["Nats-TTL", toWholeSeconds(ms)]]);
    const where = `${op} '${printable(key)}': ttl ${formatMs(ms)}`;
    const noPerKey = serverAtLeast(info.serverVersion, 2, 11)
      ? `bucket '${info.bucket}' does not allow per-key ttl (create it with bucket_settings.limit_marker_ttl)`
      : `nats-server ${info.serverVersion} has no per-key ttl (needs nats-server >= 2.11)`;
    if (info.bucketTtlMs <= 0) {
      throw new TtlNotSupportedError(
        `${where} not supported: ${noPerKey}, and bucket '${info.bucket}' has no ttl of its own (bucket_settings.ttl); nothing was written`,
        info.serverVersion,
      );
    }
    if (ms > info.bucketTtlMs) {
      throw new TtlNotSupportedError(
        `${where} is longer than bucket '${info.bucket}''s own ttl of ${formatMs(info.bucketTtlMs)} and ${noPerKey}; nothing was written`,
        info.serverVersion,
      );
    }
    // Shorter than the bucket's TTL: the entry reads as missing after `ms`, and the server
    // removes it at the bucket's TTL.
    if (ms < info.bucketTtlMs) fields.push([CACHE_TTL_HEADER, String(Math.ceil(ms))]);
    return new EncodedHeaders(fields);
  }
}

function isConfig(o: KvCacheOptions | KvCacheConfig): o is KvCacheConfig {
  return "connection" in o && "pathStyle" in o;
}

function apiErrorOf(e: unknown): ApiError | undefined {
  const x = e as { apiError?: () => ApiError; name?: string };
  if (typeof x?.apiError === "function") return x.apiError();
  return undefined;
}

function classifySetupError(e: unknown, what: string): KvCacheError {
  if (KvCacheError.isInstance(e)) return e;
  const err = e as Error;
  const api = apiErrorOf(e);
  if (api) return new NatsServerError(what, api, { cause: e, retryable: api.code >= 500 });
  const chain: string[] = [];
  for (let c: unknown = e; c instanceof Error && chain.length < 6; c = c.cause)
    chain.push(`${c.name} ${c.message}`);
  const text = chain.join(" | ");
  if (/JetStreamNotEnabled|jetstream is not enabled|not enabled for account/i.test(text)) {
    return new JetStreamNotEnabledError(
      `${what}: jetstream is not enabled on the server (or for this account); the nats_kv cache needs jetstream`,
      { cause: e },
    );
  }
  if (/timeout/i.test(text))
    return new UnavailableError(`${what}: no answer from the server in time`, { cause: e });
  if (/closed|disconnect/i.test(text))
    return new UnavailableError(`${what}: the connection was lost`, { cause: e });
  return new KvCacheError("SERVER_ERROR", `${what}: ${err?.message ?? String(e)}`, { cause: e });
}

async function windowed(
  n: number,
  window: number,
  fn: (i: number) => Promise<void>,
): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        await fn(i);
        results[i] = { status: "fulfilled", value: undefined };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
  return results;
}
