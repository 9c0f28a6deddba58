import { existsSync, readFileSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  findNatsServer,
  type NatsServer,
  NatsServerNotFoundError,
  natsServerVersion,
  skipReason,
  startNatsServer,
  supports,
  TestNatsError,
  trackedResources,
} from "../src/index.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const servers: NatsServer[] = [];
const conns: NatsConnection[] = [];
async function start(opts: Parameters<typeof startNatsServer>[0] = {}): Promise<NatsServer> {
  const s = await startNatsServer(opts);
  servers.push(s);
  return s;
}
async function dial(opts: Parameters<typeof connect>[0]): Promise<NatsConnection> {
  const nc = await connect(opts);
  conns.push(nc);
  return nc;
}

afterEach(async () => {
  await Promise.all(conns.splice(0).map((nc) => nc.close().catch(() => {})));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

afterAll(() => {
  expect(trackedResources()).toEqual({ pids: [], dirs: [] });
});

describe("test-nats server", () => {
  it("test-nats - starts a plain server with JetStream on a free loopback port", async () => {
    const server = await start({ monitoring: true });
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const nc = await dial({ servers: server.url, name: "plain-client" });
    expect(nc.info?.version).toBe(server.version);
    expect(nc.info?.jetstream).toBe(true);
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.add({ name: "PLAIN", subjects: ["plain.>"] });
    expect(si.config.name).toBe("PLAIN");
    const js = jsm.jetstream();
    const ack = await js.publish("plain.a", "hello");
    expect(ack.seq).toBe(1);
    expect(server.storeDir.startsWith(server.dir)).toBe(true);
    expect(existsSync(server.storeDir)).toBe(true);
    const connz = await server.connz();
    expect(connz.connections.map((c) => c.name)).toContain("plain-client");
    // the config was pinned to the port the server picked, so restart() reuses it
    expect(readFileSync(server.configPath, "utf8")).toContain(`listen: "127.0.0.1:${server.port}"`);
  });

  it("test-nats - two servers get different ports", async () => {
    const [a, b] = await Promise.all([start({ jetstream: false }), start({ jetstream: false })]);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
  });

  it("test-nats - reports the server version and feature support", async () => {
    const server = await start({ jetstream: false });
    const version = await natsServerVersion();
    expect(server.version).toBe(version);
    const nc = await dial({ servers: server.url });
    expect(nc.info?.version).toBe(version);
    expect(supports("2.9.10", "handshakeFirst")).toBe(false);
    expect(supports("2.10.0", "handshakeFirst")).toBe(true);
    expect(supports("2.10.22", "perKeyTtl")).toBe(false);
    expect(supports("2.11.0", "perKeyTtl")).toBe(true);
    expect(skipReason("handshakeFirst", "2.9.10")).toBe(
      "nats-server 2.9.10 lacks tls handshake_first (needs >= 2.10.0)",
    );
    expect(skipReason("handshakeFirst")).toBe(
      supports(version, "handshakeFirst")
        ? undefined
        : `nats-server ${version} lacks tls handshake_first (needs >= 2.10.0)`,
    );
  });

  it("test-nats - kill -9 and restart on the same port keep a stream's messages", async () => {
    const server = await start();
    const nc = await dial({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "KEEP", subjects: ["keep.>"] });
    const js = jsm.jetstream();
    for (let i = 0; i < 5; i++) await js.publish(`keep.${i}`, `m${i}`);
    const { port, storeDir } = server;
    const oldPid = server.pid;

    await server.kill();
    expect(server.running).toBe(false);
    expect(alive(oldPid)).toBe(false);
    expect(existsSync(storeDir)).toBe(true);

    await server.restart();
    expect(server.running).toBe(true);
    expect(server.pid).not.toBe(oldPid);
    expect(server.port).toBe(port);
    expect(server.storeDir).toBe(storeDir);
    const nc2 = await dial({ servers: server.url });
    const info = await (await jetstreamManager(nc2)).streams.info("KEEP");
    expect(info.state.messages).toBe(5);
    expect(server.logTail(200)).toMatch(/Restored 5 messages for stream '\$G > KEEP'/);
  });

  it("test-nats - restart while running is a graceful stop then start", async () => {
    const server = await start({ monitoring: true });
    const { port, monitorUrl, pid } = server;
    await server.restart();
    expect(server.pid).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    expect(server.port).toBe(port);
    expect(server.monitorUrl).toBe(monitorUrl);
    const nc = await dial({ servers: server.url });
    expect(nc.info?.port).toBe(port);
  });

  it("test-nats - stop removes the temp dir and the process", async () => {
    const server = await startNatsServer();
    const { pid, dir } = server;
    expect(alive(pid)).toBe(true);
    expect(trackedResources().pids).toContain(pid);
    await server.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(trackedResources().pids).not.toContain(pid);
    expect(trackedResources().dirs).not.toContain(dir);
    await server.stop(); // idempotent
    await expect(server.restart()).rejects.toMatchObject({ code: "NOT_RUNNING" });
  });

  it("test-nats - asyncDispose stops the server", async () => {
    const server = await startNatsServer({ jetstream: false });
    await server[Symbol.asyncDispose]();
    expect(alive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });

  it("test-nats - max_payload and extra config reach the server", async () => {
    const server = await start({ jetstream: false, maxPayload: 4096, extraConfig: "max_connections: 7" });
    const nc = await dial({ servers: server.url });
    expect(nc.info?.max_payload).toBe(4096);
    expect(readFileSync(server.configPath, "utf8")).toContain("max_connections: 7");
  });

  it("test-nats - a bad config fails to start with the log tail and leaves nothing behind", async () => {
    const before = trackedResources();
    const err = await startNatsServer({ extraConfig: "no_such_option_xyz: true" }).catch((e: unknown) => e);
    expect(TestNatsError.isInstance(err)).toBe(true);
    expect((err as TestNatsError).code).toBe("START_FAILED");
    expect((err as Error).message).toContain("no_such_option_xyz");
    expect(trackedResources()).toEqual(before);
  });

  it("test-nats - a server without handshake_first refuses it, as the feature table says", async (ctx) => {
    const version = await natsServerVersion();
    if (supports(version, "handshakeFirst")) ctx.skip(`nats-server ${version} has handshake_first`);
    const err = await startNatsServer({
      jetstream: false,
      extraConfig: "tls { handshake_first: true }",
    }).catch((e: unknown) => e);
    expect((err as TestNatsError).code).toBe("START_FAILED");
    expect((err as Error).message).toContain('unknown field ["handshake_first"]');
  });

  it("test-nats - connz needs monitoring", async () => {
    const server = await start({ jetstream: false });
    expect(server.monitorUrl).toBeUndefined();
    await expect(server.connz()).rejects.toMatchObject({ code: "MONITORING_DISABLED" });
  });
});

describe("test-nats binary lookup", () => {
  const saved = process.env.NATS_SERVER_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.NATS_SERVER_BIN;
    else process.env.NATS_SERVER_BIN = saved;
  });

  it("test-nats - finds nats-server", () => {
    expect(findNatsServer()).toMatch(/nats-server$/);
  });

  it("test-nats - NATS_SERVER_BIN wins and must be executable", () => {
    process.env.NATS_SERVER_BIN = "/nonexistent/nats-server";
    const err = (() => {
      try {
        findNatsServer();
      } catch (e) {
        return e;
      }
    })();
    expect(NatsServerNotFoundError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain("/nonexistent/nats-server");
  });
});
