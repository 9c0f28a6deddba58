import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseKvCacheBucketOptions, parseKvCacheConfig, parseKvCacheOptions } from "./config.js";
import { CacheConfigError } from "./errors.js";

function issues(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (CacheConfigError.isInstance(e)) return e.issues;
    throw e;
  }
  throw new Error("expected a CacheConfigError");
}

describe("kv-cache config", () => {
  it("kv-cache - the minimal reference config gets the documented defaults", () => {
    const c = parseKvCacheConfig(
      { urls: ["nats://127.0.0.1:4222"], bucket: "my_kv_bucket" },
      { label: "cache_a" },
    );
    expect(c.bucket).toBe("my_kv_bucket");
    expect(c.createBucket).toBe(false);
    expect(c.keyCodec).toBe("none");
    expect(c.operationTimeoutMs).toBe(5000);
    expect(c.nearCache).toEqual({ enabled: false, maxEntries: 1000, maxAgeMs: 30_000 });
    expect(c.getMultiBatch).toBe(true);
    expect(c.bucketSettings).toEqual({
      history: 1,
      storage: "file",
      replicas: 1,
      maxBytes: -1,
      ttlMs: 0,
      limitMarkerTtlMs: 0,
      description: undefined,
    });
    // Connection fields keep Redpanda Connect's names and defaults.
    expect(c.connection.maxReconnects).toBe(60);
    expect(c.connection.name).toBe("cache_a");
    expect(c.connection.servers.map((s) => s.url)).toEqual(["nats://127.0.0.1:4222"]);
  });

  it("kv-cache - every extension field is read", () => {
    const c = parseKvCacheConfig({
      urls: "nats://a:4222,nats://b:4222",
      bucket: "b-1",
      max_reconnects: -1,
      tls_handshake_first: false,
      create_bucket: true,
      bucket_settings: {
        history: 5,
        storage: "memory",
        replicas: 3,
        max_bytes: 1048576,
        ttl: "1h",
        limit_marker_ttl: "10s",
        description: "cache",
      },
      key_codec: "base64url",
      operation_timeout: "750ms",
      near_cache: { enabled: true, max_entries: 10, max_age: "2s" },
    });
    expect(c.connection.servers).toHaveLength(2);
    expect(c.connection.maxReconnects).toBe(-1);
    expect(c.createBucket).toBe(true);
    expect(c.bucketSettings).toEqual({
      history: 5,
      storage: "memory",
      replicas: 3,
      maxBytes: 1048576,
      ttlMs: 3_600_000,
      limitMarkerTtlMs: 10_000,
      description: "cache",
    });
    expect(c.keyCodec).toBe("base64url");
    expect(c.operationTimeoutMs).toBe(750);
    expect(c.nearCache).toEqual({ enabled: true, maxEntries: 10, maxAgeMs: 2000 });
  });

  it("kv-cache - get_multi_batch turns batched getMulti off, in both spellings", () => {
    const urls = ["nats://127.0.0.1:4222"];
    expect(parseKvCacheConfig({ urls, bucket: "b", get_multi_batch: false }).getMultiBatch).toBe(false);
    expect(parseKvCacheOptions({ urls, bucket: "b", getMultiBatch: false }).getMultiBatch).toBe(false);
    expect(issues(() => parseKvCacheConfig({ urls, bucket: "b", get_multi_batch: "no" }))).toEqual([
      { path: "get_multi_batch", message: expect.stringContaining("boolean") },
    ]);
  });

  it("kv-cache - a field of the wrong type does not hide the other problems", () => {
    expect(
      issues(() => parseKvCacheConfig({ urls: ["h:1"], bucket: "bad.name", create_bucket: "yes", extra: 1 })),
    ).toEqual([
      { path: "extra", message: "unknown field" },
      { path: "create_bucket", message: "expected boolean, got string" },
      { path: "bucket", message: "'bad.name' is not a bucket name: use only [-_a-zA-Z0-9]" },
    ]);
  });

  it("kv-cache - every problem is reported at once, with its field path", () => {
    const found = issues(() =>
      parseKvCacheConfig({
        urls: ["nats://127.0.0.1:4222"],
        bucket: "bad.name",
        bucket_settings: { history: 100, replicas: 0, max_bytes: 0, ttl: "-1s", limit_marker_ttl: "500ms" },
        operation_timeout: "soon",
        near_cache: { max_entries: 0, max_age: "0" },
        auth: { user: "alice" },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "bucket", message: "'bad.name' is not a bucket name: use only [-_a-zA-Z0-9]" },
        { path: "bucket_settings.history", message: "must be 1 to 64, got 100" },
        { path: "bucket_settings.replicas", message: "must be 1 to 5, got 0" },
        {
          path: "bucket_settings.max_bytes",
          message: "must be -1 (unlimited) or a positive number of bytes, got 0",
        },
        { path: "bucket_settings.ttl", message: "must not be negative, got '-1s'" },
        {
          path: "bucket_settings.limit_marker_ttl",
          message: "must be at least 1s (the server counts whole seconds), got 500ms",
        },
        {
          path: "operation_timeout",
          message: "'soon' is not a duration (use a number with a unit: ns, us, ms, s, m, h, e.g. '1m30s')",
        },
        { path: "near_cache.max_entries", message: "must be at least 1, got 0" },
        { path: "near_cache.max_age", message: "must be positive, got '0'" },
        { path: "auth.password", message: "required when auth.user is set" },
      ]),
    );
    expect(found).toHaveLength(10);
  });

  it("kv-cache - schema errors name the field: unknown fields, wrong types, missing bucket", () => {
    expect(
      issues(() =>
        parseKvCacheConfig({ urls: ["nats://x:4222"], near_cache: { enabled: "yes" }, bukket: "x" }),
      ),
    ).toEqual(
      expect.arrayContaining([
        { path: "bucket", message: "required" },
        { path: "near_cache.enabled", message: "expected boolean, got string" },
        { path: "bukket", message: "unknown field" },
      ]),
    );
    expect(issues(() => parseKvCacheConfig({ urls: ["nats://x:4222"], bucket: "" }))).toEqual([
      { path: "bucket", message: "required" },
    ]);
    const e = issues(() => parseKvCacheConfig({ urls: ["nats://x:4222"], bucket: "b", key_codec: "hex" }));
    expect(e[0]?.path).toBe("key_codec");
    expect(e[0]?.message).toContain("base64url");
  });

  it("kv-cache - the typed api uses camelCase paths and accepts ms numbers", () => {
    const c = parseKvCacheOptions({
      urls: ["nats://127.0.0.1:4222"],
      bucket: "b",
      name: "typed",
      operationTimeout: 1500,
      nearCache: { enabled: true, maxAge: "1m" },
      bucketSettings: { maxBytes: 1024 },
    });
    expect(c.operationTimeoutMs).toBe(1500);
    expect(c.nearCache.maxAgeMs).toBe(60_000);
    expect(c.connection.name).toBe("typed");
    expect(c.bucketSettings.maxBytes).toBe(1024);
    expect(
      issues(() =>
        parseKvCacheOptions({
          urls: ["nats://127.0.0.1:4222"],
          bucket: "b",
          nearCache: { maxEntries: -1 },
          bucketSettings: { limitMarkerTtl: "1ms" },
        }),
      ),
    ).toEqual([
      {
        path: "bucketSettings.limitMarkerTtl",
        message: "must be at least 1s (the server counts whole seconds), got 1ms",
      },
      { path: "nearCache.maxEntries", message: "must be at least 1, got -1" },
    ]);
  });

  it("kv-cache - bucket options for a shared connection are validated alone", () => {
    const conn = parseKvCacheConfig({ urls: ["nats://x:4222"], bucket: "b" }).connection;
    expect(parseKvCacheBucketOptions({ bucket: "c", keyCodec: "base64url" }, conn).keyCodec).toBe(
      "base64url",
    );
    expect(
      issues(() =>
        parseKvCacheBucketOptions({ bucket: "c", urls: "x" } as unknown as { bucket: string }, conn),
      ),
    ).toEqual([{ path: "urls", message: "unknown field" }]);
  });

  it("kv-cache - the error message lists every problem", () => {
    try {
      parseKvCacheConfig({ urls: [], bucket: "x y", operation_timeout: "-1s" });
    } catch (e) {
      expect((e as Error).message).toMatch(/^invalid nats_kv cache config \(\d+ problems\):\n {2}- /);
      expect((e as Error).message).toContain("bucket: 'x y' is not a bucket name");
      expect((e as CacheConfigError).code).toBe("CONFIG_INVALID");
      return;
    }
    throw new Error("expected an error");
  });

  it("kv-cache - any input gives a config or a CacheConfigError, never another throw", () => {
    const field = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(
        fc.record(
          {
            urls: fc.oneof(fc.constant(["nats://127.0.0.1:4222"]), field),
            bucket: fc.oneof(fc.constant("b"), field),
            create_bucket: field,
            key_codec: fc.oneof(fc.constantFrom("none", "base64url"), field),
            operation_timeout: fc.oneof(fc.constantFrom("5s", "1m", 100), field),
            near_cache: fc.oneof(
              fc.record({ enabled: field, max_entries: field, max_age: field }, { requiredKeys: [] }),
              field,
            ),
            bucket_settings: fc.oneof(
              fc.record({ history: field, ttl: field, storage: field }, { requiredKeys: [] }),
              field,
            ),
          },
          { requiredKeys: [] },
        ),
        (input) => {
          try {
            const c = parseKvCacheConfig(input);
            expect(c.operationTimeoutMs).toBeGreaterThan(0);
          } catch (e) {
            expect(CacheConfigError.isInstance(e)).toBe(true);
            expect((e as CacheConfigError).issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
