import { createMessage } from "@natskit/interpolation";
import { skipReason } from "@natskit/test-nats";
import { describe, expect, it } from "vitest";
import { JetStreamOutput } from "../src/index.js";
import { addStream, admin, readStream, rejectionOf, serverPerFile, skipped, streamCount } from "./helpers.js";

const noTtl = skipReason("msgTtl");
const { outputs, server } = serverPerFile();

describe("jetstream-output ttl", () => {
  it.skipIf(noTtl !== undefined)(
    `jetstream-output - ttl: each message carries its Nats-TTL and expires from an allow_msg_ttl stream${skipped(noTtl)}`,
    async () => {
      const { nc, jsm } = await admin(server().url);
      try {
        await addStream(jsm, "TTL1", ["ttl1.>"], { allow_msg_ttl: true } as never);
        const o = outputs.add(
          new JetStreamOutput({ urls: [server().url], subject: "ttl1.x", ttl: '${! meta("ttl") }' }),
        );
        await o.connect();
        await o.write(createMessage("short", { metadata: { ttl: "1s" } }));
        await o.write(createMessage("long", { metadata: { ttl: "1h" } }));
        const stored = await readStream(jsm, "TTL1");
        expect(stored.map((m) => [m.data, m.headers["Nats-TTL"]])).toEqual([
          ["short", ["1s"]],
          ["long", ["1h"]],
        ]);
        // The server expires the short one (its TTL check runs about once a second).
        const deadline = Date.now() + 15_000;
        while ((await streamCount(jsm, "TTL1")) > 1 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
        }
        expect((await readStream(jsm, "TTL1")).map((m) => m.data)).toEqual(["long"]);
      } finally {
        await nc.close();
      }
    },
  );

  it.skipIf(noTtl !== undefined)(
    `jetstream-output - ttl on a stream without allow_msg_ttl: the write fails with TTL_NOT_SUPPORTED, nothing stored${skipped(noTtl)}`,
    async () => {
      const { nc, jsm } = await admin(server().url);
      try {
        await addStream(jsm, "TTL2", ["ttl2.>"]);
        const o = outputs.add(new JetStreamOutput({ urls: [server().url], subject: "ttl2.x", ttl: "1h" }));
        await o.connect();
        const err = await rejectionOf(o.write(createMessage("x")));
        expect(err).toMatchObject({ code: "TTL_NOT_SUPPORTED", retryable: false, errCode: 10166 });
        expect(err.message).toContain("allow_msg_ttl");
        expect(await streamCount(jsm, "TTL2")).toBe(0);
      } finally {
        await nc.close();
      }
    },
  );

  it.skipIf(noTtl === undefined)(
    `jetstream-output - ttl on a server without per-message TTL: connect() fails with TTL_NOT_SUPPORTED, nothing is sent${skipped(noTtl === undefined ? "the server has per-message TTL" : undefined)}`,
    async () => {
      const o = outputs.add(new JetStreamOutput({ urls: [server().url], subject: "ttl3.x", ttl: "1h" }));
      const err = await rejectionOf(o.connect());
      expect(err).toMatchObject({ code: "TTL_NOT_SUPPORTED", retryable: false });
      expect(err.message).toContain(`the server is ${server().version}`);
      expect(o.client).toBeUndefined();
    },
  );
});
