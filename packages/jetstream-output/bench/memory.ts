// Memory bound: publishes N (default 1,000,000) messages of SIZE (default 1 KiB) through the
// output's real path in a fresh process and prints the peak RSS as one JSON line. Run by run.ts.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@natskit/test-nats";
import { JetStreamOutput } from "../src/index.js";
import { benchConfig, publishAll } from "./workload.js";

const n = Number(process.env.N ?? 1_000_000);
const size = Number(process.env.SIZE ?? 1024);
const server = await startNatsServer();
try {
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "MEM", subjects: ["mem.>"], storage: "file" as never });
  const out = new JetStreamOutput(benchConfig(server.url, "mem", true));
  await out.connect();
  const seconds = await publishAll(out, n, size);
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
