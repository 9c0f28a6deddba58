import type { StreamConfig } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createMessage, type Message } from "@natskit/interpolation";
import { skipReason, startNatsCluster, startNatsServer } from "@natskit/test-nats";
import { describe, expect, it } from "vitest";
import { FastIngestPublisher } from "../src/fast-ingest.js";
import {
  JetStreamOutput,
  JetStreamOutputError,
  type OutputEvent,
  type PubAck,
  type RawOutputConfig,
} from "../src/index.js";
import { addStream, admin, readStream, serverPerFile, skipped, startProxy } from "./helpers.js";

// Fast ingest needs nats-server 2.14+; on older servers these tests check the fallback instead.
const noFastIngest = skipReason("fastIngest");
const { outputs, server } = serverPerFile();

let n = 0;
/** A fresh stream capturing `<prefix>.>`; `allow_batched` unless told otherwise. */
async function stream(batched = true, extra: Partial<StreamConfig> = {}) {
  n++;
  const name = `FI${n}`;
  const prefix = `fi${n}`;
  const { nc, jsm } = await admin(server().url);
  await addStream(jsm, name, [`${prefix}.>`], {
    ...(batched ? { allow_batched: true } : {}),
    ...extra,
  } as never);
  await nc.close();
  return { name, prefix };
}

function output(config: Omit<RawOutputConfig, "urls">, events: OutputEvent[] = []): JetStreamOutput {
  return outputs.add(
    new JetStreamOutput(
      { urls: [server().url], fast_ingest: "auto", ...config },
      { onEvent: (e) => events.push(e) },
    ),
  );
}

/** Writes `total` messages `m<i>` in batches of 1024, up to 4 outstanding (bulk traffic). */
async function bulk(o: JetStreamOutput, total: number, make = (i: number) => createMessage(`m${i}`)) {
  const acks: PubAck[] = [];
  const outstanding = new Set<Promise<void>>();
  for (let i = 0; i < total; i += 1024) {
    const batch: Message[] = [];
    for (let j = i; j < Math.min(total, i + 1024); j++) batch.push(make(j));
    const p = o.writeBatch(batch).then((a) => {
      acks.push(...a);
    });
    outstanding.add(p);
    void p.finally(() => outstanding.delete(p));
    if (outstanding.size >= 4) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  return acks;
}

async function stored(name: string): Promise<string[]> {
  const { nc, jsm } = await admin(server().url);
  try {
    return (await readStream(jsm, name)).map((m) => m.data);
  } finally {
    await nc.close();
  }
}

function expectExactlyOnce(data: string[], total: number) {
  expect(data.length).toBe(total);
  expect(new Set(data).size).toBe(total);
}

describe("jetstream-output fast ingest", () => {
  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: bulk traffic to an allow_batched stream goes in batches, each message stored once${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const events: OutputEvent[] = [];
      const o = output({ subject: `${s.prefix}.\${! meta("type") }` }, events);
      await o.connect();
      const total = 20_000;
      const acks = await bulk(o, total, (i) =>
        createMessage(`m${i}`, { metadata: { type: i % 2 ? "a" : "b" } }),
      );
      expect(acks.length).toBe(total);
      const batched = acks.filter((a) => a.kind === "batch");
      expect(batched.length).toBeGreaterThan(total / 2); // the first messages may go per message
      expect(batched[0]).toMatchObject({ kind: "batch", stream: s.name });
      expect(events).toContainEqual({ type: "fast_ingest", stream: s.name, enabled: true });
      expectExactlyOnce(await stored(s.name), total);
      expect(o.stats).toMatchObject({ accepted: total, acked: total, failed: 0, pending: 0, inflight: 0 });
    },
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: a writeBatch of 1000 goes in one batch from its first message; a batch whose every message is flow-acked still commits${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const o = output({ subject: `${s.prefix}.x` });
      await o.connect();
      await bulk(o, 3000); // the subject's stream is known after this
      // Exactly two flow windows: the flow acks cover every message before the commit.
      const acks = await o.writeBatch(Array.from({ length: 1000 }, (_, i) => createMessage(`w${i}`)));
      expect(acks.every((a) => a.kind === "batch")).toBe(true);
      expect(new Set(acks.map((a) => (a.kind === "batch" ? a.batch : ""))).size).toBe(1);
      await new Promise((r) => setTimeout(r, 100)); // the linger commit runs
      const again = await o.writeBatch(Array.from({ length: 1000 }, (_, i) => createMessage(`v${i}`)));
      expect(again.every((a) => a.kind === "batch")).toBe(true);
      expectExactlyOnce(await stored(s.name), 5000);
    },
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - FastIngestPublisher: a cut connection (server up) is settled by a ping on reconnect, exactly, without msg ids${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const proxy = await startProxy({ host: "127.0.0.1", port: server().port });
      const nc = await connect({ servers: proxy.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
      const acked = new Set<number>();
      const returned: number[] = [];
      const failed: string[] = [];
      const p = new FastIngestPublisher<{ subject: string; n: number }>(nc, {
        stream: s.name,
        flow: 100,
        outstanding: 2,
        ackTimeoutMs: 5000,
        lingerMs: 50,
        hasMore: () => true,
        onResult: (job, err) => (err ? failed.push(`${job.n}:${err.code}`) : acked.add(job.n)),
        onReturn: (job) => returned.push(job.n),
        onProbe: () => {},
      });
      p.start();
      let reconnects = 0;
      void (async () => {
        for await (const st of nc.status()) {
          if (st.type === "disconnect") p.disconnected();
          if (st.type === "reconnect") {
            reconnects++;
            p.reconnected();
          }
        }
      })();
      try {
        // Cuts land with a full window in flight: the server has some of it, the rest is lost.
        const total = 3000;
        for (let n = 0; n < total; n++) {
          while (!p.canSend()) await p.ready();
          p.send({ subject: `${s.prefix}.x`, n }, new TextEncoder().encode(`c${n}`), undefined);
          if (n === 1000 || n === 2000) proxy.cut();
        }
        const deadline = Date.now() + 20_000;
        while (acked.size + returned.length + failed.length < total && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(reconnects).toBeGreaterThanOrEqual(1);
        // No outcome is unknown: each message was acked (stored) or returned (not stored).
        expect(failed).toEqual([]);
        expect(acked.size + returned.length).toBe(total);
        const data = await stored(s.name);
        expect(new Set(data).size).toBe(data.length);
        expect(new Set(data)).toEqual(new Set([...acked].map((n) => `c${n}`)));
      } finally {
        p.close(() => new JetStreamOutputError("CLOSED", "closed", { retryable: false }));
        await nc.close();
        await proxy.close();
      }
    },
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - FastIngestPublisher: a batch whose messages are all flow-acked before the linger still commits${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const nc = await connect({ servers: server().url });
      const results: string[] = [];
      let finals = 0;
      const p = new FastIngestPublisher<{ subject: string; n: number }>(nc, {
        stream: s.name,
        flow: 100,
        outstanding: 2,
        ackTimeoutMs: 5000,
        lingerMs: 300, // long enough for the flow acks to cover everything first
        hasMore: () => false,
        onResult: (job, err) => results.push(err ? `${job.n}:${err.code}` : `${job.n}`),
        onReturn: (job) => results.push(`${job.n}:returned`),
        onProbe: () => finals++,
      });
      p.start();
      try {
        for (let n = 0; n < 200; n++) {
          while (!p.canSend()) await p.ready();
          p.send({ subject: `${s.prefix}.x`, n }, new TextEncoder().encode(`p${n}`), undefined);
        }
        const deadline = Date.now() + 10_000;
        while (results.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(results).toEqual(Array.from({ length: 200 }, (_, n) => `${n}`));
        expect(p.open).toBe(true); // all acked, not yet committed
        while (p.open && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(p.open).toBe(false); // the commit's final ack closed it
        expect(finals).toBe(1); // one probe answer, the start
        expectExactlyOnce(await stored(s.name), 200);
      } finally {
        p.close(() => {
          throw new Error("nothing should be left");
        });
        await nc.close();
      }
    },
  );

  it("jetstream-output - fast_ingest auto: one write at a time takes per-message acks (no batch for a trickle)", async () => {
    const s = await stream();
    const o = output({ subject: `${s.prefix}.x` });
    await o.connect();
    for (let i = 0; i < 20; i++) {
      const ack = await o.write(createMessage(`t${i}`));
      expect(ack.kind).toBe("message");
    }
    expectExactlyOnce(await stored(s.name), 20);
  });

  it("jetstream-output - fast_ingest auto: a stream without allow_batched (or a server without fast ingest) falls back, says why, loses nothing", async () => {
    const s = await stream(false);
    const events: OutputEvent[] = [];
    const o = output({ subject: `${s.prefix}.x` }, events);
    await o.connect();
    const total = 5000;
    const acks = await bulk(o, total);
    expect(acks.every((a) => a.kind === "message")).toBe(true);
    expectExactlyOnce(await stored(s.name), total);
    const off = events.find((e) => e.type === "fast_ingest" && !e.enabled);
    expect(off?.reason).toMatch(noFastIngest ? /needs 2\.14/ : /allow_batched/);
  });

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: allow_batched switched off mid-batch (a stream update): the output falls back at once, nothing lost, nothing stored twice${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const events: OutputEvent[] = [];
      // A long ack_timeout: the fallback must come from the server's answers, not from a timeout.
      const o = output({ subject: `${s.prefix}.x`, ack_timeout: "60s" }, events);
      await o.connect();
      const off = () => events.find((e) => e.type === "fast_ingest" && !e.enabled);
      let switchedAt = 0;
      const acks: PubAck[] = [];
      const update = (async () => {
        // Once batches are flowing (the subject's stream is looked up first).
        while (acks.filter((a) => a.kind === "batch").length < 2000)
          await new Promise((r) => setTimeout(r, 2));
        const { nc, jsm } = await admin(server().url);
        try {
          const info = await jsm.streams.info(s.name);
          await jsm.streams.update(s.name, { ...info.config, allow_batched: false } as never);
          switchedAt = performance.now();
        } finally {
          await nc.close();
        }
      })();
      // Bulk traffic, so a batch is open when the update lands, until 10,000 more messages
      // have gone after the output switched to per-message acks.
      const outstanding = new Set<Promise<void>>();
      let total = 0;
      let totalAtOff: number | undefined;
      while (totalAtOff === undefined || total < totalAtOff + 10_000) {
        expect(total).toBeLessThan(5_000_000);
        const batch = Array.from({ length: 1024 }, (_, j) => createMessage(`m${total + j}`));
        total += batch.length;
        const p = o.writeBatch(batch).then((a) => void acks.push(...a));
        outstanding.add(p);
        void p.finally(() => outstanding.delete(p));
        if (outstanding.size >= 4) await Promise.race(outstanding);
        if (totalAtOff === undefined && off()) totalAtOff = total;
      }
      await Promise.all(outstanding);
      await update;
      const afterSwitch = performance.now() - switchedAt;
      expect(off()?.reason).toMatch(/allow_batched/);
      expect(acks.length).toBe(total);
      expect(acks.some((a) => a.kind === "batch")).toBe(true);
      expect(acks.slice(-1000).every((a) => a.kind === "message")).toBe(true);
      // Well inside ack_timeout: the server's "batch publish is disabled" settled the open batch.
      expect(afterSwitch).toBeLessThan(30_000);
      expect(o.stats.failed).toBe(0);
      expectExactlyOnce(await stored(s.name), total);
    },
    90_000,
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: a message the stream rejects fails alone; the rest of the batch is sent again and stored${skipped(noFastIngest)}`,
    async () => {
      // max_msg_size makes the stream refuse the big messages (10054, not retryable).
      const s = await stream(true, { max_msg_size: 1000 });
      const o = output({ subject: `${s.prefix}.x` });
      await o.connect();
      const total = 8000;
      // late in the run: by then the stream is known and the backlog goes in batches
      const big = new Set([5000, 6500, 7999]);
      const make = (i: number) => createMessage(big.has(i) ? `m${i}-${"x".repeat(2000)}` : `m${i}`);
      const results = await Promise.allSettled(Array.from({ length: total }, (_, i) => o.write(make(i))));
      const batched = results.filter((r) => r.status === "fulfilled" && r.value.kind === "batch");
      expect(batched.length).toBeGreaterThan(1000);
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
      expect(failed).toEqual([...big]);
      const reason = (results[5000] as PromiseRejectedResult).reason;
      expect(reason).toMatchObject({ code: "PUBLISH_REJECTED", errCode: 10054, retryable: false });
      const data = await stored(s.name);
      expectExactlyOnce(data, total - big.size);
    },
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: server SIGKILLed and restarted mid-batch: nothing lost, nothing stored twice (generated msg ids)${skipped(noFastIngest)}`,
    async () => {
      const own = await startNatsServer();
      try {
        const { nc, jsm } = await admin(own.url);
        await addStream(jsm, "FIKILL", ["kill.>"], { allow_batched: true } as never);
        await nc.close();
        const o = outputs.add(
          new JetStreamOutput(
            { urls: [own.url], subject: "kill.x", fast_ingest: "auto", max_retries: 100 },
            { connect: { reconnectTimeWait: 100 } },
          ),
        );
        await o.connect();
        const total = 60_000;
        let killed = false;
        const done = bulk(o, total);
        while (!killed) {
          await new Promise((r) => setTimeout(r, 20));
          if (o.stats.acked >= 15_000) {
            killed = true;
            await own.kill("SIGKILL");
            await new Promise((r) => setTimeout(r, 300));
            await own.restart();
          }
        }
        const acks = await done;
        expect(acks.length).toBe(total);
        expect(acks.filter((a) => a.kind === "batch").length).toBeGreaterThan(total / 2);
        expect(o.stats.retries).toBeGreaterThan(0); // the kill really hit messages in flight
        const check = await admin(own.url);
        const data = (await readStream(check.jsm, "FIKILL")).map((m) => m.data);
        await check.nc.close();
        expectExactlyOnce(data, total);
      } finally {
        await own.stop();
      }
    },
  );

  it.skipIf(noFastIngest !== undefined)(
    `jetstream-output - fast_ingest auto: connections cut mid-batch with the server up: nothing lost, nothing stored twice, without msg ids${skipped(noFastIngest)}`,
    async () => {
      const s = await stream();
      const proxy = await startProxy({ host: "127.0.0.1", port: server().port });
      try {
        const o = outputs.add(
          new JetStreamOutput(
            {
              urls: [proxy.url],
              subject: `${s.prefix}.x`,
              fast_ingest: "auto",
              msg_id: "",
              max_retries: 100,
            },
            { connect: { reconnectTimeWait: 50 } },
          ),
        );
        await o.connect();
        const total = 40_000;
        const done = bulk(o, total);
        for (const at of [8_000, 16_000, 24_000]) {
          while (o.stats.acked < at && o.stats.acked + o.stats.failed < total) {
            await new Promise((r) => setTimeout(r, 5));
          }
          proxy.cut();
        }
        const acks = await done;
        expect(acks.length).toBe(total);
        expect(acks.filter((a) => a.kind === "batch").length).toBeGreaterThan(total / 2);
        expectExactlyOnce(await stored(s.name), total);
      } finally {
        await proxy.close();
      }
    },
  );

  for (const victimOf of ["client", "leader"] as const) {
    it.skipIf(noFastIngest !== undefined)(
      `jetstream-output - fast_ingest auto: a 3-node cluster losing the ${victimOf === "client" ? "client's node" : "stream leader"} stores every message exactly once${skipped(noFastIngest)}`,
      async () => {
        const cluster = await startNatsCluster();
        const a = await admin(cluster.urls);
        try {
          await addStream(a.jsm, "FIR3", ["fir3.>"], { num_replicas: 3, allow_batched: true } as never);
          await cluster.waitForJetStreamReady();
          const o = outputs.add(
            new JetStreamOutput(
              {
                urls: [...cluster.urls],
                subject: "fir3.x",
                fast_ingest: "auto",
                max_reconnects: -1,
                ack_timeout: "2s",
                max_retries: 100,
              },
              { connect: { reconnectTimeWait: 100 } },
            ),
          );
          await o.connect();
          const leaderName = (await a.jsm.streams.info("FIR3")).cluster?.leader;
          const connectedTo = o.client!.nc.getServer();
          const victim = cluster.servers.find((s) =>
            victimOf === "client" ? connectedTo.endsWith(`:${s.port}`) : s.serverName === leaderName,
          );
          expect(victim).toBeDefined();
          const total = 30_000;
          let killed = false;
          const done = bulk(o, total);
          while (!killed) {
            await new Promise((r) => setTimeout(r, 20));
            if (o.stats.acked >= 8000) {
              killed = true;
              await victim!.kill("SIGKILL");
            }
          }
          const acks = await done;
          const stats = JSON.stringify(o.stats);
          expect(acks, stats).toHaveLength(total);
          expect(o.stats.failed, stats).toBe(0);
          expect(acks.filter((x) => x.kind === "batch").length).toBeGreaterThan(total / 2);
          await cluster.waitForJetStreamReady();
          const check = await admin(cluster.urls.filter((u) => !u.endsWith(`:${victim!.port}`)));
          const data = (await readStream(check.jsm, "FIR3").finally(() => check.nc.close())).map(
            (m) => m.data,
          );
          expectExactlyOnce(data, total);
        } finally {
          await a.nc.close();
          await cluster.stop();
        }
      },
      180_000,
    );
  }
});
