import { type AddressInfo, createServer, type Socket } from "node:net";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConnectionEvents, connectFromConfig, connectNats } from "../src/index.js";
import { Clients, deadPort, expectConnectError, roundTrip } from "./helpers.js";

const clients = new Clients();
afterEach(() => clients.closeAll());

describe("nats-connection against a real server", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ monitoring: true });
  });
  afterAll(() => server.stop());

  it("nats-connection - the label is the connection name the server shows in /connz", async () => {
    const c = clients.add(await connectFromConfig({ urls: [server.url] }, "orders_output"));
    await c.nc.flush();
    const connz = await server.connz();
    const names = connz.connections.map((x) => x.name);
    expect(names).toContain("orders_output");
    expect(c.name).toBe("orders_output");
  });

  it("nats-connection - the first url being dead fails over to the next", async () => {
    const dead = `nats://127.0.0.1:${await deadPort()}`;
    const c = clients.add(await connectNats({ urls: [dead, server.url] }));
    expect(await roundTrip(c)).toBe("ping");
    expect(c.nc.getServer()).toBe(`127.0.0.1:${server.port}`);
  });

  it("nats-connection - a comma-separated item is expanded into several urls", async () => {
    const dead = `nats://127.0.0.1:${await deadPort()}`;
    const c = clients.add(await connectFromConfig({ urls: [` ${dead} , ${server.url} `] }));
    expect(c.config.servers.map((s) => s.url)).toEqual([dead, server.url]);
    expect(await roundTrip(c)).toBe("ping");
  });

  it("nats-connection - a server that accepts TCP and never answers delays a working one by about 2 s at most", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const silentUrl = `nats://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const took: number[] = [];
      // The client shuffles the list: several attempts make the silent server come first in some.
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        const c = clients.add(await connectNats({ urls: [silentUrl, server.url] }));
        took.push(performance.now() - started);
        expect(await roundTrip(c)).toBe("ping");
        await c.close();
      }
      for (const ms of took)
        expect(ms, `attempts took ${took.map(Math.round).join(", ")} ms`).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("nats-connection - only dead urls fail with UNREACHABLE, retryable (one attempt with wait_on_first_connect 0)", async () => {
    const e = await expectConnectError(
      connectNats({
        urls: [`nats://127.0.0.1:${await deadPort()}`, `nats://127.0.0.1:${await deadPort()}`],
        waitOnFirstConnect: 0,
      }),
    );
    expect(e.code).toBe("UNREACHABLE");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(
      /^cannot connect to nats:\/\/127\.0\.0\.1:\d+, nats:\/\/127\.0\.0\.1:\d+: no server is reachable$/,
    );
  });
});

describe("nats-connection reconnects", () => {
  it("nats-connection - reports disconnect and reconnect and waits for the connection to come back", async () => {
    const server = await startNatsServer();
    try {
      const events: ConnectionEvents["type"][] = [];
      const c = clients.add(
        await connectNats(
          { urls: [server.url], maxReconnects: -1 },
          { reconnectTimeWait: 100, onEvent: (e) => events.push(e.type) },
        ),
      );
      expect(c.isConnected()).toBe(true);
      const disconnected = new Promise((r) => c.on("disconnect", r));
      await server.kill();
      await disconnected;
      expect(c.isConnected()).toBe(false);
      await expect(c.waitForConnection(200)).rejects.toMatchObject({ code: "UNREACHABLE", retryable: true });
      const back = c.waitForConnection(15_000);
      await server.restart();
      await back;
      expect(c.isConnected()).toBe(true);
      expect(events).toContain("disconnect");
      expect(events).toContain("reconnect");
      expect(await roundTrip(c)).toBe("ping");
    } finally {
      await server.stop();
    }
  });

  it("nats-connection - max_reconnects 0 closes the connection at the first disconnect", async () => {
    const server = await startNatsServer();
    try {
      const c = clients.add(await connectFromConfig({ urls: [server.url], max_reconnects: 0 }));
      const closed = new Promise<ConnectionEvents>((r) => c.on("close", r));
      await server.kill();
      const ev = await closed;
      expect(ev.type).toBe("close");
      expect(c.isClosed()).toBe(true);
      await expect(c.waitForConnection(1000)).rejects.toMatchObject({ message: "the connection is closed" });
    } finally {
      await server.stop();
    }
  });
});
