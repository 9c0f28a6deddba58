/**
 * Where the CPU goes when reading many keys: batched `getMulti` of 1000 keys per call against 64
 * concurrent `get`s, each with this process's and nats-server's CPU per key, interleaved rounds.
 *
 *   NATS_SERVER_BIN=… npx tsx --conditions=@natskit/source bench/cpu-split.ts
 *
 * Env: ROUNDS (3), SECONDS (3 per variant and round), NATS_SERVER_BIN (batched reads need
 * nats-server >= 2.11; older servers are read key by key and the first row says so).
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { processCpuSeconds, startNatsServer } from "@natskit/test-nats";
import { KvCache } from "../src/index.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 3);
const KEYS = 1000;
const CONCURRENCY = 64;

interface Sample {
  rate: number;
  clientUs: number;
  serverUs: number;
}

/** Runs `step` (it returns how many keys it read) for SECONDS; CPU per key of both processes. */
async function measure(pid: number, step: () => Promise<number>): Promise<Sample> {
  const s0 = processCpuSeconds(pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SECONDS * 1000) n += await step();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return {
    rate: n / wall,
    clientUs: (c.user + c.system) / n,
    serverUs: ((processCpuSeconds(pid) - s0) * 1e6) / n,
  };
}

const server = await startNatsServer();
const nc = await connect({ servers: server.url });
await new Kvm(jetstream(nc)).create("SPLIT", { history: 1 });
const cache = await KvCache.connect({ urls: [server.url], bucket: "SPLIT" });
try {
  const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
  const value = new Uint8Array(128).fill(0x61);
  await cache.setMulti(keys.map((key) => ({ key, value })));
  const multi = async () => {
    const found = await cache.getMulti(keys);
    if (found.size !== KEYS) throw new Error(`getMulti found ${found.size} of ${KEYS} keys`);
    return KEYS;
  };
  const concurrent = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < KEYS) await cache.get(keys[next++] as string);
      }),
    );
    return KEYS;
  };
  for (let i = 0; i < 20; i++) await Promise.all([multi(), concurrent()]); // JIT, server caches
  const variants: [string, () => Promise<number>][] = [
    [`getMulti of ${KEYS} keys, ${cache.info.batchGet ? "batched" : "NOT batched (server < 2.11)"}`, multi],
    [`get, ${CONCURRENCY} concurrent`, concurrent],
  ];
  const rows = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, step] = variants[(k + round) % variants.length] as (typeof variants)[number];
      rows.get(name)?.push(await measure(server.pid, step));
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    `nats-server ${server.version}, node ${process.version}, ${KEYS} keys of 128 B, ${ROUNDS} rounds of ${SECONDS} s, medians; "cores" = CPU µs per key × keys/s`,
  );
  console.log(
    "| variant | keys/s | client CPU µs/key | client cores | nats-server CPU µs/key | server cores |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [name, v] of rows) {
    const rate = med(v.map((x) => x.rate));
    const c = med(v.map((x) => x.clientUs));
    const s = med(v.map((x) => x.serverUs));
    console.log(
      `| ${name} | ${Math.round(rate).toLocaleString("en")} | ${c.toFixed(2)} | ${((c * rate) / 1e6).toFixed(2)} | ${s.toFixed(2)} | ${((s * rate) / 1e6).toFixed(2)} |`,
    );
  }
} finally {
  await cache.close();
  await nc.close();
  await server.stop();
}
