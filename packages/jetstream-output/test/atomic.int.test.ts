import { createMessage } from "@natskit/interpolation";
import { skipReason, startNatsServer } from "@natskit/test-nats";
import { describe, expect, it } from "vitest";
import { AtomicBatchError, JetStreamOutput, type RawOutputConfig } from "../src/index.js";
import {
  addStream,
  admin,
  perMessage,
  readStream,
  rejectionOf,
  serverPerFile,
  skipped,
  streamCount,
} from "./helpers.js";

const noAtomic = skipReason("atomicBatch");
const { outputs, server } = serverPerFile();

let n = 0;
async function stream(extra: Record<string, unknown> = { allow_atomic: true }) {
  n++;
  const { nc, jsm } = await admin(server().url);
  await addStream(jsm, `AT${n}`, [`at${n}.>`], extra as never);
  return { name: `AT${n}`, prefix: `at${n}`, nc, jsm };
}

async function output(config: Omit<RawOutputConfig, "urls">): Promise<JetStreamOutput> {
  const o = outputs.add(new JetStreamOutput({ urls: [server().url], atomic_batches: true, ...config }));
  await o.connect();
  return o;
}

describe("jetstream-output atomic batches", () => {
  it.skipIf(noAtomic !== undefined)(
    `jetstream-output - atomic_batches: writeBatch stores the whole batch at contiguous sequences${skipped(noAtomic)}`,
    async () => {
      const s = await stream();
      try {
        const o = await output({ subject: `${s.prefix}.\${! meta("k") }` });
        const acks = await o.writeBatch(
          Array.from({ length: 200 }, (_, i) =>
            createMessage(`m${i}`, { metadata: { k: i % 2 ? "a" : "b" } }),
          ),
        );
        expect(acks.map((a) => perMessage(a).seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        const stored = await readStream(s.jsm, s.name);
        expect(stored.map((m) => m.data)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
        expect(o.stats).toMatchObject({ accepted: 200, acked: 200, failed: 0, pending: 0 });
      } finally {
        await s.nc.close();
      }
    },
  );

  it.skipIf(noAtomic !== undefined)(
    `jetstream-output - atomic_batches: a message the stream refuses fails the whole batch with its index; nothing is stored${skipped(noAtomic)}`,
    async () => {
      const s = await stream({ allow_atomic: true, max_msg_size: 1000 });
      try {
        const o = await output({ subject: `${s.prefix}.x` });
        const batch = Array.from({ length: 50 }, (_, i) =>
          createMessage(i === 37 ? "x".repeat(2000) : `m${i}`),
        );
        const err = await rejectionOf(o.writeBatch(batch));
        expect(AtomicBatchError.isInstance(err)).toBe(true);
        expect(err).toMatchObject({ code: "BATCH_REJECTED", index: 37, errCode: 10054, retryable: false });
        expect(err.message).toContain("message 37");
        expect(await streamCount(s.jsm, s.name)).toBe(0);
        // A message that cannot even be prepared names itself too, and nothing is sent.
        const bad = await rejectionOf(
          (await output({ subject: `${s.prefix}.\${! meta("k") }` })).writeBatch([
            createMessage("a", { metadata: { k: "ok" } }),
            createMessage("b", { metadata: { k: "not ok" } }),
          ]),
        );
        expect(bad).toMatchObject({ code: "BATCH_REJECTED", index: 1, reason: { code: "INVALID_SUBJECT" } });
        expect(await streamCount(s.jsm, s.name)).toBe(0);
      } finally {
        await s.nc.close();
      }
    },
  );

  it.skipIf(noAtomic !== undefined)(
    `jetstream-output - atomic_batches: a stream without allow_atomic, subjects of two streams, or over 1000 messages: ATOMIC_NOT_SUPPORTED, nothing sent${skipped(noAtomic)}`,
    async () => {
      const plain = await stream({});
      const other = await stream();
      try {
        const o = await output({ subject: '${! meta("s") }.x' });
        const to = (prefix: string) => createMessage("m", { metadata: { s: prefix } });
        const e1 = await rejectionOf(o.writeBatch([to(plain.prefix), to(plain.prefix)]));
        expect(e1).toMatchObject({ code: "ATOMIC_NOT_SUPPORTED", retryable: false });
        expect(e1.message).toContain("allow_atomic");
        const e2 = await rejectionOf(o.writeBatch([to(other.prefix), to(plain.prefix)]));
        expect(e2.message).toContain("2 streams");
        const e3 = await rejectionOf(o.writeBatch(Array.from({ length: 1001 }, () => to(other.prefix))));
        expect(e3.message).toContain("at most 1000");
        expect(await streamCount(plain.jsm, plain.name)).toBe(0);
        expect(await streamCount(other.jsm, other.name)).toBe(0);
      } finally {
        await plain.nc.close();
        await other.nc.close();
      }
    },
  );

  it.skipIf(noAtomic === undefined)(
    `jetstream-output - atomic_batches on a server without them: connect() fails with ATOMIC_NOT_SUPPORTED${skipped(noAtomic === undefined ? "the server has atomic batches" : undefined)}`,
    async () => {
      const o = outputs.add(
        new JetStreamOutput({ urls: [server().url], subject: "x", atomic_batches: true }),
      );
      const err = await rejectionOf(o.connect());
      expect(err).toMatchObject({ code: "ATOMIC_NOT_SUPPORTED", retryable: false });
      expect(err.message).toContain(`the server is ${server().version}`);
    },
  );

  it.skipIf(noAtomic !== undefined)(
    `jetstream-output - atomic_batches: server SIGKILLed and restarted between batches in flight: every batch stored once, whole${skipped(noAtomic)}`,
    async () => {
      const own = await startNatsServer();
      try {
        const { nc, jsm } = await admin(own.url);
        await addStream(jsm, "ATKILL", ["atk.>"], { allow_atomic: true } as never);
        await nc.close();
        const o = outputs.add(
          new JetStreamOutput(
            { urls: [own.url], subject: "atk.x", atomic_batches: true, max_retries: 100, ack_timeout: "2s" },
            { connect: { reconnectTimeWait: 100 } },
          ),
        );
        await o.connect();
        const batches = 60;
        const size = 100;
        let killed = false;
        const writes: Promise<unknown>[] = [];
        for (let b = 0; b < batches; b++) {
          writes.push(o.writeBatch(Array.from({ length: size }, (_, i) => createMessage(`b${b}-m${i}`))));
          if (writes.length % 4 === 0) await Promise.race(writes.slice(-4));
          if (!killed && b === 20) {
            killed = true;
            await own.kill("SIGKILL");
            await own.restart();
          }
        }
        const results = await Promise.allSettled(writes);
        expect(results.filter((r) => r.status === "rejected")).toEqual([]);
        expect(o.stats.retries).toBeGreaterThan(0); // the kill hit batches in flight
        const check = await admin(own.url);
        const data = (await readStream(check.jsm, "ATKILL")).map((m) => m.data);
        await check.nc.close();
        expect(data.length).toBe(batches * size);
        expect(new Set(data).size).toBe(batches * size);
        // all or nothing: every batch's messages sit together
        for (let b = 0; b < batches; b++) {
          const at = data.indexOf(`b${b}-m0`);
          expect(data.slice(at, at + size)).toEqual(Array.from({ length: size }, (_, i) => `b${b}-m${i}`));
        }
      } finally {
        await own.stop();
      }
    },
    120_000,
  );
});
