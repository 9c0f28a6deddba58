import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeaderBuilder } from "../src/headers.js";
import { AckPublisher, type PubAck } from "../src/index.js";
import { addStream, admin, readStream } from "./helpers.js";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe("jetstream-output publisher", () => {
  it("jetstream-output - writes straight to the client's outbound buffer, headers and UTF-8 subjects intact", async () => {
    const a = await admin(server.url);
    await addStream(a.jsm, "PUBW", ["pubw.>"]);
    const results: (PubAck | Error)[] = [];
    const p = new AckPublisher<{ subject: string }>(nc, {
      window: 16,
      ackTimeoutMs: 2000,
      onResult: (_job, err, ack) => results.push(err ?? (ack as PubAck)),
    });
    p.start();
    expect(p.writesDirectly).toBe(true); // nats-core internals as this package expects them
    const h = new HeaderBuilder("Static: 1\r\n");
    h.begin();
    h.add("X-Value", "välue");
    const bytes = h.end() as Uint8Array;
    const headers = { encode: () => bytes } as never;
    p.send({ subject: "pubw.größe" }, new TextEncoder().encode("ß"), headers);
    p.send({ subject: "pubw.plain" }, new TextEncoder().encode("plain"), undefined);
    await p.drained();
    expect(results).toEqual([
      { kind: "message", stream: "PUBW", seq: 1, duplicate: false },
      { kind: "message", stream: "PUBW", seq: 2, duplicate: false },
    ]);
    const stored = await readStream(a.jsm, "PUBW");
    expect(stored).toEqual([
      { subject: "pubw.größe", data: "ß", headers: { Static: ["1"], "X-Value": ["välue"] } },
      { subject: "pubw.plain", data: "plain", headers: {} },
    ]);
    p.close(() => new Error("closed") as never);
    await a.nc.close();
  });
});
