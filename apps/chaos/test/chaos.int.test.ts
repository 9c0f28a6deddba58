import { findNatsServer, natsServerVersion } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeIteration, failed, report, runCampaign } from "../src/campaign.js";
import { ChaosEnv } from "../src/faults.js";
import { randomSeed } from "../src/rng.js";

// The short campaign that runs inside `pnpm test`: a few iterations of random faults (a new seed
// each time, printed with every failure so it can be replayed). `pnpm test:chaos` is the long one.
const seed = Number(process.env.NATSKIT_CHAOS_SEED ?? randomSeed());
const iterations = Number(process.env.NATSKIT_CHAOS_ITERATIONS ?? 6);
let env: ChaosEnv;

beforeAll(async () => {
  env = await ChaosEnv.start();
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe("chaos", () => {
  it("chaos - random faults lose and duplicate nothing (short campaign)", async () => {
    const result = await runCampaign(env, {
      seed,
      iterations,
      durationMs: 150_000,
      log: (l) => console.info(l),
    });
    console.info(report(result, await natsServerVersion(findNatsServer())));
    expect(result.iterations.length).toBeGreaterThan(0);
    const bad = result.iterations.filter(failed).map((r) => describeIteration(r, seed));
    expect(bad).toEqual([]);
    expect(result.iterations.reduce((n, r) => n + r.stored, 0)).toBe(
      result.iterations.reduce((n, r) => n + r.unique, 0),
    );
  }, 600_000);
});
