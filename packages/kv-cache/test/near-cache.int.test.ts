import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeyNotFoundError, KvCache, TimeoutError, UnavailableError } from "../src/index.js";
import { createBucket, deleteStream, freeze, rejection, sleep, td } from "./helpers.js";

let server: NatsServer;
const caches: KvCache[] = [];
const track = (c: KvCache) => {
  caches.push(c);
  return c;
};
beforeAll(async () => {
  server = await startNatsServer();
  await createBucket(server.url, "near");
});
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
});
afterAll(() => server?.stop());

const withNear = (maxEntries = 1000) =>
  KvCache.connect(
    { urls: [server.url], bucket: "near", nearCache: { enabled: true, maxEntries } },
    { reconnectTimeWait: 100 },
  );
/** The staleness bound the README states for a connected near-cache. */
const STALENESS_BOUND_MS = 1000;
const plain = () => KvCache.connect({ urls: [server.url], bucket: "near" });

/** Reads through `cache` until `expected` is seen; returns how long it took (ms). */
async function timeUntil(
  cache: KvCache,
  key: string,
  expected: string | undefined,
  limitMs = 5000,
): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    let got: string | undefined;
    try {
      got = td.decode(await cache.get(key));
    } catch (e) {
      if (!KeyNotFoundError.isInstance(e)) throw e;
      got = undefined;
    }
    const elapsed = performance.now() - t0;
    if (got === expected) return elapsed;
    if (elapsed > limitMs) throw new Error(`still '${got}' after ${limitMs} ms, expected '${expected}'`);
    await new Promise((r) => setImmediate(r));
  }
}

describe("kv-cache near-cache", () => {
  it("kv-cache - hot reads are served locally: they keep working while the server is stalled", async () => {
    const a = track(await withNear());
    await a.set("hot", "1");
    expect(td.decode(await a.get("hot"))).toBe("1"); // miss: fetched and kept
    const before = a.nearCacheStats();
    await freeze(server.pid);
    try {
      // A read that left the process would wait for the frozen server (5 s operation timeout).
      // (Hits last only until the silent watch is declared dead, 400 ms: see coherence.int.test.ts.)
      for (let i = 0; i < 10_000; i++) expect(td.decode(await a.get("hot"))).toBe("1");
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
    expect(a.nearCacheStats().hits - before.hits).toBe(10_000);
  });

  it("kv-cache - two instances on one bucket: a write or delete by the other is seen within the bound", async () => {
    const a = track(await withNear());
    const b = track(await plain());
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
      const key = `k${i % 10}`;
      await b.set(key, `old-${i}`);
      await timeUntil(a, key, `old-${i}`); // now cached in A
      expect(td.decode(await a.get(key))).toBe(`old-${i}`);
      await b.set(key, `new-${i}`);
      delays.push(await timeUntil(a, key, `new-${i}`));
    }
    await b.delete("k0");
    delays.push(await timeUntil(a, "k0", undefined));
    delays.sort((x, y) => x - y);
    const p50 = delays[Math.floor(delays.length / 2)] ?? 0;
    const max = delays[delays.length - 1] ?? 0;
    console.log(
      `kv-cache near-cache staleness after a remote write: p50 ${p50.toFixed(2)} ms, max ${max.toFixed(2)} ms (${delays.length} trials)`,
    );
    // The README's bound while connected: STALENESS_BOUND_MS, far below max_age (30 s), so this
    // is the watch at work, not expiry. Typical figures are printed above (p50 well under 1 ms).
    expect(max).toBeLessThan(STALENESS_BOUND_MS);
    expect(a.nearCacheStats().hits).toBeGreaterThan(0);
    expect(a.nearCacheStats().invalidations).toBeGreaterThan(0);
  });

  it("kv-cache - own writes are read back at once (no stale local value)", async () => {
    const a = track(await withNear());
    for (let i = 0; i < 50; i++) {
      await a.set("own", `v${i}`);
      expect(td.decode(await a.get("own"))).toBe(`v${i}`);
      expect(td.decode(await a.get("own"))).toBe(`v${i}`);
    }
    await a.delete("own");
    expect(KeyNotFoundError.isInstance(await rejection(a.get("own")))).toBe(true);
    await a.add("own", "added");
    expect(td.decode(await a.get("own"))).toBe("added");
  });

  it("kv-cache - the near-cache holds at most max_entries", async () => {
    const a = track(await withNear(10));
    await a.setMulti(Array.from({ length: 50 }, (_, i) => ({ key: `e${i}`, value: `${i}` })));
    for (let i = 0; i < 50; i++) await a.get(`e${i}`);
    const got = await a.getMulti(Array.from({ length: 50 }, (_, i) => `e${i}`));
    expect(got.size).toBe(50);
    const s = a.nearCacheStats();
    expect(s.size).toBe(10);
    expect(s.evictions).toBeGreaterThanOrEqual(40);
  });

  it("kv-cache - after a server restart the near-cache is dropped, the watch resumes, and remote writes are seen", async () => {
    const own = await startNatsServer();
    try {
      await createBucket(own.url, "near");
      const a = await KvCache.connect(
        { urls: [own.url], bucket: "near", nearCache: { enabled: true }, maxReconnects: -1 },
        { reconnectTimeWait: 100 },
      );
      const b = await KvCache.connect(
        { urls: [own.url], bucket: "near", maxReconnects: -1 },
        { reconnectTimeWait: 100 },
      );
      try {
        await b.set("r", "before");
        await timeUntil(a, "r", "before");
        expect(a.nearCacheStats().live).toBe(true);
        await own.kill("SIGKILL");
        await expect.poll(() => a.nearCacheStats().live).toBe(false);
        expect(a.nearCacheStats().size).toBe(0);
        await own.restart();
        await expect.poll(() => a.nearCacheStats().live, { timeout: 15_000 }).toBe(true);
        await timeUntil(a, "r", "before", 10_000);
        await b.set("r", "after");
        expect(await timeUntil(a, "r", "after")).toBeLessThan(STALENESS_BOUND_MS);
        expect(a.nearCacheStats().resets).toBeGreaterThanOrEqual(1);
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
    } finally {
      await own.stop();
    }
  });

  it("kv-cache - a deleted bucket: the near-cache stops serving its old values within the bound", async () => {
    await createBucket(server.url, "doomed");
    const a = track(
      await KvCache.connect({
        urls: [server.url],
        bucket: "doomed",
        nearCache: { enabled: true },
        operationTimeout: "300ms",
      }),
    );
    await a.set("k", "old");
    await timeUntil(a, "k", "old");
    const hits = a.nearCacheStats().hits;
    expect(td.decode(await a.get("k"))).toBe("old");
    expect(a.nearCacheStats().hits).toBe(hits + 1); // served locally
    const t0 = performance.now();
    await deleteStream(server.url, "KV_doomed");
    // Once the near-cache lets go, a read goes to the server, which has no bucket any more.
    let lastOld = -1;
    let after: unknown;
    for (;;) {
      const started = performance.now() - t0;
      if (started > 5000) break;
      const r = await a.get("k").then(
        (v) => td.decode(v),
        (e: unknown) => e,
      );
      if (r !== "old") {
        after = r;
        break;
      }
      lastOld = started;
      await new Promise((res) => setImmediate(res));
    }
    console.log(
      `kv-cache near-cache: a deleted bucket's value was last served ${lastOld.toFixed(0)} ms after the delete`,
    );
    expect(lastOld).toBeLessThan(STALENESS_BOUND_MS);
    // No stream answers any more: no responders, or (direct get on some servers) no answer at all.
    expect(UnavailableError.isInstance(after) || TimeoutError.isInstance(after)).toBe(true);
    expect(a.nearCacheStats()).toMatchObject({ live: false, size: 0 });
  });

  it("kv-cache - a bucket deleted and recreated: another client's new value is seen within the bound", async () => {
    await createBucket(server.url, "reborn");
    const a = track(
      await KvCache.connect({ urls: [server.url], bucket: "reborn", nearCache: { enabled: true } }),
    );
    await a.set("k", "old");
    await timeUntil(a, "k", "old");
    expect(td.decode(await a.get("k"))).toBe("old");
    await deleteStream(server.url, "KV_reborn");
    await createBucket(server.url, "reborn");
    const b = track(await KvCache.connect({ urls: [server.url], bucket: "reborn" }));
    await b.set("k", "new");
    expect(await timeUntil(a, "k", "new")).toBeLessThan(STALENESS_BOUND_MS);
    // The near-cache works on the new bucket: it serves again and sees the next change.
    await expect.poll(() => a.nearCacheStats().live, { timeout: 10_000 }).toBe(true);
    await timeUntil(a, "k", "new");
    const hits = a.nearCacheStats().hits;
    expect(td.decode(await a.get("k"))).toBe("new");
    expect(a.nearCacheStats().hits).toBe(hits + 1);
    await b.set("k", "newer");
    expect(await timeUntil(a, "k", "newer")).toBeLessThan(STALENESS_BOUND_MS);
  });

  it("kv-cache - coherence holds with the base64url key codec", async () => {
    const opts = { urls: [server.url], bucket: "near", keyCodec: "base64url" as const };
    const a = track(await KvCache.connect({ ...opts, nearCache: { enabled: true } }));
    const b = track(await KvCache.connect(opts));
    const key = "https://example.com/a b?c=ü";
    await b.set(key, "one");
    await timeUntil(a, key, "one");
    const hits = a.nearCacheStats().hits;
    expect(td.decode(await a.get(key))).toBe("one");
    expect(a.nearCacheStats().hits).toBe(hits + 1);
    await b.set(key, "two");
    expect(await timeUntil(a, key, "two")).toBeLessThan(STALENESS_BOUND_MS);
  });

  it("kv-cache - getMulti uses the near-cache and fetches only the rest", async () => {
    const a = track(await withNear());
    await a.setMulti(Array.from({ length: 20 }, (_, i) => ({ key: `g${i}`, value: `${i}` })));
    await a.getMulti(Array.from({ length: 10 }, (_, i) => `g${i}`));
    const hitsBefore = a.nearCacheStats().hits;
    const got = await a.getMulti(Array.from({ length: 20 }, (_, i) => `g${i}`));
    expect(got.size).toBe(20);
    expect(a.nearCacheStats().hits - hitsBefore).toBe(10);
    await sleep(0);
  });
});
