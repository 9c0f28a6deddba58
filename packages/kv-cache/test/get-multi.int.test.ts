import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "@natskit/nats-connection";
import {
  compareVersions,
  type NatsServer,
  natsServerVersionSync,
  skipReason,
  startNatsServer,
} from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeyNotFoundError, KvCache, type KvCacheOptions, TimeoutError } from "../src/index.js";
import { createBucket, freeze, rejection, sleep, td } from "./helpers.js";

// Batched direct get (`multi_last`) arrived in nats-server 2.11.0.
const version = natsServerVersionSync();
const hasBatch = compareVersions(version, "2.11.0") >= 0;
const lacksBatch = hasBatch
  ? undefined
  : `nats-server ${version} lacks batched direct get (multi_last, needs >= 2.11.0)`;
const refusesNoBatch = hasBatch
  ? `nats-server ${version} has batched direct get, so it never refuses one (needs < 2.11.0)`
  : undefined;
const lacksPerKeyTtl = skipReason("perKeyTtl");

let server: NatsServer;
let raw: NatsConnection;
const caches: KvCache[] = [];
const track = (c: KvCache) => {
  caches.push(c);
  return c;
};

/** Counts the direct gets of a stream seen on the wire (a second connection listens in). */
class DirectGets {
  batched = 0;
  single = 0;
  static async watch(stream: string): Promise<DirectGets> {
    const d = new DirectGets();
    const batch = `$JS.API.DIRECT.GET.${stream}`;
    raw.subscribe(`${batch}.>`, {
      callback: () => {
        d.single++;
      },
    });
    raw.subscribe(batch, {
      callback: () => {
        d.batched++;
      },
    });
    await raw.flush();
    return d;
  }
  /** Lets requests sent before now reach the listener. */
  async settle(): Promise<this> {
    await raw.flush();
    await sleep(50);
    return this;
  }
}

beforeAll(async () => {
  server = await startNatsServer();
  raw = await connect({ servers: server.url });
  await createBucket(server.url, "gm");
  await createBucket(server.url, "gmttl", { ttl: 60_000 });
  await createBucket(server.url, "gmnodirect", { allow_direct: false });
  await createBucket(server.url, "gmbig");
});
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await raw?.close();
  await server?.stop();
});

let seq = 0;
const prefix = (t: string) => `gm${process.pid}-${seq++}-${t}`;
const open = (bucket: string, extra: Partial<KvCacheOptions> = {}) =>
  KvCache.connect({ urls: [server.url], bucket, ...extra });

/** What `get` says for each key: the value, or undefined for `key does not exist`. */
async function viaGet(c: KvCache, keys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of keys) {
    try {
      out.set(k, td.decode(await c.get(k)));
    } catch (e) {
      if (!KeyNotFoundError.isInstance(e)) throw e;
    }
  }
  return out;
}
const text = (m: Map<string, Uint8Array>) => new Map([...m].map(([k, v]) => [k, td.decode(v)]));

/**
 * Writes a present, a missing, a deleted, a purged and an overwritten key (the overwrite by
 * another client, so a near-cache holds nothing of it), and returns the keys to ask for, with
 * duplicates.
 */
async function scenario(c: KvCache, p: string): Promise<string[]> {
  const k = (s: string) => (c.config.keyCodec === "base64url" ? `${p} ${s} ü/?#*>` : `${p}-${s}`);
  const writer = track(await open(c.config.bucket, { keyCodec: c.config.keyCodec }));
  await writer.set(k("present"), "v1");
  await writer.set(k("deleted"), "gone");
  await writer.delete(k("deleted"));
  await writer.set(k("purged"), "gone");
  const kv = await new Kvm(jetstream(raw)).open(c.config.bucket);
  const stored =
    c.config.keyCodec === "base64url" ? Buffer.from(k("purged")).toString("base64url") : k("purged");
  await kv.purge(stored);
  await writer.set(k("twice"), "old");
  await writer.set(k("twice"), "new");
  await writer.set(k("empty"), new Uint8Array(0));
  return [
    k("present"),
    k("missing"),
    k("deleted"),
    k("purged"),
    k("twice"),
    k("present"),
    k("empty"),
    k("missing"),
  ];
}

const variants: [string, Partial<KvCacheOptions>][] = [
  ["plain keys", {}],
  ["base64url keys", { keyCodec: "base64url" }],
  ["plain keys, near-cache", { nearCache: { enabled: true } }],
  ["base64url keys, near-cache", { keyCodec: "base64url", nearCache: { enabled: true } }],
];

describe("kv-cache getMulti", () => {
  for (const [name, extra] of variants) {
    it(`kv-cache - getMulti gives what get gives, batched or key by key (${name})`, async () => {
      const batched = track(await open("gm", extra));
      const single = track(await open("gm", { ...extra, getMultiBatch: false }));
      expect(batched.info.batchGet).toBe(hasBatch);
      expect(single.info.batchGet).toBe(false);
      const keys = await scenario(batched, prefix("same"));
      const expected = await viaGet(single, keys);
      expect([...expected.values()]).toEqual(["v1", "new", ""]);

      const gets = await DirectGets.watch("KV_gm");
      const a = await batched.getMulti(keys);
      await gets.settle();
      // Batched: one request for all the keys where the server has it, else one per key.
      // 6 distinct keys.
      expect([gets.batched, gets.single]).toEqual(hasBatch ? [1, 0] : [0, 6]);
      const b = await single.getMulti(keys);
      await gets.settle();
      // With a near-cache, the 3 values `get` read are served locally.
      expect(gets.single).toBe((hasBatch ? 0 : 6) + (extra.nearCache ? 3 : 6));
      expect(text(a)).toEqual(expected);
      expect(text(b)).toEqual(expected);
      // In the order of the keys asked for.
      expect([...a.keys()]).toEqual([...expected.keys()]);
      // Values are the caller's own copies.
      const v = a.get(keys[0] as string) as Uint8Array;
      v.fill(0);
      expect(td.decode((await batched.getMulti([keys[0] as string])).get(keys[0] as string))).toBe("v1");
    });
  }

  it.skipIf(lacksBatch)(
    `kv-cache - getMulti of 1000 keys is one request${lacksBatch ? ` (skipped: ${lacksBatch})` : ""}`,
    async () => {
      const c = track(await open("gm"));
      expect(c.info.batchGet).toBe(true);
      const p = prefix("one");
      const keys = Array.from({ length: 1000 }, (_, i) => `${p}-${i}`);
      await c.setMulti(keys.map((key) => ({ key, value: key })));
      const gets = await DirectGets.watch("KV_gm");
      const got = await c.getMulti(keys);
      await gets.settle();
      expect([gets.batched, gets.single]).toEqual([1, 0]);
      expect(text(got)).toEqual(new Map(keys.map((k) => [k, k])));
    },
  );

  it("kv-cache - getMulti of no keys or only missing keys", async () => {
    const c = track(await open("gm"));
    const p = prefix("none");
    expect((await c.getMulti([])).size).toBe(0);
    expect((await c.getMulti([`${p}-a`, `${p}-b`, `${p}-c`])).size).toBe(0);
  });

  it("kv-cache - getMulti of more keys than one batch holds (2500 keys, every third missing)", async () => {
    const c = track(await open("gm"));
    const p = prefix("many");
    const keys = Array.from({ length: 2500 }, (_, i) => `${p}-${i}`);
    await c.setMulti(keys.filter((_, i) => i % 3 !== 0).map((key) => ({ key, value: `v-${key}` })));
    const gets = await DirectGets.watch("KV_gm");
    const got = await c.getMulti(keys);
    await gets.settle();
    expect(got.size).toBe(keys.filter((_, i) => i % 3 !== 0).length);
    for (const [i, k] of keys.entries()) {
      expect(got.has(k)).toBe(i % 3 !== 0);
      if (i % 3 !== 0) expect(td.decode(got.get(k) as Uint8Array)).toBe(`v-${k}`);
    }
    // 1024 subjects at most per request.
    expect([gets.batched, gets.single]).toEqual(hasBatch ? [3, 0] : [0, 2500]);
  });

  it("kv-cache - getMulti of more bytes than the server sends for one request asks again for the rest", async () => {
    const c = track(await open("gmbig"));
    const p = prefix("big");
    const value = (i: number) => new Uint8Array(300_000).fill(65 + (i % 26));
    const keys = Array.from({ length: 30 }, (_, i) => `${p}-${i}`); // 9 MB in all
    for (const [i, key] of keys.entries()) await c.set(key, value(i));
    const gets = await DirectGets.watch("KV_gmbig");
    const got = await c.getMulti([...keys, `${p}-missing`]);
    await gets.settle();
    expect(got.size).toBe(30);
    // (Buffer comparison: a deep equal of 300 kB arrays takes seconds.)
    for (const [i, k] of keys.entries())
      expect(Buffer.from(value(i)).equals(got.get(k) as Uint8Array)).toBe(true);
    // 4 MiB per answer: at least three requests for the same batch.
    if (hasBatch) expect(gets.batched).toBeGreaterThanOrEqual(3);
    else expect(gets.single).toBe(31);
  });

  it("kv-cache - getMulti treats entries past their per-call ttl as missing (bucket with a ttl)", async () => {
    const batched = track(await open("gmttl"));
    const single = track(await open("gmttl", { getMultiBatch: false }));
    const p = prefix("cttl");
    await batched.set(`${p}-short`, "s", { ttl: 300 });
    await batched.set(`${p}-long`, "l");
    const keys = [`${p}-short`, `${p}-long`];
    expect(text(await batched.getMulti(keys))).toEqual(
      new Map([
        [`${p}-short`, "s"],
        [`${p}-long`, "l"],
      ]),
    );
    await sleep(450);
    const expected = new Map([[`${p}-long`, "l"]]);
    expect(text(await batched.getMulti(keys))).toEqual(expected);
    expect(text(await single.getMulti(keys))).toEqual(expected);
  });

  it.skipIf(lacksPerKeyTtl)(
    `kv-cache - getMulti treats entries removed by their per-key ttl as missing${lacksPerKeyTtl ? ` (skipped: ${lacksPerKeyTtl})` : ""}`,
    async () => {
      const opts = { createBucket: true, bucketSettings: { limitMarkerTtl: "1s" } } as const;
      const batched = track(await open("gmperkey", opts));
      const single = track(await open("gmperkey", { ...opts, getMultiBatch: false }));
      const p = prefix("kttl");
      await batched.set(`${p}-short`, "s", { ttl: "1s" });
      await batched.set(`${p}-long`, "l");
      const keys = [`${p}-short`, `${p}-long`];
      expect((await batched.getMulti(keys)).size).toBe(2);
      await sleep(2500);
      const expected = new Map([[`${p}-long`, "l"]]);
      expect(text(await batched.getMulti(keys))).toEqual(expected);
      expect(text(await single.getMulti(keys))).toEqual(expected);
    },
  );

  it("kv-cache - with the near-cache, getMulti serves what it holds and asks only for the rest", async () => {
    const c = track(await open("gm", { nearCache: { enabled: true } }));
    const other = track(await open("gm"));
    const p = prefix("near");
    const keys = [`${p}-a`, `${p}-b`, `${p}-c`];
    await c.setMulti(keys.map((key) => ({ key, value: key })));
    await c.getMulti(keys); // fills the near-cache
    const gets = await DirectGets.watch("KV_gm");
    const hitsBefore = c.nearCacheStats().hits;
    expect(text(await c.getMulti([...keys, `${p}-d`]))).toEqual(new Map(keys.map((k) => [k, k])));
    await gets.settle();
    expect(c.nearCacheStats().hits - hitsBefore).toBe(3);
    // Only the key not held was asked for: one key goes as a single get.
    expect([gets.batched, gets.single]).toEqual([0, 1]);
    // A change by another process reaches a later getMulti.
    await other.set(`${p}-b`, "changed");
    const t0 = performance.now();
    for (;;) {
      if (td.decode((await c.getMulti(keys)).get(`${p}-b`) as Uint8Array) === "changed") break;
      if (performance.now() - t0 > 5000) throw new Error("the near-cache kept serving the old value");
      await sleep(10);
    }
  });

  it("kv-cache - getMulti reads key by key where batches do not apply", async () => {
    const off = track(await open("gm", { getMultiBatch: false }));
    const noDirect = track(await open("gmnodirect"));
    expect(off.info.batchGet).toBe(false);
    expect(noDirect.info.batchGet).toBe(false);
    const p = prefix("off");
    await off.set(`${p}-a`, "a");
    await noDirect.set(`${p}-a`, "a");
    const gets = await DirectGets.watch("KV_gm");
    expect(text(await off.getMulti([`${p}-a`, `${p}-b`]))).toEqual(new Map([[`${p}-a`, "a"]]));
    await gets.settle();
    expect([gets.batched, gets.single]).toEqual([0, 2]);
    expect(text(await noDirect.getMulti([`${p}-a`, `${p}-b`]))).toEqual(new Map([[`${p}-a`, "a"]]));
  });

  it.skipIf(refusesNoBatch)(
    `kv-cache - a server that refuses a batch is read key by key from then on${refusesNoBatch ? ` (skipped: ${refusesNoBatch})` : ""}`,
    async () => {
      // A cluster member older than the one connected to (a rolling upgrade) answers like this
      // server: the client is told it speaks to 2.11, the request reaches a 2.9/2.10 server.
      const client = await connectNats({ urls: [server.url] });
      try {
        (client.nc.info as { version: string }).version = "2.11.0";
        const c = track(await KvCache.open(client, { bucket: "gm" }));
        expect(c.info.batchGet).toBe(true);
        const keys = await scenario(c, prefix("refused"));
        const expected = await viaGet(c, keys);
        const gets = await DirectGets.watch("KV_gm");
        expect(text(await c.getMulti(keys))).toEqual(expected);
        await gets.settle();
        expect([gets.batched, gets.single]).toEqual([1, 6]);
        expect(text(await c.getMulti(keys))).toEqual(expected);
        await gets.settle();
        expect([gets.batched, gets.single]).toEqual([1, 12]);
      } finally {
        await client.close();
      }
    },
  );

  it("kv-cache - a getMulti the server does not answer in time fails; it never reports keys missing", async () => {
    const c = track(await open("gm", { operationTimeout: 500 }));
    const p = prefix("stall");
    await c.setMulti([
      { key: `${p}-a`, value: "a" },
      { key: `${p}-b`, value: "b" },
    ]);
    await freeze(server.pid);
    let e: unknown;
    try {
      e = await rejection(c.getMulti([`${p}-a`, `${p}-b`, `${p}-c`]));
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
    expect(TimeoutError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(
      hasBatch ? /^getMulti of 3 keys from '.*-a': no answer/ : /^getMulti '/,
    );
    expect(text(await c.getMulti([`${p}-a`, `${p}-b`, `${p}-c`]))).toEqual(
      new Map([
        [`${p}-a`, "a"],
        [`${p}-b`, "b"],
      ]),
    );
  });
});
