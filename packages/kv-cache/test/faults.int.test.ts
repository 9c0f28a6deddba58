import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterEach, describe, expect, it } from "vitest";
import { KvCache, KvCacheError, UnavailableError } from "../src/index.js";
import { createBucket, freeze, rawGet, rejection, sleep, td } from "./helpers.js";

const servers: NatsServer[] = [];
const caches: KvCache[] = [];
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
});

async function setup(operationTimeout: string, maxReconnects = -1) {
  const server = await startNatsServer();
  servers.push(server);
  await createBucket(server.url, "faults");
  const cache = await KvCache.connect(
    { urls: [server.url], bucket: "faults", operationTimeout, maxReconnects },
    { reconnectTimeWait: 100 },
  );
  caches.push(cache);
  return { server, cache };
}

/** Every key's value as the bucket holds it now, read with a fresh raw client. */
async function readBack(url: string, keys: string[]): Promise<Map<string, string | undefined>> {
  const nc = await connect({ servers: url });
  try {
    const kv = await new Kvm(jetstream(nc)).open("faults");
    const out = new Map<string, string | undefined>();
    await Promise.all(
      keys.map(async (k) => {
        const e = await kv.get(k);
        out.set(k, e && e.operation === "PUT" ? e.string() : undefined);
      }),
    );
    return out;
  } finally {
    await nc.close();
  }
}

interface WriteResult {
  key: string;
  value: string;
  ok: boolean;
  code?: string;
  retryable?: boolean;
  afterRestart: boolean;
}

describe("kv-cache faults", () => {
  it("kv-cache - server killed and restarted mid-workload: typed errors while down, success after, no false success", async () => {
    const { server, cache } = await setup("1s");
    const results: WriteResult[] = [];
    const readErrors: string[] = [];
    let restarted = false;
    let stop = false;
    let n = 0;
    const writer = async () => {
      while (!stop) {
        const i = n++;
        const key = `w-${i}`;
        const value = `v-${i}`;
        const afterRestart = restarted;
        try {
          await cache.set(key, value);
          results.push({ key, value, ok: true, afterRestart });
          // Read back what was just acknowledged, through the cache.
          try {
            expect(td.decode(await cache.get(key))).toBe(value);
          } catch (e) {
            readErrors.push(KvCacheError.isInstance(e) ? e.code : String(e));
          }
        } catch (e) {
          if (!KvCacheError.isInstance(e)) throw e;
          results.push({ key, value, ok: false, code: e.code, retryable: e.retryable, afterRestart });
          await sleep(10);
        }
      }
    };
    const workers = Array.from({ length: 8 }, writer);

    await sleep(400);
    const beforeKill = results.filter((r) => r.ok).length;
    await server.kill("SIGKILL");
    await sleep(1500); // longer than operation_timeout: waiting writes give up
    await server.restart();
    restarted = true;
    await expect
      .poll(() => results.filter((r) => r.ok && r.afterRestart).length, { timeout: 15_000, interval: 50 })
      .toBeGreaterThan(50);
    stop = true;
    await Promise.all(workers);

    const failed = results.filter((r) => !r.ok);
    const ok = results.filter((r) => r.ok);
    expect(beforeKill).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    // Only the fault codes, and all of them retryable.
    expect(new Set(failed.map((r) => r.code))).toSatisfy((codes: Set<string>) =>
      [...codes].every((c) => c === "UNAVAILABLE" || c === "OUTCOME_UNKNOWN"),
    );
    expect(failed.every((r) => r.retryable)).toBe(true);
    // Waiting writes gave up with UNAVAILABLE (nothing sent).
    expect(failed.some((r) => r.code === "UNAVAILABLE")).toBe(true);
    // Reads that failed around the kill failed with typed errors too.
    for (const c of readErrors) expect(["UNAVAILABLE", "TIMEOUT"]).toContain(c);

    const stored = await readBack(
      server.url,
      results.map((r) => r.key),
    );
    // No write reported success that the bucket does not hold.
    const lost = ok.filter((r) => stored.get(r.key) !== r.value).map((r) => r.key);
    expect(lost).toEqual([]);
    // UNAVAILABLE for a write means it was never sent: the bucket must not hold it.
    const phantom = failed.filter((r) => r.code === "UNAVAILABLE" && stored.get(r.key) !== undefined);
    expect(phantom.map((r) => r.key)).toEqual([]);
    // Same cache object, no restart: it works.
    await cache.set("after", "yes");
    expect(td.decode(await cache.get("after"))).toBe("yes");
    console.log(
      `kv-cache fault run: ${ok.length} acknowledged (all present), ${failed.filter((r) => r.code === "UNAVAILABLE").length} unavailable (none present), ${failed.filter((r) => r.code === "OUTCOME_UNKNOWN").length} outcome unknown (${failed.filter((r) => r.code === "OUTCOME_UNKNOWN" && stored.get(r.key) !== undefined).length} present); read errors: ${readErrors.join(",") || "none"}`,
    );
  });

  it("kv-cache - an operation issued while the server is down waits and succeeds when it returns in time", async () => {
    const { server, cache } = await setup("5s");
    await cache.set("k", "before");
    await server.kill("SIGKILL");
    await expect.poll(() => cache.client.isConnected()).toBe(false);
    const pending = cache.set("k", "while-down");
    const read = cache.getMulti(["k"]);
    await sleep(500);
    await server.restart();
    await pending;
    // The read may have been served before or after the write; it must not fail.
    expect(["before", "while-down"]).toContain(td.decode((await read).get("k") ?? new Uint8Array()));
    expect(td.decode(await cache.get("k"))).toBe("while-down");
    const stored = await readBack(server.url, ["k"]);
    expect(stored.get("k")).toBe("while-down");
  });

  it("kv-cache - down longer than operation_timeout: UNAVAILABLE after the timeout, nothing written", async () => {
    const { server, cache } = await setup("400ms");
    await server.kill("SIGKILL");
    await expect.poll(() => cache.client.isConnected()).toBe(false);
    const t0 = performance.now();
    const e = await rejection(cache.set("late", "x"));
    const waited = performance.now() - t0;
    expect(UnavailableError.isInstance(e)).toBe(true);
    expect((e as UnavailableError).retryable).toBe(true);
    expect((e as Error).message).toBe(
      "set 'late': not connected to nats: no server came back within 400ms; nothing was written",
    );
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(5000); // not hanging; the margin absorbs a busy CI machine
    const g = await rejection(cache.get("late"));
    expect((g as Error).message).toBe("get 'late': not connected to nats: no server came back within 400ms");
    await server.restart();
    await expect.poll(() => cache.client.isConnected(), { timeout: 10_000 }).toBe(true);
    expect((await readBack(server.url, ["late"])).get("late")).toBeUndefined();
  });

  it("kv-cache - in-flight operations fail at once when the connection drops, not at their timeout", async () => {
    const { server, cache } = await setup("10s");
    // Stall the server so requests stay in flight, then kill it.
    await freeze(server.pid);
    const ops = [rejection(cache.get("x")), rejection(cache.set("x", "1"))];
    await sleep(100);
    const t0 = performance.now();
    await server.kill("SIGKILL");
    const [r, w] = await Promise.all(ops);
    expect(performance.now() - t0).toBeLessThan(8000); // well before the 10 s timeout
    expect((r as KvCacheError).code).toBe("UNAVAILABLE");
    expect((r as Error).message).toBe(
      "get 'x': the connection to the server was lost before the server answered",
    );
    expect((w as KvCacheError).code).toBe("OUTCOME_UNKNOWN");
    expect((w as KvCacheError).retryable).toBe(true);
  });

  it("kv-cache - when the client gives up reconnecting (max_reconnects), operations fail as not retryable", async () => {
    const { server, cache } = await setup("2s", 1);
    await server.kill("SIGKILL");
    await expect.poll(() => cache.client.isClosed(), { timeout: 10_000 }).toBe(true);
    const e = await rejection(cache.set("k", "v"));
    expect(UnavailableError.isInstance(e)).toBe(true);
    expect((e as UnavailableError).retryable).toBe(false);
    expect((e as Error).message).toContain("max_reconnects");
  });
});

describe("kv-cache without a stream leader", () => {
  it("kv-cache - writes and reads retry 'no responders' within operation_timeout, then succeed", async () => {
    const { server, cache } = await setup("5s");
    await cache.set("k", "before");
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstream(nc).jetstreamManager();
      const stream = await jsm.streams.info("KV_faults");
      await jsm.streams.delete("KV_faults");
      // While the bucket's stream is gone, a write reaches nobody; it must wait, not fail.
      const write = cache.set("k", "after");
      const read = write.then(() => cache.get("k"));
      await sleep(400);
      await jsm.streams.add(stream.config);
      await write;
      expect(td.decode(await read)).toBe("after");
    } finally {
      await nc.close();
    }
  });

  it("kv-cache - add retries 'no responders' within operation_timeout like set, then succeeds", async () => {
    const { server, cache } = await setup("5s");
    await cache.set("k", "before");
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstream(nc).jetstreamManager();
      const stream = await jsm.streams.info("KV_faults");
      await jsm.streams.delete("KV_faults");
      // The bucket's stream is gone for a moment: add must wait for it, as set does.
      const add = cache.add("new", "added");
      const set = cache.set("k", "after");
      await sleep(400);
      await jsm.streams.add(stream.config);
      await Promise.all([add, set]);
      expect(td.decode(await cache.get("new"))).toBe("added");
      expect(await rawGet(server.url, "faults", "new")).toBe("added");
      expect(await rawGet(server.url, "faults", "k")).toBe("after");
    } finally {
      await nc.close();
    }
  });

  it("kv-cache - add with 'no responders' past operation_timeout fails with a retryable UNAVAILABLE", async () => {
    const { server, cache } = await setup("600ms");
    const nc = await connect({ servers: server.url });
    try {
      await (await jetstream(nc).jetstreamManager()).streams.delete("KV_faults");
      const t0 = performance.now();
      const e = await rejection(cache.add("k", "v"));
      expect(performance.now() - t0).toBeGreaterThan(300);
      expect(UnavailableError.isInstance(e)).toBe(true);
      expect((e as UnavailableError).retryable).toBe(true);
      expect((e as Error).message).toBe(
        "add 'k': no stream answered for bucket 'faults' (it was deleted, its stream has no leader, or jetstream is still starting); nothing was written",
      );
    } finally {
      await nc.close();
    }
  });

  it("kv-cache - 'no responders' past operation_timeout fails with a retryable UNAVAILABLE", async () => {
    const { server, cache } = await setup("600ms");
    const nc = await connect({ servers: server.url });
    try {
      await (await jetstream(nc).jetstreamManager()).streams.delete("KV_faults");
      const t0 = performance.now();
      const e = await rejection(cache.set("k", "v"));
      expect(performance.now() - t0).toBeGreaterThan(300);
      expect(UnavailableError.isInstance(e)).toBe(true);
      expect((e as UnavailableError).retryable).toBe(true);
      expect((e as Error).message).toContain("nothing was written");
    } finally {
      await nc.close();
    }
  });
});
