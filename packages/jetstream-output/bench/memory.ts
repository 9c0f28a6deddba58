// Memory bound: publishes N (default 1,000,000) messages of SIZE (default 1 KiB) through the
// output's real path in a fresh process and prints the peak RSS as one JSON line. Run by run.ts.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createMessage, type Message } from "@natskit/interpolation";
import { startNatsServer } from "@natskit/test-nats";
import { JetStreamOutput } from "../src/index.js";

const n = Number(process.env.N ?? 1_000_000);
const size = Number(process.env.SIZE ?? 1024);
const server = await startNatsServer();
try {
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "MEM", subjects: ["mem.>"], storage: "file" as never });
  const out = new JetStreamOutput({
    urls: [server.url],
    subject: 'mem.${! meta("type") }',
    headers: { "Content-Type": "application/json" },
    metadata: { include_prefixes: ["trace_"] },
  });
  await out.connect();
  const body = new Uint8Array(size).fill(120);
  const types = ["click", "view", "order", "signup"];
  const t0 = performance.now();
  const outstanding = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i += 1024) {
    const batch: Message[] = [];
    for (let j = i; j < Math.min(n, i + 1024); j++) {
      batch.push(createMessage(body, { metadata: { type: types[j & 3] as string, trace_id: "abc" } }));
    }
    const p = out.writeBatch(batch);
    outstanding.add(p);
    void p.finally(() => outstanding.delete(p));
    if (outstanding.size >= 4) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  const seconds = (performance.now() - t0) / 1000;
  const stored = (await jsm.streams.info("MEM")).state.messages;
  await out.close();
  await nc.close();
  console.log(
    JSON.stringify({
      n,
      size,
      seconds,
      msgsPerSec: Math.round(n / seconds),
      acked: out.stats.acked,
      failed: out.stats.failed,
      stored,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await server.stop();
}
