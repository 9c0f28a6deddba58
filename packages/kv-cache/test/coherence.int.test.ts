import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { connectNats, type NatsClient } from "@natskit/nats-connection";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NearCacheCoherence } from "../src/coherence.js";
import { NearCache } from "../src/near-cache.js";
import { createBucket, deleteStream, freeze, sleep } from "./helpers.js";

/** The staleness bound the README states for a connected near-cache. */
const STALENESS_BOUND_MS = 1000;

let server: NatsServer;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});
afterAll(() => server?.stop());

let buckets = 0;
const nextBucket = () => `coh${++buckets}`;

interface Watched {
  client: NatsClient;
  near: NearCache;
  coherence: NearCacheCoherence;
}

/** A near-cache on `bucket` kept coherent by a {@link NearCacheCoherence}, started and tracked for cleanup. */
async function watched(url: string, bucket: string): Promise<Watched> {
  const client = await connectNats({ urls: [url], maxReconnects: -1 }, { reconnectTimeWait: 100 });
  const near = new NearCache(100, 60_000);
  const coherence = new NearCacheCoherence(client, near, {
    bucket,
    stream: `KV_${bucket}`,
    decodeKey: (k) => k,
    requestTimeoutMs: 2000,
  });
  cleanups.push(async () => {
    coherence.close();
    await client.close();
  });
  await coherence.start();
  return { client, near, coherence };
}

/** Writes with the raw client; returns the revision. */
async function rawPut(url: string, bucket: string, key: string, value: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    return await (await new Kvm(jetstream(nc)).open(bucket)).put(key, value);
  } finally {
    await nc.close();
  }
}

async function consumers(url: string, stream: string): Promise<string[]> {
  const nc = await connect({ servers: url });
  try {
    const names: string[] = [];
    for await (const ci of (await jetstreamManager(nc)).consumers.list(stream)) names.push(ci.name);
    return names;
  } finally {
    await nc.close();
  }
}

/** Puts a value into the near-cache as a read of `revision` would. */
function hold(near: NearCache, key: string, value: string, revision: number): void {
  near.endFetch(near.beginFetch(key), { value: new TextEncoder().encode(value), revision });
  expect(near.get(key)).toBeDefined();
}

/** Milliseconds until `cond` holds, checked as often as the event loop allows; fails after `limitMs`. */
async function msUntil(cond: () => boolean, limitMs = 10_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const elapsed = performance.now() - t0;
    if (cond()) return elapsed;
    if (elapsed > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await sleep(2);
  }
}

/** The near-cache is live and a write by another client drops its entry within the bound. */
async function expectCoherent(url: string, bucket: string, w: Watched): Promise<void> {
  await msUntil(() => w.near.live);
  const rev = await rawPut(url, bucket, "probe", "1");
  hold(w.near, "probe", "1", rev);
  await rawPut(url, bucket, "probe", "2");
  expect(await msUntil(() => w.near.get("probe") === undefined)).toBeLessThan(STALENESS_BOUND_MS);
}

describe("kv-cache near-cache coherence", () => {
  it("kv-cache - coherence: another client's write drops the entry, other keys stay", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    expect(w.near.live).toBe(true);
    const rk = await rawPut(server.url, bucket, "k", "1");
    const ro = await rawPut(server.url, bucket, "other", "1");
    hold(w.near, "k", "1", rk);
    hold(w.near, "other", "1", ro);
    await rawPut(server.url, bucket, "k", "2");
    expect(await msUntil(() => w.near.get("k") === undefined)).toBeLessThan(STALENESS_BOUND_MS);
    expect(w.near.get("other")).toBeDefined();
    expect(w.near.stats().resets).toBe(1); // the reset before the first watch only
  });

  it("kv-cache - coherence: a deleted bucket stops the near-cache within the bound; it serves again once the bucket is back", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    hold(w.near, "k", "old", await rawPut(server.url, bucket, "k", "old"));
    const t0 = performance.now();
    await deleteStream(server.url, `KV_${bucket}`);
    await msUntil(() => !w.near.live);
    expect(performance.now() - t0).toBeLessThan(STALENESS_BOUND_MS);
    expect(w.near.get("k")).toBeUndefined();
    expect(w.near.stats().size).toBe(0);
    // While the bucket is missing no watch can be established, so nothing is served.
    await sleep(1500);
    expect(w.coherence.live).toBe(false);
    w.near.endFetch(w.near.beginFetch("x"), { value: new Uint8Array(1), revision: 1 });
    expect(w.near.stats().size).toBe(0); // not kept: the near-cache is not live
    await createBucket(server.url, bucket);
    await expectCoherent(server.url, bucket, w);
  });

  it("kv-cache - coherence: a bucket deleted and recreated at once is noticed within the bound", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    hold(w.near, "k", "old", await rawPut(server.url, bucket, "k", "old"));
    const resets = w.near.stats().resets;
    const t0 = performance.now();
    await deleteStream(server.url, `KV_${bucket}`);
    await createBucket(server.url, bucket);
    // The new bucket starts again at revision 1: revisions cannot tell its entries from the old ones.
    await rawPut(server.url, bucket, "k", "new");
    await msUntil(() => w.near.stats().resets > resets);
    expect(performance.now() - t0).toBeLessThan(STALENESS_BOUND_MS);
    expect(w.near.get("k")).toBeUndefined();
    await expectCoherent(server.url, bucket, w);
  });

  it("kv-cache - coherence: its consumer deleted by someone else is noticed within the bound and replaced", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    hold(w.near, "k", "v", await rawPut(server.url, bucket, "k", "v"));
    const [name, ...more] = await consumers(server.url, `KV_${bucket}`);
    expect(more).toEqual([]);
    const nc = await connect({ servers: server.url });
    const t0 = performance.now();
    try {
      await (await jetstreamManager(nc)).consumers.delete(`KV_${bucket}`, name as string);
    } finally {
      await nc.close();
    }
    await msUntil(() => w.near.get("k") === undefined);
    expect(performance.now() - t0).toBeLessThan(STALENESS_BOUND_MS);
    await expectCoherent(server.url, bucket, w);
    const now = await consumers(server.url, `KV_${bucket}`);
    expect(now).toHaveLength(1);
    expect(now).not.toContain(name);
  });

  it("kv-cache - coherence: a busy process (event loop blocked past the heartbeat window) is not a dead watch", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    hold(w.near, "k", "v", await rawPut(server.url, bucket, "k", "v"));
    const resets = w.near.stats().resets;
    // Blocked inside a timer callback, so the overdue heartbeat check runs before the socket is read.
    await new Promise<void>((r) =>
      setTimeout(() => {
        const until = performance.now() + 1000;
        while (performance.now() < until) {
          // Heartbeats queue up unread meanwhile.
        }
        r();
      }, 0),
    );
    await sleep(50);
    expect(w.near.stats().resets).toBe(resets);
    expect(w.near.get("k")).toBeDefined();
  });

  it("kv-cache - coherence: a stalled server stops the near-cache within the bound; the watch resumes with the server", async () => {
    const own = await startNatsServer();
    cleanups.push(() => own.stop());
    await createBucket(own.url, "stall");
    const w = await watched(own.url, "stall");
    hold(w.near, "k", "v", await rawPut(own.url, "stall", "k", "v"));
    await freeze(own.pid);
    try {
      // The client still reports a connection; only the missing heartbeats tell.
      const t0 = performance.now();
      await msUntil(() => !w.near.live);
      expect(performance.now() - t0).toBeLessThan(STALENESS_BOUND_MS);
      expect(w.client.isConnected()).toBe(true);
      expect(w.near.get("k")).toBeUndefined();
    } finally {
      process.kill(own.pid, "SIGCONT");
    }
    await msUntil(() => w.near.live, 15_000);
    await expectCoherent(own.url, "stall", w);
  });

  it("kv-cache - coherence: a disconnect drops the near-cache; the watch resumes after the reconnect", async () => {
    const own = await startNatsServer();
    cleanups.push(() => own.stop());
    await createBucket(own.url, "restart");
    const w = await watched(own.url, "restart");
    hold(w.near, "k", "v", await rawPut(own.url, "restart", "k", "v"));
    await own.kill("SIGKILL");
    await msUntil(() => !w.client.isConnected());
    expect(w.near.live).toBe(false);
    expect(w.near.get("k")).toBeUndefined();
    await own.restart();
    await msUntil(() => w.near.live, 15_000);
    await expectCoherent(own.url, "restart", w);
  });

  it("kv-cache - coherence: close stops the watch and removes its consumer", async () => {
    const bucket = nextBucket();
    await createBucket(server.url, bucket);
    const w = await watched(server.url, bucket);
    expect(await consumers(server.url, `KV_${bucket}`)).toHaveLength(1);
    w.coherence.close();
    expect(w.near.live).toBe(false);
    expect(w.coherence.live).toBe(false);
    await expect.poll(() => consumers(server.url, `KV_${bucket}`), { timeout: 5000 }).toEqual([]);
  });
});
