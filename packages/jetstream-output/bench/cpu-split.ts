/**
 * Where the time of a `Nats-Msg-Id` goes: client and nats-server CPU per message for the output
 * with and without ids (same config as bench/run.ts). Run: tsx --conditions=@natskit/source bench/cpu-split.ts
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@natskit/test-nats";
import { JetStreamOutput } from "../src/index.js";
import { benchConfig, publishAll } from "./workload.js";

const N = Number(process.env.N ?? 200_000);
const SIZE = Number(process.env.SIZE ?? 1024);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TICKS = 100; // USER_HZ on Linux

function serverCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

async function run(url: string, pid: number, msgId: boolean) {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete("SPLIT").catch(() => {});
  await jsm.streams.add({ name: "SPLIT", subjects: ["split.>"], storage: "file" as never });
  const out = new JetStreamOutput(benchConfig(url, "split", msgId));
  await out.connect();
  const s0 = serverCpuSeconds(pid);
  const c0 = process.cpuUsage();
  const seconds = await publishAll(out, N, SIZE);
  const c = process.cpuUsage(c0);
  const server = serverCpuSeconds(pid) - s0;
  await out.close();
  await nc.close();
  return { rate: N / seconds, clientUs: (c.user + c.system) / N, serverUs: (server * 1e6) / N };
}

const server = await startNatsServer({ storeDir: mkdtempSync(join(tmpdir(), "natskit-split-")) });
try {
  const rows: Record<string, { rate: number; clientUs: number; serverUs: number }[]> = { ids: [], none: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const ids of r % 2 ? [true, false] : [false, true])
      rows[ids ? "ids" : "none"]?.push(await run(server.url, server.pid, ids));
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`| ${SIZE} B | msgs/s | client CPU µs/msg | nats-server CPU µs/msg |`);
  console.log("|---|---|---|---|");
  for (const [k, v] of Object.entries(rows)) {
    console.log(
      `| ${k === "ids" ? "Nats-Msg-Id per message" : "no msg id"} | ${Math.round(med(v.map((x) => x.rate))).toLocaleString("en")} | ${med(v.map((x) => x.clientUs)).toFixed(2)} | ${med(v.map((x) => x.serverUs)).toFixed(2)} |`,
    );
  }
} finally {
  await server.stop();
}
