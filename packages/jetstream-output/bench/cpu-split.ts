import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareVersions, processCpuSeconds, startNatsServer } from "@natskit/test-nats";
import { JetStreamOutput } from "../src/index.js";
import { benchConfig, freshStream, goPublish, PERSIST_ASYNC, publishAll } from "./workload.js";

const N = Number(process.env.N ?? 200_000);
const SIZE = Number(process.env.SIZE ?? 1024);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WINDOW = 1024;
/** GO_LIKE=1: the output does what the Go peer does (one subject, no headers but the msg id). */
const GO_LIKE = process.env.GO_LIKE === "1";

interface Sample {
  rate: number;
  clientUs: number;
  serverUs: number;
}

async function output(url: string, pid: number, msgId: boolean, fast: boolean): Promise<Sample> {
  const stream = await freshStream(url, "SPLIT", ["split.>"], fast);
  const out = new JetStreamOutput(
    benchConfig(url, "split", msgId, { max_in_flight: WINDOW, fast_ingest: fast ? "auto" : "off" }, GO_LIKE),
  );
  await out.connect();
  const s0 = processCpuSeconds(pid);
  const c0 = process.cpuUsage();
  const seconds = await publishAll(out, N, SIZE, GO_LIKE);
  const c = process.cpuUsage(c0);
  const server = processCpuSeconds(pid) - s0;
  const { acked, failed } = out.stats;
  await out.close();
  const stored = await stream.count();
  await stream.close();
  if (acked !== N || failed !== 0 || stored !== N)
    throw new Error(`acked ${acked}, failed ${failed}, stored ${stored}`);
  return { rate: N / seconds, clientUs: (c.user + c.system) / N, serverUs: (server * 1e6) / N };
}

async function go(bin: string, url: string, pid: number, msgId: boolean): Promise<Sample> {
  const r = await goPublish(bin, { url, size: SIZE, n: N, window: WINDOW, msgId, serverPid: pid });
  return {
    rate: r.msgs_per_sec,
    clientUs: (r.client_cpu_s * 1e6) / N,
    serverUs: ((r.server_cpu_s ?? 0) * 1e6) / N,
  };
}

const storeDir = mkdtempSync(join(tmpdir(), "natskit-split-"));
const server = await startNatsServer({ storeDir });
const fast = compareVersions(server.version, "2.14.0") >= 0;
const variants: [string, () => Promise<Sample> | Sample][] = [
  ["output, Nats-Msg-Id per message", () => output(server.url, server.pid, true, false)],
  ["output, no msg id", () => output(server.url, server.pid, false, false)],
];
if (fast) {
  variants.push(
    ["output, fast ingest, Nats-Msg-Id", () => output(server.url, server.pid, true, true)],
    ["output, fast ingest, no msg id", () => output(server.url, server.pid, false, true)],
  );
}
const bin = process.env.GOBENCH_BIN;
if (bin) {
  variants.push(
    ["Go PublishAsync -msgid", () => go(bin, server.url, server.pid, true)],
    ["Go PublishAsync", () => go(bin, server.url, server.pid, false)],
  );
}
const rows = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, run] = variants[(k + r) % variants.length] as (typeof variants)[number];
      rows.get(name)?.push(await run());
    }
  }
} finally {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `nats-server ${server.version}, ${SIZE} B, n=${N}, window ${WINDOW}, ${ROUNDS} rounds, medians${GO_LIKE ? ", the output doing Go's workload" : ""}${PERSIST_ASYNC ? ", streams with persist_mode: async" : ""}`,
);
console.log("| variant | msgs/s | client CPU µs/msg | nats-server CPU µs/msg | both |");
console.log("|---|---|---|---|---|");
for (const [name, v] of rows) {
  const c = med(v.map((x) => x.clientUs));
  const s = med(v.map((x) => x.serverUs));
  console.log(
    `| ${name} | ${Math.round(med(v.map((x) => x.rate))).toLocaleString("en")} | ${c.toFixed(2)} | ${s.toFixed(2)} | ${(c + s).toFixed(2)} |`,
  );
}
