import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
  type StreamInfo,
} from "@nats-io/jetstream";
import { type KV, Kvm, type KvOptions, KvWatchInclude } from "@nats-io/kv";
import type { Msg } from "@nats-io/transport-node";
import { ConfigError, type ConnectOptions, connectNats, type NatsClient } from "@natskit/nats-connection";
import {
  type KvCacheBucketOptions,
  type KvCacheConfig,
  type KvCacheOptions,
  parseKvCacheBucketOptions,
  parseKvCacheConfig,
  parseKvCacheOptions,
} from "./config.js";
import { copyOut } from "./copy.js";
import { formatMs, parseDuration, toWholeSeconds } from "./duration.js";
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
  OutcomeUnknownError,
  printable,
  TtlNotSupportedError,
  UnavailableError,
} from "./errors.js";
import { type KeyCodec, keyCodec } from "./keys.js";
import { NearCache, type NearCacheStats } from "./near-cache.js";
import { EncodedHeaders, headerText, parseReplyHeaders, payloadText, type ReplyHeaders } from "./reply.js";
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
}

/** Options of {@link KvCache.connect} beyond the config. */
export interface KvCacheConnectOptions extends ConnectOptions {
  /** The component label; it becomes the connection name (YAML configs). */
  label?: string;
}

type ReadResult =
  | {
      readonly kind: "value";
      readonly value: Uint8Array;
      readonly revision: number;
      readonly ttlLeftMs?: number;
    }
  | { readonly kind: "deleted"; readonly revision: number }
  | { readonly kind: "missing" };

interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

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
/** Errors made from a 503 "no responders" reply: the request reached nobody. */
const NO_RESPONDERS = new WeakSet<object>();

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
  readonly #near: NearCache | undefined;
  readonly #kv: KV;
  readonly #putPrefix: string;
  readonly #readPrefix: string;
  readonly #msgGetSubject: string;
  readonly #unsubscribe: (() => void)[] = [];
  #watch: { stop(): void } | undefined;
  /** Bumped by every stop: a watch attempt that finds it changed was superseded. */
  #watchGeneration = 0;
  #watchRetry: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    client: NatsClient,
    ownsClient: boolean,
    config: KvCacheConfig,
    info: BucketInfo,
    kv: KV,
  ) {
    this.#client = client;
    this.#ownsClient = ownsClient;
    this.config = config;
    this.info = info;
    this.#kv = kv;
    this.#codec = keyCodec(config.keyCodec);
    this.#req = new Requester(client, config.operationTimeoutMs);
    this.#putPrefix = `$KV.${config.bucket}.`;
    this.#readPrefix = `$JS.API.DIRECT.GET.${info.stream}.$KV.${config.bucket}.`;
    this.#msgGetSubject = `$JS.API.STREAM.MSG.GET.${info.stream}`;
    if (config.nearCache.enabled) {
      this.#near = new NearCache(config.nearCache.maxEntries, config.nearCache.maxAgeMs);
    }
  }

  /**
   * Connects, checks that the bucket exists (or creates it with `createBucket`), and returns a
   * ready cache. Takes the typed options or a config from {@link parseKvCacheConfig}.
   * @throws CacheConfigError for invalid options (nothing is dialled), or a file the config
   *   names (creds, nkey, TLS) that cannot be read or used.
   * @throws ConnectError from `@natskit/nats-connection` when no server accepts the connection.
   * @throws BucketNotFoundError, JetStreamNotEnabledError, TtlNotSupportedError (a
   *   `limitMarkerTtl` the server cannot honour), UnavailableError.
   */
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
      return await KvCache.#bind(client, true, config);
    } catch (e) {
      await client.close().catch(() => {});
      throw e;
    }
  }

  /** {@link connect} for a config in Redpanda Connect's YAML shape (snake_case). */
  static async fromConfig(raw: unknown, connect: KvCacheConnectOptions = {}): Promise<KvCache> {
    const config = parseKvCacheConfig(raw, connect.label === undefined ? {} : { label: connect.label });
    return await KvCache.connect(config, connect);
  }

  /**
   * A cache on a connection the caller owns (several caches and outputs can share one).
   * `close()` then leaves the connection open.
   */
  static async open(client: NatsClient, options: KvCacheBucketOptions): Promise<KvCache> {
    const config = parseKvCacheBucketOptions(options, client.config);
    return await KvCache.#bind(client, false, config);
  }

  static async #bind(client: NatsClient, owns: boolean, config: KvCacheConfig): Promise<KvCache> {
    const timeout = config.operationTimeoutMs;
    const nc = client.nc;
    const serverVersion = nc.info?.version ?? "0.0.0";
    const stream = `KV_${config.bucket}`;
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
    const info: BucketInfo = {
      bucket: config.bucket,
      stream,
      serverVersion,
      created,
      directGet: c.allow_direct === true,
      history: c.max_msgs_per_subject,
      storage: c.storage === StorageType.Memory ? "memory" : "file",
      bucketTtlMs: Math.round((c.max_age ?? 0) / 1e6),
      perKeyTtl: atLeast(serverVersion, 2, 11) && (c as { allow_msg_ttl?: boolean }).allow_msg_ttl === true,
    };
    const kv = await new Kvm(js).open(config.bucket);
    const cache = new KvCache(client, owns, config, info, kv);
    try {
      await cache.#startNearCache();
    } catch (e) {
      await cache.close();
      throw classifySetupError(e, `watching bucket '${config.bucket}' for the near-cache`);
    }
    return cache;
  }

  static async #manager(client: NatsClient, timeout: number): Promise<JetStreamManager> {
    try {
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
    if (s.limitMarkerTtlMs > 0 && !atLeast(serverVersion, 2, 11)) {
      // The server would accept the setting and silently drop it.
      throw new TtlNotSupportedError(
        `bucket_settings.limit_marker_ttl: per-key ttl needs nats-server >= 2.11, the server is ${serverVersion}; bucket '${config.bucket}' was not created`,
        serverVersion,
      );
    }
    const opts: Partial<KvOptions> = {
      history: s.history,
      storage: s.storage === "memory" ? StorageType.Memory : StorageType.File,
      replicas: s.replicas,
      max_bytes: s.maxBytes,
    };
    if (s.ttlMs > 0) opts.ttl = s.ttlMs;
    if (s.limitMarkerTtlMs > 0) opts.markerTTL = s.limitMarkerTtlMs;
    if (s.description !== undefined) opts.description = s.description;
    try {
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

  async get(key: string): Promise<Uint8Array> {
    this.#assertOpen();
    const near = this.#near;
    if (near === undefined) {
      const r = await this.#read(this.#codec.encode(key), key, "get");
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
      r = await this.#read(skey, key, "get");
    } catch (e) {
      near.endFetch(token, undefined);
      throw e;
    }
    near.endFetch(token, r.kind === "value" ? r : undefined);
    if (r.kind !== "value") throw new KeyNotFoundError(key);
    return r.value;
  }

  async set(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const skey = this.#codec.encode(key);
    const data = toBytes(value, "set");
    const h =
      options.ttl === undefined ? undefined : this.#ttlHeaders([], ttlMs(options.ttl, "set"), "set", key);
    this.#checkSize(data, "set", key);
    await this.#write(skey, key, data, h, "set");
  }

  async add(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#assertOpen();
    const skey = this.#codec.encode(key);
    const data = toBytes(value, "add");
    const ttl = options.ttl === undefined ? undefined : ttlMs(options.ttl, "add");
    let first: RequestHeaders = CREATE_HEADERS;
    if (ttl !== undefined) first = this.#ttlHeaders([EXPECT_NONE], ttl, "add", key); // fails before sending
    this.#checkSize(data, "add", key);
    let h: RequestHeaders = first;
    for (let attempt = 0; attempt < MAX_ADD_ATTEMPTS; attempt++) {
      this.#near?.invalidate(key);
      const m = await this.#req.request(this.#putPrefix + skey, data, h, "write", "add", key);
      const ack = this.#ack(m, "add", key);
      if (ack.seq !== undefined) {
        this.#near?.invalidate(key, ack.seq);
        return;
      }
      if (!WRONG_LAST_SEQUENCE.has(ack.error.err_code ?? 0)) throw this.#serverError(ack.error, "add", key);
      // The key has an entry: a value (the add fails), or a delete/purge marker or an expired
      // entry, which `add` replaces by expecting exactly that revision.
      const current = await this.#read(skey, key, "add");
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

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#write(this.#codec.encode(key), key, EMPTY, DELETE_HEADERS, "delete");
  }

  async getMulti(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#assertOpen();
    if (!Array.isArray(keys)) throw new InvalidArgumentError("getMulti: expected an array of keys");
    const unique = new Map<string, string>(); // caller key -> stored key; all checked first
    for (const k of keys) unique.set(k, this.#codec.encode(k));
    const out = new Map<string, Uint8Array>();
    const todo: [string, string][] = [];
    const near = this.#near;
    for (const [key, skey] of unique) {
      const hit = near?.get(key);
      if (hit !== undefined) out.set(key, hit);
      else todo.push([key, skey]);
    }
    let firstError: unknown;
    await windowed(todo.length, MULTI_WINDOW, async (i) => {
      const [key, skey] = todo[i] as [string, string];
      const token = near?.beginFetch(key);
      try {
        const r = await this.#read(skey, key, "getMulti");
        near?.endFetch(token, r.kind === "value" ? r : undefined);
        if (r.kind === "value") out.set(key, r.value);
      } catch (e) {
        near?.endFetch(token, undefined);
        firstError ??= e;
      }
    });
    if (firstError !== undefined) throw firstError;
    return out;
  }

  async setMulti(entries: readonly CacheEntry[]): Promise<void> {
    this.#assertOpen();
    if (!Array.isArray(entries)) throw new InvalidArgumentError("setMulti: expected an array of entries");
    // Everything is checked before anything is sent.
    const prepared = entries.map((e) => {
      if (e === null || typeof e !== "object") {
        throw new InvalidArgumentError("setMulti: expected entries of the form { key, value, ttl? }");
      }
      const skey = this.#codec.encode(e.key);
      const data = toBytes(e.value, "setMulti");
      this.#checkSize(data, "setMulti", e.key);
      const h =
        e.ttl === undefined ? undefined : this.#ttlHeaders([], ttlMs(e.ttl, "setMulti"), "setMulti", e.key);
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
      await this.#req.idle();
      this.#req.close();
      this.#stopWatch();
      if (this.#watchRetry) clearTimeout(this.#watchRetry);
      this.#near?.reset();
      for (const off of this.#unsubscribe) off();
      if (this.#ownsClient) await this.#client.close().catch(() => {});
    })();
    await this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
    const ack = await this.#whileNoResponders(async () => {
      const m = await this.#req.request(this.#putPrefix + skey, data, h, "write", op, key);
      return this.#ack(m, op, key);
    });
    if (ack.seq === undefined) throw this.#serverError(ack.error, op, key);
    this.#near?.invalidate(key, ack.seq);
    return ack.seq;
  }

  /**
   * Runs a request again while the bucket's stream answers "no responders" (a stream between
   * leaders after a node failure, or JetStream still starting), within `operation_timeout`.
   * Such a request reached nobody, so even a write is safe to send again.
   */
  async #whileNoResponders<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.config.operationTimeoutMs;
    let pause = 25;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!NO_RESPONDERS.has(e as object) || Date.now() + pause >= deadline || this.#closed) throw e;
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 500);
    }
  }

  #read(skey: string, key: string, op: string): Promise<ReadResult> {
    return this.#whileNoResponders(() => this.#readOnce(skey, key, op));
  }

  #readOnce(skey: string, key: string, op: string): Promise<ReadResult> {
    if (this.info.directGet) {
      return this.#req
        .request(this.#readPrefix + skey, EMPTY, undefined, "read", op, key)
        .then((m) => this.#fromDirect(m, op, key));
    }
    const body = encoder.encode(JSON.stringify({ last_by_subj: this.#putPrefix + skey }));
    return this.#req
      .request(this.#msgGetSubject, body, undefined, "read", op, key)
      .then((m) => this.#fromStreamGet(m, op, key));
  }

  #fromDirect(m: Msg, op: string, key: string): ReadResult {
    const h = parseReplyHeaders(headerText(m));
    if (h.status !== 0 && h.status !== 200) {
      if (h.status === 404) return { kind: "missing" };
      if (h.status === 503) throw this.#noResponders(op, key, "read");
      throw this.#serverError({ code: h.status, description: h.description }, op, key);
    }
    if (h.sequence === "") {
      throw this.#serverError({ code: 500, description: "direct get reply without a sequence" }, op, key);
    }
    return this.#entry(Number(h.sequence), h, m.data);
  }

  #fromStreamGet(m: Msg, op: string, key: string): ReadResult {
    if (parseReplyHeaders(headerText(m)).status === 503) throw this.#noResponders(op, key, "read");
    let body: { message?: { seq: number; hdrs?: string; data?: string; time: string }; error?: ApiError };
    try {
      body = JSON.parse(payloadText(m));
    } catch (e) {
      throw new KvCacheError("SERVER_ERROR", `${op} '${printable(key)}': unreadable reply from the server`, {
        cause: e,
      });
    }
    if (body.error) {
      // 10037 "no message found"; a 404 for the stream itself (10059) means the bucket is gone.
      if (body.error.code === 404 && (body.error.err_code ?? NO_MESSAGE_FOUND) === NO_MESSAGE_FOUND) {
        return { kind: "missing" };
      }
      throw this.#serverError(body.error, op, key);
    }
    const msg = body.message;
    if (!msg)
      throw this.#serverError({ code: 500, description: "message get reply without a message" }, op, key);
    const h = parseReplyHeaders(msg.hdrs ? Buffer.from(msg.hdrs, "base64").toString("latin1") : "");
    h.timestamp = msg.time;
    const data = msg.data ? new Uint8Array(Buffer.from(msg.data, "base64")) : EMPTY;
    return this.#entry(msg.seq, h, data);
  }

  #entry(revision: number, h: ReplyHeaders, data: Uint8Array): ReadResult {
    if (h.operation === "DEL" || h.operation === "PURGE" || h.markerReason !== "") {
      return { kind: "deleted", revision };
    }
    // TTL bookkeeping costs a timestamp parse, so it is done only when an expiry applies.
    let ttlLeftMs: number | undefined;
    const own = h.cacheTtl;
    const ttl = own !== "" ? Number(own) : h.natsTtl !== "" ? natsTtlMs(h.natsTtl) : this.info.bucketTtlMs;
    if (ttl > 0 && (own !== "" || this.#near !== undefined)) {
      const written = Date.parse(h.timestamp);
      if (Number.isFinite(written)) {
        ttlLeftMs = written + ttl - Date.now();
        if (own !== "" && ttlLeftMs <= 0) return { kind: "deleted", revision };
      }
    }
    const value = copyOut(data); // the reply is a view into a socket buffer
    return ttlLeftMs === undefined
      ? { kind: "value", value, revision }
      : { kind: "value", value, revision, ttlLeftMs };
  }

  #ack(
    m: Msg,
    op: string,
    key: string,
  ): { seq: number; error?: undefined } | { seq?: undefined; error: ApiError } {
    if (m.headers !== undefined && parseReplyHeaders(headerText(m)).status === 503) {
      throw this.#noResponders(op, key, "write");
    }
    const text = payloadText(m);
    // A PubAck is `{"stream":"KV_x","seq":12}` (maybe with "domain"/"duplicate"); read the
    // sequence directly and leave JSON.parse to anything else.
    if (!text.includes('"error"')) {
      const at = text.indexOf('"seq":');
      if (at >= 0) {
        const seq = Number.parseInt(text.slice(at + 6), 10);
        if (Number.isSafeInteger(seq)) return { seq };
      }
    }
    let body: { seq?: number; error?: ApiError };
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new OutcomeUnknownError(`${op} '${printable(key)}': unreadable acknowledgement from the server`, {
        cause: e,
      });
    }
    if (body.error) return { error: body.error };
    if (typeof body.seq !== "number") {
      throw new OutcomeUnknownError(`${op} '${printable(key)}': acknowledgement without a sequence`);
    }
    return { seq: body.seq };
  }

  #noResponders(op: string, key: string, kind: "read" | "write"): UnavailableError {
    const e = new UnavailableError(
      `${op} '${printable(key)}': no stream answered for bucket '${this.config.bucket}' (it was deleted, its stream has no leader, or jetstream is still starting)` +
        (kind === "write" ? "; nothing was written" : ""),
    );
    NO_RESPONDERS.add(e);
    return e;
  }

  #serverError(e: ApiError, op: string, key: string): NatsServerError {
    // 5xx answers are the server's own trouble (e.g. a stream leader election) and worth a
    // retry, except a full bucket, which a retry does not fix.
    const full = /maximum (bytes|messages|message size)/i.test(e.description ?? "");
    return new NatsServerError(`${op} '${printable(key)}'`, e, { retryable: e.code >= 500 && !full });
  }

  /** Headers for a write with a TTL, or {@link TtlNotSupportedError} if it cannot be honoured. */
  #ttlHeaders(fields: [string, string][], ms: number, op: string, key: string): RequestHeaders {
    const info = this.info;
    if (info.perKeyTtl) return new EncodedHeaders([...fields, ["Nats-TTL", toWholeSeconds(ms)]]);
    const where = `${op} '${printable(key)}': ttl ${formatMs(ms)}`;
    const noPerKey = atLeast(info.serverVersion, 2, 11)
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

  #checkSize(data: Uint8Array, op: string, key: string): void {
    const max = this.#client.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (data.length > max) {
      throw new InvalidArgumentError(
        `${op} '${printable(key)}': value of ${data.length} bytes is larger than the server's max_payload of ${max} bytes`,
      );
    }
  }

  // --- near-cache coherence -------------------------------------------------------------

  async #startNearCache(): Promise<void> {
    const near = this.#near;
    if (near === undefined) return;
    this.#unsubscribe.push(
      this.#client.on("disconnect", () => {
        // Events may be missed while disconnected: forget everything until a new watch runs.
        near.reset();
        this.#stopWatch();
      }),
      this.#client.on("reconnect", () => this.#restartWatch(0)),
    );
    await this.#startWatch();
  }

  async #startWatch(): Promise<void> {
    const near = this.#near;
    if (near === undefined || this.#closed) return;
    this.#stopWatch();
    // Nothing is served until this watch is live: changes before it starts would be missed.
    near.reset();
    const generation = this.#watchGeneration;
    let iter: Awaited<ReturnType<KV["watch"]>>;
    try {
      iter = await this.#kv.watch({ include: KvWatchInclude.UpdatesOnly });
    } catch (e) {
      if (generation !== this.#watchGeneration) return; // superseded: a newer attempt owns the watch
      throw e;
    }
    if (generation !== this.#watchGeneration || this.#closed || !this.#client.isConnected()) {
      // A disconnect, close or newer attempt came while this one waited: it must not go live.
      iter.stop();
      return;
    }
    this.#watch = iter;
    near.goLive();
    void (async () => {
      try {
        for await (const e of iter) {
          const key = this.#codec.decode(e.key);
          if (key !== undefined) near.invalidate(key, e.revision);
        }
      } catch {
        // Ends the watch; handled below.
      }
      if (this.#watch === iter) {
        this.#watch = undefined;
        near.reset();
        this.#restartWatch(250);
      }
    })();
  }

  #restartWatch(delayMs: number): void {
    if (this.#closed || this.#near === undefined) return;
    if (this.#watchRetry) clearTimeout(this.#watchRetry);
    this.#watchRetry = setTimeout(() => {
      this.#watchRetry = undefined;
      if (this.#closed || !this.#client.isConnected()) return;
      // After a server restart JetStream may need a moment; keep trying while connected.
      this.#startWatch().catch(() => this.#restartWatch(Math.min(2000, Math.max(100, delayMs * 2))));
    }, delayMs);
    this.#watchRetry.unref?.();
  }

  #stopWatch(): void {
    this.#watchGeneration++;
    const w = this.#watch;
    this.#watch = undefined;
    try {
      w?.stop();
    } catch {
      // Stopping a watch on a dead connection may throw; it is gone either way.
    }
  }
}

/** JetStream `err_code` of a message get for a sequence or subject that holds nothing. */
const NO_MESSAGE_FOUND = 10037;

function isConfig(o: KvCacheOptions | KvCacheConfig): o is KvCacheConfig {
  return "connection" in o && "pathStyle" in o;
}

/** `major.minor` of a `x.y.z` version at least the given one. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}

function natsTtlMs(v: string): number {
  if (v === "never") return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = parseDuration(v);
  return "ms" in d ? d.ms : 0;
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
