import { connectNats } from "@natskit/nats-connection";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { ScrapeReader, metricValue as value } from "@natskit/test-nats/metrics";
import { type Histogram, MeterProvider } from "@opentelemetry/sdk-metrics";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KvCache } from "../src/index.js";
import { createBucket, rejection } from "./helpers.js";

let server: NatsServer;
const caches: KvCache[] = [];
const providers: MeterProvider[] = [];
beforeAll(async () => {
  server = await startNatsServer();
  await createBucket(server.url, "metered");
});
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});
afterAll(() => server?.stop());

function meter(): { reader: ScrapeReader; provider: MeterProvider } {
  const reader = new ScrapeReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { reader, provider };
}

describe("kv-cache metrics", () => {
  it("kv-cache - metrics: every operation counted by operation and outcome, with latency", async () => {
    const { reader, provider } = meter();
    const cache = await KvCache.connect(
      { urls: [server.url], bucket: "metered" },
      { label: "dedupe", metrics: { meterProvider: provider } },
    );
    caches.push(cache);
    await cache.set("a", "1");
    await cache.set("b", "2");
    await cache.get("a");
    await rejection(cache.get("missing"));
    await cache.add("c", "3");
    await rejection(cache.add("c", "again"));
    await cache.delete("b");
    await cache.getMulti(["a", "c", "missing"]);
    await rejection(cache.get("bad key with spaces"));

    const s = await reader.scrape();
    const a = { label: "dedupe", bucket: "metered", "messaging.system": "nats" };
    expect(value(s, "cache_success", { ...a, operation: "set" })).toBe(2);
    expect(value(s, "cache_success", { ...a, operation: "get" })).toBe(1);
    expect(value(s, "cache_not_found", { ...a, operation: "get" })).toBe(1);
    expect(value(s, "cache_success", { ...a, operation: "add" })).toBe(1);
    expect(value(s, "cache_key_already_exists", { ...a, operation: "add" })).toBe(1);
    expect(value(s, "cache_success", { ...a, operation: "delete" })).toBe(1);
    expect(value(s, "cache_success", { ...a, operation: "get_multi" })).toBe(1);
    expect(value(s, "cache_error", { ...a, operation: "get", error_code: "INVALID_KEY" })).toBe(1);
    expect(value(s, "cache_connected", a)).toBe(1);
    const latency = value(s, "cache_latency_ns", { ...a, operation: "set" }) as Histogram;
    expect(latency.count).toBeGreaterThanOrEqual(1);
    expect(latency.min).toBeGreaterThan(0);
  });

  it("kv-cache - metrics: near-cache hits, misses and invalidations", async () => {
    const { reader, provider } = meter();
    const cache = await KvCache.connect(
      { urls: [server.url], bucket: "metered", nearCache: { enabled: true } },
      { metrics: { meterProvider: provider } },
    );
    caches.push(cache);
    await cache.set("n", "1");
    await cache.get("n"); // miss, then held
    await cache.get("n"); // hit
    await cache.get("n"); // hit
    await cache.set("n", "2"); // invalidates
    const s = await reader.scrape();
    const a = { label: "nats_kv", bucket: "metered" };
    const stats = cache.nearCacheStats();
    expect(stats.hits).toBe(2);
    expect(value(s, "cache_near_hit", a)).toBe(stats.hits);
    expect(value(s, "cache_near_miss", a)).toBe(stats.misses);
    expect(value(s, "cache_near_invalidation", a)).toBe(stats.invalidations);
    expect(stats.invalidations).toBeGreaterThan(0);
    expect(value(s, "cache_success", { ...a, operation: "get" })).toBe(3);
  });

  it("kv-cache - metrics: cache_connected follows the shared connection of open(); the scrape after close() is final", async () => {
    const { reader, provider } = meter();
    const client = await connectNats({ urls: [server.url] });
    try {
      const cache = await KvCache.open(
        client,
        { bucket: "metered" },
        { label: "shared", metrics: { meterProvider: provider } },
      );
      await cache.set("s", "1");
      expect(value(await reader.scrape(), "cache_connected", { label: "shared" })).toBe(1);
      await cache.close();
      const s = await reader.scrape();
      expect(value(s, "cache_connected", { label: "shared" })).toBe(0);
      expect(value(s, "cache_success", { label: "shared", operation: "set" })).toBe(1);
    } finally {
      await client.close();
    }
  });

  it("kv-cache - metrics: enabled: false reports nothing", async () => {
    const { reader, provider } = meter();
    const cache = await KvCache.connect(
      { urls: [server.url], bucket: "metered" },
      { metrics: { meterProvider: provider, enabled: false } },
    );
    caches.push(cache);
    await cache.set("x", "1");
    expect((await reader.scrape()).size).toBe(0);
  });
});
