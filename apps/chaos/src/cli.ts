import { parseArgs } from "node:util";
import { findNatsServer, natsServerVersion } from "@natskit/test-nats";
import { failed, report, runCampaign } from "./campaign.js";
import { ChaosEnv } from "./faults.js";
import { randomSeed } from "./rng.js";

const HELP = `Usage: pnpm test:chaos [--minutes <m>] [--iterations <n>] [--seed <s>] [--replay <seed>,...]

Seeded random faults against real nats-server processes (one single server and a 3-node cluster):
SIGKILL and restart of the server, kill of the stream or KV bucket leader, leader step-down,
SIGKILL / SIGTERM / double SIGTERM of natskit run followed by a rerun. Through natskit run with
dedupe and through @natskit/jetstream-output directly, every unique message must be stored exactly
once. Prints every failure with the seed that replays it; exits 1 if any iteration failed.

  --minutes <m>      run for this long (default 30)
  --iterations <n>   stop after n iterations (default: no limit)
  --seed <s>         the campaign's seed (default: random, printed)
  --replay <s,...>   run just these iteration seeds (from a failure line)`;

const { values } = parseArgs({
  options: {
    minutes: { type: "string" },
    iterations: { type: "string" },
    seed: { type: "string" },
    replay: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const seed = values.seed ? Number(values.seed) : randomSeed();
const replay = values.replay?.split(",").map(Number);
const minutes = Number(values.minutes ?? (replay || values.iterations ? "Infinity" : "30"));
const version = await natsServerVersion(findNatsServer());
process.stderr.write(
  `chaos: seed ${seed}, nats-server ${version}, ${Number.isFinite(minutes) ? `${minutes} min` : "no time limit"}\n`,
);
const env = await ChaosEnv.start();
let code = 0;
try {
  const result = await runCampaign(env, {
    seed,
    ...(Number.isFinite(minutes) ? { durationMs: minutes * 60_000 } : {}),
    ...(values.iterations ? { iterations: Number(values.iterations) } : {}),
    ...(replay ? { replay } : {}),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`${report(result, version)}\n`);
  code = result.iterations.some(failed) ? 1 : 0;
} finally {
  await env.stop();
}
process.exit(code);
