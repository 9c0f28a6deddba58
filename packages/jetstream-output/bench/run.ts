// JetStream publish benchmark: the output's real path (interpolated subject, explicit headers,
// metadata filter, msg ids) beside the raw client's `js.publish` in a sliding window, and the Go
// client (../shared/peers/gobench) when it is available — same server, same stream settings,
// same window, interleaved rounds. Prints a table of medians.
//
//   pnpm --filter @natskit/jetstream-output bench            # defaults: n=200000, 5 rounds
//   N=1000000 ROUNDS=1 SIZES=1024 pnpm --filter @natskit/jetstream-output bench
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { compareVersions, repoRoot, startNatsServer } from "@natskit/test-nats";
import { ScrapeReader } from "@natskit/test-nats/metrics";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { JetStreamOutput } from "../src/index.js";
import { benchConfig, freshStream, goPublish, PERSIST_ASYNC, publishAll } from "./workload.js";

const N = Number(process.env.N ?? 200_000);
const RAW_N = Number(process.env.RAW_N ?? Math.min(N, 100_000));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WINDOW = Number(process.env.WINDOW ?? 1024);
const SIZES = (process.env.SIZES ?? "256,1024").split(",").map(Number);

interface Row {
  variant: string;
  size: number;
  n: number;
  msgsPerSec: number[];
}
const rows = new Map<string, Row>();
function record(variant: string, size: number, n: number, seconds: number) {
  const key = `${variant}|${size}`;
  const row = rows.get(key) ?? { variant, size, n, msgsPerSec: [] };
  row.msgsPerSec.push(n / seconds);
  rows.set(key, row);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

function goBench(): string | undefined {
  if (process.env.GOBENCH_BIN) return process.env.GOBENCH_BIN;
  const src = resolve(repoRoot() ?? ".", "../shared/peers/gobench");
  if (!existsSync(join(src, "main.go"))) return undefined;
  const out = join(tmpdir(), "natskit-gobench");
  if (existsSync(out)) return out;
  const r = spawnSync("go", ["build", "-trimpath", "-o", out, "."], {
    cwd: src,
    env: {
      ...process.env,
      GO111MODULE: "off",
      GOPATH: "/usr/share/gocode",
      GOFLAGS: "",
      GOPROXY: "off",
      CGO_ENABLED: "0",
    },
    stdio: "ignore",
  });
  return r.status === 0 ? out : undefined;
}

async function rawJsPublish(url: string, size: number, n: number): Promise<number> {
  const s = await freshStream(url, "BENCH", ["bench.>"]);
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  const payload = new Uint8Array(size).fill(120);
  const t0 = performance.now();
  await new Promise<void>((done, fail) => {
    let sent = 0;
    let acked = 0;
    let inflight = 0;
    const pump = () => {
      while (inflight < WINDOW && sent < n) {
        sent++;
        inflight++;
        js.publish("bench.raw", payload).then(() => {
          inflight--;
          if (++acked === n) done();
          else pump();
        }, fail);
      }
    };
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  if ((await s.count()) !== n) throw new Error("raw: stream count mismatch");
  await nc.close();
  await s.close();
  return seconds;
}

/**
 * The output's path. With `metrics`, an OpenTelemetry SDK meter provider is installed and
 * collected every second, as a Prometheus scrape would; without, `@opentelemetry/api` is
 * installed but no provider (the default of an app that does not set one up).
 */
async function outputPath(
  url: string,
  size: number,
  n: number,
  msgId: boolean,
  { metrics = false, fast = false, goLike = false } = {},
): Promise<number> {
  const s = await freshStream(url, "BENCH", ["bench.>"], fast);
  const reader = metrics ? new ScrapeReader() : undefined;
  const provider = reader ? new MeterProvider({ readers: [reader] }) : undefined;
  const out = new JetStreamOutput(
    benchConfig(url, "bench", msgId, { max_in_flight: WINDOW, fast_ingest: fast ? "auto" : "off" }, goLike),
    provider ? { metrics: { meterProvider: provider } } : {},
  );
  await out.connect();
  const scrapes = reader ? setInterval(() => void reader.scrape(), 1000) : undefined;
  const seconds = await publishAll(out, n, size, goLike);
  clearInterval(scrapes);
  const { acked, failed } = out.stats;
  await out.close();
  await provider?.shutdown();
  if (acked !== n || failed !== 0 || (await s.count()) !== n)
    throw new Error(`output: acked ${acked}, failed ${failed}`);
  await s.close();
  return seconds;
}

const GO_LIKE = "output, Go's workload (one subject, no headers)";
const GO_LIKE_IDS = `${GO_LIKE}, Nats-Msg-Id per message`;

const storeDir = mkdtempSync(join(tmpdir(), "natskit-bench-"));
const server = await startNatsServer({ storeDir });
const go = goBench();
const fastIngest = compareVersions(server.version, "2.14.0") >= 0;
try {
  console.error(
    `nats-server ${server.version}, n=${N} (raw js.publish n=${RAW_N}), window=${WINDOW}, ${ROUNDS} rounds${go ? "" : ", Go peer not available"}${PERSIST_ASYNC ? ", streams with persist_mode: async" : ""}`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    for (const size of SIZES) {
      // Rotate the order every round so no variant always runs on a warmer or busier machine.
      const variants: [string, number, () => Promise<number>][] = [
        ["output, Nats-Msg-Id per message", N, () => outputPath(server.url, size, N, true)],
        [
          "output, Nats-Msg-Id, metrics to an SDK meter provider",
          N,
          () => outputPath(server.url, size, N, true, { metrics: true }),
        ],
        ["output, no msg id", N, () => outputPath(server.url, size, N, false)],
        ["raw js.publish (window)", RAW_N, () => rawJsPublish(server.url, size, RAW_N)],
      ];
      if (fastIngest) {
        variants.push(
          [
            "output, fast_ingest, Nats-Msg-Id",
            N,
            () => outputPath(server.url, size, N, true, { fast: true }),
          ],
          ["output, fast_ingest, no msg id", N, () => outputPath(server.url, size, N, false, { fast: true })],
        );
      }
      if (go) {
        // The output doing what the Go peer does: one subject, no headers but the msg id.
        const goLike = { goLike: true };
        variants.push(
          [GO_LIKE_IDS, N, () => outputPath(server.url, size, N, true, goLike)],
          [`${GO_LIKE}, no msg id`, N, () => outputPath(server.url, size, N, false, goLike)],
        );
        if (fastIngest) {
          variants.push(
            [
              `${GO_LIKE}, fast_ingest, Nats-Msg-Id`,
              N,
              () => outputPath(server.url, size, N, true, { ...goLike, fast: true }),
            ],
            [
              `${GO_LIKE}, fast_ingest, no msg id`,
              N,
              () => outputPath(server.url, size, N, false, { ...goLike, fast: true }),
            ],
          );
        }
        variants.push(
          [
            "Go nats.go PublishAsync",
            N,
            async () => (await goPublish(go, { url: server.url, size, n: N, window: WINDOW })).seconds,
          ],
          [
            "Go nats.go PublishAsync -msgid",
            N,
            async () =>
              (await goPublish(go, { url: server.url, size, n: N, window: WINDOW, msgId: true })).seconds,
          ],
        );
      }
      for (let k = 0; k < variants.length; k++) {
        const [name, n, run] = variants[(k + round) % variants.length] as (typeof variants)[number];
        record(name, size, n, await run());
      }
      console.error(`round ${round} size ${size} done`);
    }
  }
} finally {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
}

const lines = [
  "| variant | size | n | msgs/s (median) | MB/s | vs raw js.publish | vs Go (like for like: -msgid for rows with ids) |",
  "|---|---|---|---|---|---|---|",
];
for (const size of SIZES) {
  const raw = median(rows.get(`raw js.publish (window)|${size}`)?.msgsPerSec ?? []);
  const goRate = median(rows.get(`Go nats.go PublishAsync|${size}`)?.msgsPerSec ?? []);
  const goIds = median(rows.get(`Go nats.go PublishAsync -msgid|${size}`)?.msgsPerSec ?? []);
  for (const row of rows.values()) {
    if (row.size !== size) continue;
    const m = median(row.msgsPerSec);
    const withIds = /Msg-Id|-msgid/.test(row.variant);
    const go = withIds ? goIds : goRate;
    lines.push(
      `| ${row.variant} | ${size} B | ${row.n} | ${Math.round(m).toLocaleString("en")} | ${((m * size) / 1e6).toFixed(1)} | ${raw ? (m / raw).toFixed(2) : "-"}× | ${go ? (m / go).toFixed(2) : "-"}× |`,
    );
  }
}
console.log(lines.join("\n"));
if (process.env.SKIP_MEMORY !== "1") {
  const mem = JSON.parse(
    execFileSync(
      process.execPath,
      ["--conditions=@natskit/source", "--import", "tsx", resolve(import.meta.dirname, "memory.ts")],
      {
        encoding: "utf8",
        env: { ...process.env, N: process.env.MEMORY_N ?? "1000000", SIZE: "1024" },
      },
    )
      .trim()
      .split("\n")
      .pop() as string,
  ) as { n: number; size: number; msgsPerSec: number; stored: number; failed: number; peakRssMb: number };
  console.log(
    `\nmemory: ${mem.n.toLocaleString("en")} × ${mem.size} B through the output in a fresh process: peak RSS ${mem.peakRssMb} MB, ${mem.msgsPerSec.toLocaleString("en")} msgs/s, stored ${mem.stored.toLocaleString("en")}, failed ${mem.failed}`,
  );
}
