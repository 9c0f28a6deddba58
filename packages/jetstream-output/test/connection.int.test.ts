import { createMessage } from "@natskit/interpolation";
import { createPki, startNatsServer } from "@natskit/test-nats";
import { afterEach, describe, expect, it } from "vitest";
import { JetStreamOutput } from "../src/index.js";
import { addStream, admin, Outputs, rejectionOf, streamCount } from "./helpers.js";

const outputs = new Outputs();
afterEach(() => outputs.closeAll());

describe("jetstream-output connection fields", () => {
  it("jetstream-output - publishes over TLS with tls.root_cas and the label as connection name", async () => {
    const pki = await createPki();
    const server = await startNatsServer({ tls: { pki }, monitoring: true });
    try {
      const { nc, jsm } = await admin(server.url, { tls: { ca: pki.ca.cert } });
      await addStream(jsm, "TLS", ["tls.>"]);
      const o = outputs.add(
        new JetStreamOutput(
          { urls: [server.url], subject: "tls.x", tls: { enabled: true, root_cas: pki.ca.cert } },
          { label: "tls_output" },
        ),
      );
      await o.connect();
      await o.write(createMessage("secure"));
      expect(await streamCount(jsm, "TLS")).toBe(1);
      const connz = await server.connz();
      expect(connz.connections.map((c) => c.name)).toContain("tls_output");
      await nc.close();
    } finally {
      await server.stop();
      await pki.remove();
    }
  });

  it("jetstream-output - close with a timeout fails messages held while the server is down, leaving nothing hanging", async () => {
    const server = await startNatsServer();
    try {
      const a = await admin(server.url);
      await addStream(a.jsm, "HOLD", ["hold.>"]);
      await a.nc.close();
      const o = outputs.add(
        new JetStreamOutput(
          { urls: [server.url], subject: "hold.x", max_reconnects: -1 },
          { connect: { reconnectTimeWait: 100 } },
        ),
      );
      await o.connect();
      await o.write(createMessage("before"));
      const down = new Promise((r) => o.client?.on("disconnect", r));
      await server.kill();
      await down;
      const held = o.write(createMessage("while down"));
      await new Promise((r) => setTimeout(r, 300));
      expect(o.stats.pending).toBe(1); // held, not published into the void, not failed
      const started = Date.now();
      await o.close(500);
      const e = await rejectionOf(held);
      expect(e).toMatchObject({ code: "CLOSED", retryable: false });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(o.stats).toMatchObject({ accepted: 2, acked: 1, failed: 1, pending: 0 });
    } finally {
      await server.stop();
    }
  });
});
