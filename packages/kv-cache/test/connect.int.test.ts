import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { ConfigError, ConnectError, connectNats } from "@natskit/nats-connection";
import { type NatsServer, skipReason, startNatsServer, supports } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BatchError,
  BucketNotFoundError,
  CacheConfigError,
  InvalidArgumentError,
  InvalidKeyError,
  JetStreamNotEnabledError,
  KeyNotFoundError,
  KvCache,
  NatsServerError,
  OutcomeUnknownError,
  TimeoutError,
  TtlNotSupportedError,
} from "../src/index.js";
import { createBucket, freeze, rawGet, rawRevision, rejection, td } from "./helpers.js";

let server: NatsServer;
const caches: KvCache[] = [];
const track = (c: KvCache) => {
  caches.push(c);
  return c;
};

beforeAll(async () => {
  server = await startNatsServer({ monitoring: true });
  await createBucket(server.url, "existing");
});
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
});
afterAll(() => server?.stop());

async function clientConnections(): Promise<number> {
  const connz = await server.connz();
  return connz.connections.length;
}

describe("kv-cache connect", () => {
  it("kv-cache - a missing bucket fails at connect with a clear error, and the connection is released", async () => {
    const before = await clientConnections();
    const e = await rejection(KvCache.connect({ urls: [server.url], bucket: "nope" }));
    expect(BucketNotFoundError.isInstance(e)).toBe(true);
    expect((e as Error).message).toBe(
      "bucket 'nope' does not exist: create it first, or set create_bucket: true to create it at connect",
    );
    await expect.poll(clientConnections).toBe(before);
  });

  it("kv-cache - create_bucket creates the bucket with its settings, once", async () => {
    const c = track(
      await KvCache.fromConfig({
        urls: [server.url],
        bucket: "created",
        create_bucket: true,
        bucket_settings: {
          history: 3,
          storage: "memory",
          max_bytes: 1_000_000,
          ttl: "1h",
          description: "made by test",
        },
      }),
    );
    expect(c.info).toMatchObject({
      bucket: "created",
      created: true,
      history: 3,
      storage: "memory",
      bucketTtlMs: 3_600_000,
      directGet: true,
      perKeyTtl: false,
    });
    const jsm = await jetstreamManager(c.client.nc);
    const si = await jsm.streams.info("KV_created");
    expect(si.config.max_msgs_per_subject).toBe(3);
    expect(si.config.max_bytes).toBe(1_000_000);
    expect(si.config.max_age).toBe(3_600_000 * 1e6);
    expect(si.config.description).toBe("made by test");
    await c.set("k", "v");
    // Connecting again finds it; the settings are not changed.
    const again = track(
      await KvCache.connect({
        urls: [server.url],
        bucket: "created",
        createBucket: true,
        bucketSettings: { history: 9 },
      }),
    );
    expect(again.info.created).toBe(false);
    expect(again.info.history).toBe(3);
    expect(td.decode(await again.get("k"))).toBe("v");
  });

  it.skipIf(!skipReason("perKeyTtl"))(
    `kv-cache - limit_marker_ttl on a server without per-key ttl fails at connect and creates nothing${skipReason("perKeyTtl") ? "" : " (skipped: the server has per-key ttl)"}`,
    async () => {
      const e = await rejection(
        KvCache.connect({
          urls: [server.url],
          bucket: "markers",
          createBucket: true,
          bucketSettings: { limitMarkerTtl: "5s" },
        }),
      );
      expect(TtlNotSupportedError.isInstance(e)).toBe(true);
      expect((e as Error).message).toBe(
        `bucket_settings.limit_marker_ttl: per-key ttl needs nats-server >= 2.11, the server is ${server.version}; bucket 'markers' was not created`,
      );
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await jetstreamManager(nc);
        await expect(jsm.streams.info("KV_markers")).rejects.toThrow(/stream not found/);
      } finally {
        await nc.close();
      }
    },
  );

  it("kv-cache - a server without jetstream gives JetStreamNotEnabledError", async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      const e = await rejection(KvCache.connect({ urls: [plain.url], bucket: "b" }));
      expect(JetStreamNotEnabledError.isInstance(e)).toBe(true);
      expect((e as Error).message).toContain("jetstream is not enabled on the server");
    } finally {
      await plain.stop();
    }
  });

  it("kv-cache - an invalid config fails before anything is dialled", async () => {
    const before = await clientConnections();
    const e = await rejection(
      KvCache.fromConfig({ urls: [server.url], bucket: "a.b", near_cache: { max_entries: 0 } }),
    );
    expect(CacheConfigError.isInstance(e)).toBe(true);
    expect((e as CacheConfigError).issues.map((i) => i.path)).toEqual(["bucket", "near_cache.max_entries"]);
    await expect.poll(clientConnections).toBe(before);
  });

  it("kv-cache - a file the config names that cannot be read is a CacheConfigError with its path", async () => {
    const before = await clientConnections();
    const missing = join(tmpdir(), `natskit-missing-${process.pid}.creds`);
    const e = await rejection(
      KvCache.fromConfig({
        urls: [server.url],
        bucket: "existing",
        auth: { user_credentials_file: missing },
      }),
    );
    expect(CacheConfigError.isInstance(e)).toBe(true);
    expect((e as CacheConfigError).issues).toEqual([
      { path: "auth.user_credentials_file", message: `cannot read '${missing}': no such file` },
    ]);
    expect((e as Error).message).toBe(
      `invalid nats_kv cache config: auth.user_credentials_file: cannot read '${missing}': no such file`,
    );
    expect(ConfigError.isInstance((e as Error).cause)).toBe(true);
    await expect.poll(clientConnections).toBe(before);
  });

  it("kv-cache - an unreachable server gives the connection's typed, retryable error", async () => {
    const dead = await startNatsServer();
    const url = dead.url;
    await dead.stop();
    const e = await rejection(
      KvCache.connect({ urls: [url], bucket: "b", waitOnFirstConnect: 0 }, { timeout: 2000 }),
    );
    expect(ConnectError.isInstance(e)).toBe(true);
    expect((e as ConnectError).code).toBe("UNREACHABLE");
    expect((e as ConnectError).retryable).toBe(true);
  });

  it("kv-cache - the label becomes the connection name", async () => {
    track(await KvCache.fromConfig({ urls: [server.url], bucket: "existing" }, { label: "sessions_cache" }));
    const names = (await server.connz()).connections.map((c) => c.name);
    expect(names).toContain("sessions_cache");
  });

  it("kv-cache - a cache on a shared connection leaves it open when closed", async () => {
    const client = await connectNats({ urls: [server.url] });
    try {
      const c = await KvCache.open(client, { bucket: "existing" });
      await c.set("shared", "1");
      await c.close();
      expect(client.isConnected()).toBe(true);
      const d = await KvCache.open(client, { bucket: "existing" });
      expect(td.decode(await d.get("shared"))).toBe("1");
      await d.close();
    } finally {
      await client.close();
    }
  });
});

describe("kv-cache operations on a real server", () => {
  it("kv-cache - reads and writes interoperate with the raw kv client", async () => {
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing" }));
    const nc = await connect({ servers: server.url });
    try {
      const kv = await new Kvm(jetstream(nc)).open("existing");
      await kv.put("from-raw", "raw-value");
      expect(td.decode(await c.get("from-raw"))).toBe("raw-value");
      await c.set("from-cache", "cache-value");
      expect((await kv.get("from-cache"))?.string()).toBe("cache-value");
      await c.delete("from-cache");
      expect((await kv.get("from-cache"))?.operation).toBe("DEL");
      // A purge by another client reads as missing, and add succeeds over it.
      await kv.purge("from-raw");
      expect(KeyNotFoundError.isInstance(await rejection(c.get("from-raw")))).toBe(true);
      await c.add("from-raw", "re-added");
      expect((await kv.get("from-raw"))?.string()).toBe("re-added");
    } finally {
      await nc.close();
    }
  });

  it("kv-cache - base64url keys let any string be a key on a real bucket", async () => {
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing", keyCodec: "base64url" }));
    const keys = ["https://example.com/path?q=a b&x=ü", "with spaces", "ünï ✓", "a..b", "*", ">", "."];
    for (const k of keys) await c.set(k, `v:${k}`);
    for (const k of keys) expect(td.decode(await c.get(k))).toBe(`v:${k}`);
    const got = await c.getMulti([...keys, "absent"]);
    expect([...got.keys()].sort()).toEqual([...keys].sort());
    // Stored encoded: the raw client sees the base64url form.
    expect(await rawGet(server.url, "existing", Buffer.from("with spaces").toString("base64url"))).toBe(
      "v:with spaces",
    );
    // Deleting "*" deletes that one key, not every key.
    await c.delete("*");
    expect(KeyNotFoundError.isInstance(await rejection(c.get("*")))).toBe(true);
    expect(td.decode(await c.get(">"))).toBe("v:>");
  });

  it("kv-cache - a too-long key or a too-large value is refused without dropping the connection", async () => {
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing" }));
    const events: string[] = [];
    c.client.on("disconnect", () => events.push("disconnect"));
    const longKey = await rejection(c.set("k".repeat(5000), "v"));
    expect(InvalidKeyError.isInstance(longKey)).toBe(true);
    expect((longKey as Error).message).toContain("at most 2048");
    const big = await rejection(c.set("big", new Uint8Array(2 * 1024 * 1024)));
    expect(InvalidArgumentError.isInstance(big)).toBe(true);
    expect((big as Error).message).toBe(
      "set 'big': value of 2097152 bytes is larger than the server's max_payload of 1048576 bytes",
    );
    await c.set("after", "ok");
    expect(td.decode(await c.get("after"))).toBe("ok");
    expect(events).toEqual([]);
  });

  it("kv-cache - the size check counts the headers each write sends (add, set and setMulti with a ttl)", async () => {
    await createBucket(server.url, "sized", { ttl: 60_000 });
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "sized" }));
    const max = c.client.nc.info?.max_payload ?? 0;
    expect(max).toBe(1024 * 1024);
    // A header block on the wire: `NATS/1.0\r\n`, `Name: value\r\n` per field, then `\r\n`.
    const hlen = (fields: [string, string][]) =>
      Buffer.byteLength(`NATS/1.0\r\n${fields.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
    const tooLarge = async (
      p: Promise<unknown>,
      op: string,
      key: string,
      size: number,
      headerBytes: number,
    ) => {
      const e = await rejection(p);
      expect(InvalidArgumentError.isInstance(e)).toBe(true);
      expect((e as Error).message).toBe(
        `${op} '${key}': value of ${size} bytes with ${headerBytes} bytes of headers is larger than the server's max_payload of ${max} bytes`,
      );
    };
    // add sends Nats-Expected-Last-Subject-Sequence: a value that fits only without it is refused by
    // the cache; one that fits with it is stored.
    const addHeaders = hlen([["Nats-Expected-Last-Subject-Sequence", "0"]]);
    await tooLarge(c.add("a-big", new Uint8Array(max)), "add", "a-big", max, addHeaders);
    await tooLarge(
      c.add("a-edge", new Uint8Array(max - addHeaders + 1)),
      "add",
      "a-edge",
      max - addHeaders + 1,
      addHeaders,
    );
    await c.add("a-fits", new Uint8Array(max - addHeaders));
    expect((await c.get("a-fits")).length).toBe(max - addHeaders);
    // Over a deleted key, add expects that key's revision: a longer header than "0".
    for (let i = 0; i < 10; i++) await c.set(`filler${i}`, "x");
    await c.set("a-deleted", "x");
    await c.delete("a-deleted");
    const rev = String(await rawRevision(server.url, "sized", "a-deleted"));
    const revHeaders = hlen([["Nats-Expected-Last-Subject-Sequence", rev]]);
    expect(revHeaders).toBeGreaterThan(addHeaders);
    await tooLarge(
      c.add("a-deleted", new Uint8Array(max - addHeaders)),
      "add",
      "a-deleted",
      max - addHeaders,
      revHeaders,
    );
    // A ttl shorter than the bucket's is written as a header.
    const ttlHeaders = hlen([["Natskit-Cache-Ttl", "1000"]]);
    await tooLarge(c.set("s-ttl", new Uint8Array(max), { ttl: "1s" }), "set", "s-ttl", max, ttlHeaders);
    await c.set("s-ttl", new Uint8Array(max - ttlHeaders), { ttl: "1s" });
    await tooLarge(
      c.add("a-ttl", new Uint8Array(max - addHeaders), { ttl: "1s" }),
      "add",
      "a-ttl",
      max - addHeaders,
      hlen([
        ["Nats-Expected-Last-Subject-Sequence", "0"],
        ["Natskit-Cache-Ttl", "1000"],
      ]),
    );
    // setMulti checks every entry, headers included, before it sends anything.
    const e = await rejection(
      c.setMulti([
        { key: "m-small", value: "x" },
        { key: "m-big", value: new Uint8Array(max - 10), ttl: "1s" },
      ]),
    );
    expect(InvalidArgumentError.isInstance(e)).toBe(true);
    expect((e as Error).message).toBe(
      `setMulti 'm-big': value of ${max - 10} bytes with ${ttlHeaders} bytes of headers is larger than the server's max_payload of ${max} bytes`,
    );
    expect(await rawGet(server.url, "sized", "m-small")).toBeUndefined();
    // Without headers the whole max_payload is the value's.
    await c.set("s-plain", new Uint8Array(max));
    expect((await c.get("s-plain")).length).toBe(max);
  });

  it("kv-cache - a write the server refuses is a NatsServerError with the server's numeric code", async () => {
    await createBucket(server.url, "tiny", { max_bytes: 512 });
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "tiny" }));
    await c.set("a", new Uint8Array(100));
    const e = await rejection(c.set("b", new Uint8Array(600)));
    expect(NatsServerError.isInstance(e)).toBe(true);
    const se = e as NatsServerError;
    expect(se.serverCode).toBe(10077); // JSStreamStoreFailedF
    expect(se.status).toBe(503);
    expect(se.description).toBe("maximum bytes exceeded");
    expect(se.retryable).toBe(false);
    expect(se.message).toMatch(/^set 'b': the server refused it: .+ \(status \d+, err_code \d+\)$/);
    expect(KeyNotFoundError.isInstance(await rejection(c.get("b")))).toBe(true);
  });

  it("kv-cache - setMulti reports which writes landed and why the others failed", async () => {
    await createBucket(server.url, "small", { max_bytes: 2048 });
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "small" }));
    const entries = Array.from({ length: 8 }, (_, i) => ({ key: `m${i}`, value: new Uint8Array(400) }));
    const e = await rejection(c.setMulti(entries));
    expect(BatchError.isInstance(e)).toBe(true);
    const be = e as BatchError;
    expect(be.succeeded.length).toBeGreaterThan(0);
    expect(be.failures.length).toBeGreaterThan(0);
    expect(be.succeeded.length + be.failures.length).toBe(8);
    for (const f of be.failures) expect(NatsServerError.isInstance(f.error)).toBe(true);
    expect(be.retryable).toBe(false);
    const stored = await c.getMulti(entries.map((x) => x.key));
    expect([...stored.keys()].sort()).toEqual([...be.succeeded].sort());
  });

  it("kv-cache - getMulti and setMulti of more keys than the in-flight window", async () => {
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing" }));
    const entries = Array.from({ length: 3000 }, (_, i) => ({ key: `w.${i}`, value: `v${i}` }));
    await c.setMulti(entries);
    const got = await c.getMulti(entries.map((e) => e.key));
    expect(got.size).toBe(3000);
    expect(td.decode(got.get("w.2999") ?? new Uint8Array())).toBe("v2999");
  });

  it("kv-cache - reads of a bucket deleted under the cache fail; they do not report a missing key", async () => {
    await createBucket(server.url, "gone", { allow_direct: false });
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "gone" }));
    await c.set("k", "v");
    const nc = await connect({ servers: server.url });
    try {
      await (await jetstreamManager(nc)).streams.delete("KV_gone");
    } finally {
      await nc.close();
    }
    const e = await rejection(c.get("k"));
    expect(KeyNotFoundError.isInstance(e)).toBe(false);
    expect(NatsServerError.isInstance(e)).toBe(true);
    expect((e as NatsServerError).serverCode).toBe(10059);
    const m = await rejection(c.getMulti(["k"]));
    expect(KeyNotFoundError.isInstance(m)).toBe(false);
  });

  it("kv-cache - a value that is neither bytes nor a string is an INVALID_ARGUMENT", async () => {
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing" }));
    const e = await rejection(c.set("k", 42 as unknown as string));
    expect(InvalidArgumentError.isInstance(e)).toBe(true);
    expect((e as Error).message).toBe("set: value: expected a Uint8Array or a string, got number");
  });

  it("kv-cache - a ttl on a bucket with its own ttl: shorter is honoured, longer is refused", async () => {
    await createBucket(server.url, "ttl10s", { ttl: 10_000 });
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "ttl10s" }));
    expect(c.info.bucketTtlMs).toBe(10_000);
    await c.set("same", "v", { ttl: "10s" });
    expect(td.decode(await c.get("same"))).toBe("v");
    const e = await rejection(c.set("long", "v", { ttl: "1m" }));
    expect(TtlNotSupportedError.isInstance(e)).toBe(true);
    if (!supports(server.version, "perKeyTtl")) {
      expect((e as Error).message).toBe(
        `set 'long': ttl 1m is longer than bucket 'ttl10s''s own ttl of 10s and nats-server ${server.version} has no per-key ttl (needs nats-server >= 2.11); nothing was written`,
      );
    }
    expect(KeyNotFoundError.isInstance(await rejection(c.get("long")))).toBe(true);
  });

  it("kv-cache - on a server without per-key ttl the error says the version and what is needed", async () => {
    const reason = skipReason("perKeyTtl");
    const c = track(await KvCache.connect({ urls: [server.url], bucket: "existing" }));
    const e = await rejection(c.set("k", "v", { ttl: "30s" }));
    expect(TtlNotSupportedError.isInstance(e)).toBe(true);
    if (reason) {
      expect((e as Error).message).toBe(
        `set 'k': ttl 30s not supported: nats-server ${server.version} has no per-key ttl (needs nats-server >= 2.11), and bucket 'existing' has no ttl of its own (bucket_settings.ttl); nothing was written`,
      );
      expect((e as TtlNotSupportedError).serverVersion).toBe(server.version);
    }
  });

  it("kv-cache - a stalled server: reads time out (TIMEOUT), writes report an unknown outcome", async () => {
    const stalled = await startNatsServer();
    try {
      await createBucket(stalled.url, "stall");
      const c = await KvCache.connect({ urls: [stalled.url], bucket: "stall", operationTimeout: "300ms" });
      try {
        await c.set("k", "before");
        await freeze(stalled.pid);
        const t0 = performance.now();
        const [r, w] = await Promise.all([rejection(c.get("k")), rejection(c.set("k", "during"))]);
        const waited = performance.now() - t0;
        process.kill(stalled.pid, "SIGCONT");
        expect(TimeoutError.isInstance(r)).toBe(true);
        expect((r as TimeoutError).retryable).toBe(true);
        expect((r as Error).message).toBe("get 'k': no answer from the server within 300ms");
        expect(OutcomeUnknownError.isInstance(w)).toBe(true);
        expect((w as Error).message).toContain("the write may or may not have been applied");
        expect(waited).toBeGreaterThanOrEqual(290);
        expect(waited).toBeLessThan(5000); // not hanging; the margin absorbs a busy CI machine
        // The server answers again: the cache works, and the unknown write did land (it was sent).
        await expect.poll(async () => td.decode(await c.get("k")), { timeout: 5000 }).toBe("during");
      } finally {
        process.kill(stalled.pid, "SIGCONT");
        await c.close();
      }
    } finally {
      await stalled.stop();
    }
  });
});
