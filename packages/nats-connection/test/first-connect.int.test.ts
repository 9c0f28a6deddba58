import { createPki, type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterEach, describe, expect, it } from "vitest";
import { type ConnectionEvents, connectFromConfig, connectNats } from "../src/index.js";
import { Clients, deadPort, expectConfigError, expectConnectError, roundTrip } from "./helpers.js";

const clients = new Clients();
const servers: NatsServer[] = [];
afterEach(async () => {
  await clients.closeAll();
  await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
});

type WaitEvent = Extract<ConnectionEvents, { type: "connect_wait" }>;

/** A server that is down now (its port known) and comes up when `start()` is called. */
async function downServer(opts: Parameters<typeof startNatsServer>[0] = {}) {
  const server = await startNatsServer(opts);
  servers.push(server);
  await server.kill();
  return server;
}

const since = (t: number) => performance.now() - t;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("nats-connection first connect waits for a server", () => {
  it("nats-connection - connect waits for a server that starts after it was called, reporting each wait", async () => {
    const server = await downServer();
    const events: WaitEvent[] = [];
    const started = performance.now();
    const connecting = connectNats(
      { urls: [server.url], waitOnFirstConnect: "30s" },
      { onEvent: (e) => e.type === "connect_wait" && events.push(e) },
    );
    await sleep(1500);
    await server.restart();
    const c = clients.add(await connecting);
    expect(since(started)).toBeGreaterThanOrEqual(1400); // it waited rather than failing
    expect(since(started)).toBeLessThan(25_000);
    expect(await roundTrip(c)).toBe("ping");
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ attempt: 1, servers: [server.url] });
    expect(events[0]?.error.code).toBe("UNREACHABLE");
    expect(events.map((e) => e.attempt)).toEqual(events.map((_, i) => i + 1));
    for (const e of events) expect(e.delayMs).toBeGreaterThan(0);
  });

  it("nats-connection - with no server for the whole wait, connect fails after about the wait, saying how long it waited", async () => {
    const port = await deadPort();
    const events: WaitEvent[] = [];
    const started = performance.now();
    const e = await expectConnectError(
      connectFromConfig(
        { urls: [`nats://alice:s3cret-PW@127.0.0.1:${port}`], wait_on_first_connect: "1.5s" },
        "out",
        {
          onEvent: (ev) => ev.type === "connect_wait" && events.push(ev),
        },
      ),
    );
    const took = since(started);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    expect(e.code).toBe("UNREACHABLE");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(
      new RegExp(
        `^cannot connect to nats://127\\.0\\.0\\.1:${port}: no server is reachable; gave up after waiting \\d+(\\.\\d)?s and \\d+ attempts \\(wait_on_first_connect: 1\\.5s\\)$`,
      ),
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    // Neither the error nor what a logger would print of the events holds the url's password.
    const logged = JSON.stringify(events.map((ev) => ({ ...ev, message: ev.error.message })));
    expect(`${e.message} ${logged}`).not.toContain("s3cret-PW");
  });

  it("nats-connection - wait_on_first_connect 0 makes a single attempt", async () => {
    const started = performance.now();
    const e = await expectConnectError(
      connectFromConfig({ urls: [`nats://127.0.0.1:${await deadPort()}`], wait_on_first_connect: 0 }),
    );
    expect(e.code).toBe("UNREACHABLE");
    expect(e.message).not.toContain("gave up");
    expect(since(started)).toBeLessThan(5000);
  });

  it("nats-connection - a wrong password fails at once, not after the wait", async () => {
    const server = await startNatsServer({ auth: { users: [{ user: "alice", password: "right" }] } });
    servers.push(server);
    const events: WaitEvent[] = [];
    const started = performance.now();
    const e = await expectConnectError(
      connectNats(
        { urls: [server.url], auth: { user: "alice", password: "wrong" }, waitOnFirstConnect: "30s" },
        { onEvent: (ev) => ev.type === "connect_wait" && events.push(ev) },
      ),
    );
    expect(e.code).toBe("AUTH_FAILED");
    expect(since(started)).toBeLessThan(8000);
    expect(events).toEqual([]);
  });

  it("nats-connection - an untrusted server certificate fails at once, not after the wait", async () => {
    const pki = await createPki();
    try {
      const server = await startNatsServer({ tls: { pki } });
      servers.push(server);
      const started = performance.now();
      const e = await expectConnectError(connectNats({ urls: [server.url], waitOnFirstConnect: "30s" }));
      expect(e.code).toBe("TLS_UNTRUSTED");
      expect(since(started)).toBeLessThan(8000);
    } finally {
      await pki.remove();
    }
  });

  it("nats-connection - a config error fails before anything is dialled", async () => {
    const started = performance.now();
    const e = await expectConfigError(
      connectNats({
        urls: [`nats://127.0.0.1:${await deadPort()}`],
        auth: { userCredentialsFile: "/nonexistent/natskit.creds" },
        waitOnFirstConnect: "30s",
      }),
    );
    expect(e.issues[0]?.path).toBe("auth.userCredentialsFile");
    expect(since(started)).toBeLessThan(2000);
  });

  it("nats-connection - aborting ends the wait at once, and a server coming up later gets no connection", async () => {
    const server = await downServer({ monitoring: true });
    const ac = new AbortController();
    let waits = 0;
    const connecting = connectNats(
      { urls: [server.url], waitOnFirstConnect: "30s" },
      { signal: ac.signal, onEvent: (e) => e.type === "connect_wait" && waits++ },
    );
    await sleep(700);
    const abortedAt = performance.now();
    ac.abort(new Error("shutting down"));
    const e = await expectConnectError(connecting);
    expect(since(abortedAt)).toBeLessThan(1000);
    expect(e).toMatchObject({ code: "ABORTED", retryable: false });
    expect(waits).toBeGreaterThanOrEqual(1);
    await server.restart();
    await sleep(3000); // longer than the longest pause between attempts
    expect((await server.connz()).connections).toEqual([]);
  });
});
