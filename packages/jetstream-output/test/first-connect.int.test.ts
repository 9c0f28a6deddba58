import { createMessage } from "@natskit/interpolation";
import { ConnectError, type ConnectionEvents } from "@natskit/nats-connection";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterEach, describe, expect, it } from "vitest";
import { JetStreamOutput } from "../src/index.js";
import { addStream, admin, Outputs, rejectionOf, streamCount } from "./helpers.js";

const outputs = new Outputs();
const servers: NatsServer[] = [];
afterEach(async () => {
  await outputs.closeAll();
  await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
});

const since = (t: number) => performance.now() - t;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server with stream `WAIT` on `wait.>`, stopped now; `restart()` brings it back on its port and store. */
async function downServer(opts: Parameters<typeof startNatsServer>[0] = {}): Promise<NatsServer> {
  const server = await startNatsServer(opts);
  servers.push(server);
  const a = await admin(server.url);
  await addStream(a.jsm, "WAIT", ["wait.>"]);
  await a.nc.close();
  await server.kill("SIGTERM");
  return server;
}

describe("jetstream-output connect waits for a server", () => {
  it("jetstream-output - connect() waits for a server started after it and then publishes", async () => {
    const server = await downServer();
    const waits: ConnectionEvents[] = [];
    const o = outputs.add(
      new JetStreamOutput(
        { urls: [server.url], subject: "wait.x", wait_on_first_connect: "30s" },
        { connect: { onEvent: (e) => e.type === "connect_wait" && waits.push(e) } },
      ),
    );
    const started = performance.now();
    const connecting = o.connect();
    await sleep(1500);
    await server.restart();
    await connecting;
    expect(since(started)).toBeGreaterThanOrEqual(1400);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    await o.write(createMessage("after the wait"));
    const a = await admin(server.url);
    try {
      expect(await streamCount(a.jsm, "WAIT")).toBe(1);
    } finally {
      await a.nc.close();
    }
  });

  it("jetstream-output - with no server for the whole wait, connect() fails after about the wait", async () => {
    const server = await downServer();
    const o = outputs.add(
      new JetStreamOutput({ urls: [server.url], subject: "wait.x", wait_on_first_connect: "1.5s" }),
    );
    const started = performance.now();
    const e = await rejectionOf(o.connect());
    expect(since(started)).toBeGreaterThanOrEqual(1400);
    expect(since(started)).toBeLessThan(10_000);
    expect(ConnectError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "UNREACHABLE", retryable: true });
    expect(e.message).toContain("gave up after waiting");
    expect(e.message).toContain("(wait_on_first_connect: 1.5s)");
  });

  it("jetstream-output - a wrong password fails connect() at once, not after the wait", async () => {
    const server = await startNatsServer({ auth: { users: [{ user: "w", password: "right" }] } });
    servers.push(server);
    const o = outputs.add(
      new JetStreamOutput({
        urls: [server.url],
        subject: "wait.x",
        auth: { user: "w", password: "wrong" },
        wait_on_first_connect: "30s",
      }),
    );
    const started = performance.now();
    const e = await rejectionOf(o.connect());
    expect(e).toMatchObject({ code: "AUTH_FAILED", retryable: false });
    expect(since(started)).toBeLessThan(8000);
  });

  it("jetstream-output - close() during a waiting connect() ends it at once and leaves no connection", async () => {
    const server = await downServer({ monitoring: true });
    const o = new JetStreamOutput({ urls: [server.url], subject: "wait.x", wait_on_first_connect: "30s" });
    const connecting = rejectionOf(o.connect());
    await sleep(700);
    const closedAt = performance.now();
    await o.close();
    const e = await connecting;
    expect(since(closedAt)).toBeLessThan(1000);
    expect(e).toMatchObject({ code: "CLOSED", retryable: false });
    await expect(o.connect()).rejects.toMatchObject({ code: "CLOSED" });
    await server.restart();
    await sleep(3000); // longer than the longest pause between attempts
    expect((await server.connz()).connections).toEqual([]);
  });
});
