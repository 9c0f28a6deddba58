// Type tests, checked by `tsc` (typecheck): a typo in a typed config is a compile error, while
// untyped input (parsed YAML) goes through the runtime-validated `parseKvCacheConfig`.
import { expectTypeOf } from "vitest";
import {
  KvCache,
  type KvCacheConfig,
  type KvCacheOptions,
  parseKvCacheConfig,
  type RawKvCacheConfig,
} from "./index.js";

const urls = ["nats://127.0.0.1:4222"];

export function typos(): void {
  // @ts-expect-error `buckt` is not a field
  void KvCache.fromConfig({ urls, buckt: "sessions" });
  // @ts-expect-error `createBucket` is the camelCase spelling
  void KvCache.fromConfig({ urls, bucket: "sessions", createBucket: true });
  // @ts-expect-error `near_cache.max_entry` is not a field
  void KvCache.fromConfig({ urls, bucket: "sessions", near_cache: { max_entry: 10 } });
  // @ts-expect-error `storage` is "file" or "memory"
  void KvCache.fromConfig({ urls, bucket: "sessions", bucket_settings: { storage: "disk" } });
  // @ts-expect-error `create_bucket` is the YAML spelling
  void KvCache.connect({ urls, bucket: "sessions", create_bucket: true });
  // @ts-expect-error a parsed config's field name does not pass as an option
  void KvCache.connect({ urls, bucket: "sessions", operationTimeoutMs: 100 });
  // @ts-expect-error `nearCache.maxEntry` is not a field
  void KvCache.connect({ urls, bucket: "sessions", nearCache: { maxEntry: 10 } });
}

export function valid(yaml: unknown): void {
  void KvCache.fromConfig(
    { urls, bucket: "s", near_cache: { enabled: true, max_age: "10s" } },
    { label: "c" },
  );
  void KvCache.connect({ urls, bucket: "s", nearCache: { enabled: true, maxAge: 10_000 } });
  // Untyped input: validated at runtime, then connected.
  void KvCache.connect(parseKvCacheConfig(yaml, { label: "sessions" }));
  // @ts-expect-error unknown input needs parseKvCacheConfig
  void KvCache.fromConfig(yaml);
}

expectTypeOf(parseKvCacheConfig).parameter(0).toEqualTypeOf<unknown>();
expectTypeOf(KvCache.fromConfig).parameter(0).toEqualTypeOf<RawKvCacheConfig>();
expectTypeOf(parseKvCacheConfig).returns.toEqualTypeOf<KvCacheConfig>();
expectTypeOf<{ urls: string; bucket: string; nearCache: { enabled: true } }>().toExtend<KvCacheOptions>();
