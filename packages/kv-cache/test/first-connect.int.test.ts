import { ConnectError, type ConnectionEvents } from "@natskit/nats-connection";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterEach, describe, expect, it } from "vitest";
import { KvCache } from "../src/index.js";
import { createBucket, rejection, td } from "./helpers.js";

const caches: KvCache[] = [];
const servers: NatsServer[] = [];
afterEach(async () => {
  await Promise.allSettled(caches.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
});

const since = (t: number) => performance.now() - t;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server that is down now; `restart()` brings it up on the same port. */
async function downServer(opts: Parameters<typeof startNatsServer>[0] = {}): Promise<NatsServer> {
  const server = await startNatsServer(opts);
  servers.push(server);
  await server.kill("SIGTERM");
  return server;
}

describe("kv-cache connect waits for a server", () => {
  it("kv-cache - connect waits for a server started after it, then creates the bucket", async () => {
    const server = await downServer();
    const waits: ConnectionEvents[] = [];
    const started = performance.now();
    const connecting = KvCache.fromConfig(
      { urls: [server.url], bucket: "late", create_bucket: true, wait_on_first_connect: "30s" },
      { onEvent: (e) => e.type === "connect_wait" && waits.push(e) },
    );
    await sleep(1500);
    await server.restart();
    const cache = await connecting;
    caches.push(cache);
    expect(since(started)).toBeGreaterThanOrEqual(1400);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(cache.info.created).toBe(true);
    await cache.set("k", "v");
    expect(td.decode(await cache.get("k"))).toBe("v");
  });

  it("kv-cache - connect waits for a server whose bucket exists once it is up", async () => {
    const server = await startNatsServer();
    servers.push(server);
    await createBucket(server.url, "existing");
    await server.kill("SIGTERM");
    const connecting = KvCache.connect({ urls: [server.url], bucket: "existing", waitOnFirstConnect: "30s" });
    await sleep(1200);
    await server.restart();
    const cache = await connecting;
    caches.push(cache);
    expect(cache.info.created).toBe(false);
    await cache.set("k", "v");
  });

  it("kv-cache - with no server for the whole wait, connect fails after about the wait", async () => {
    const server = await downServer();
    const started = performance.now();
    const e = await rejection(
      KvCache.connect({ urls: [server.url], bucket: "b", waitOnFirstConnect: "1.5s" }),
    );
    expect(since(started)).toBeGreaterThanOrEqual(1400);
    expect(since(started)).toBeLessThan(10_000);
    expect(ConnectError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "UNREACHABLE", retryable: true });
    expect((e as Error).message).toContain("(waitOnFirstConnect: 1.5s)");
  });

  it("kv-cache - a wrong password fails connect at once, not after the wait", async () => {
    const server = await startNatsServer({ auth: { users: [{ user: "u", password: "right" }] } });
    servers.push(server);
    const started = performance.now();
    const e = await rejection(
      KvCache.fromConfig({
        urls: [server.url],
        bucket: "b",
        auth: { user: "u", password: "wrong" },
        wait_on_first_connect: "30s",
      }),
    );
    expect(e).toMatchObject({ code: "AUTH_FAILED", retryable: false });
    expect(since(started)).toBeLessThan(8000);
  });

  it("kv-cache - aborting a waiting connect ends it at once and leaves no connection", async () => {
    const server = await downServer({ monitoring: true });
    const ac = new AbortController();
    const connecting = rejection(
      KvCache.connect({ urls: [server.url], bucket: "b", createBucket: true }, { signal: ac.signal }),
    );
    await sleep(700);
    const abortedAt = performance.now();
    ac.abort();
    const e = await connecting;
    expect(since(abortedAt)).toBeLessThan(1000);
    expect(e).toMatchObject({ code: "ABORTED", retryable: false });
    await server.restart();
    await sleep(3000); // longer than the longest pause between attempts
    expect((await server.connz()).connections).toEqual([]);
  });
});
