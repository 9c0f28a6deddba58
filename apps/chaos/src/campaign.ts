import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChaosEnv, type CliFault, type Fault, serverFaults, type Topology } from "./faults.js";
import { Rng } from "./rng.js";
import {
  cliWorkload,
  type IterationContext,
  libraryWorkload,
  type Outcome,
  type Workload,
} from "./workloads.js";

/** One iteration: what was chosen (all from `seed`) and what came of it. */
export interface IterationResult extends Outcome {
  seed: number;
  workload: Workload;
  topology: Topology;
  fault: Fault;
  ms: number;
}

export interface CampaignOptions {
  seed: number;
  /** Stop after this many iterations… */
  iterations?: number;
  /** …or once this much time has passed (whichever comes first). */
  durationMs?: number;
  /** Replay the iterations with these seeds instead of drawing new ones. */
  replay?: number[];
  log?: (line: string) => void;
}

export interface CampaignResult {
  seed: number;
  iterations: IterationResult[];
  elapsedMs: number;
}

const CLI_FAULTS: CliFault[] = ["cli-sigkill", "cli-sigterm", "cli-double-sigterm"];

/** Draws an iteration's workload, topology and fault from its seed. */
export function plan(seed: number): { workload: Workload; topology: Topology; fault: Fault; rng: Rng } {
  const rng = new Rng(seed);
  const workload: Workload = rng.chance(0.65) ? "cli" : "library";
  const topology: Topology = rng.chance(0.5) ? "single" : "cluster";
  const faults: Fault[] =
    workload === "cli" ? [...CLI_FAULTS, ...serverFaults(topology, true)] : serverFaults(topology, false);
  return { workload, topology, fault: rng.pick(faults), rng };
}

export async function runIteration(env: ChaosEnv, seed: number, index: number): Promise<IterationResult> {
  const { workload, topology, fault, rng } = plan(seed);
  const dir = mkdtempSync(join(tmpdir(), "natskit-chaos-"));
  const started = performance.now();
  try {
    const ctx: IterationContext = {
      env,
      rng,
      topology,
      fault,
      name: `ch${index}x${seed.toString(36)}`,
      dir,
      notes: [],
      step: "connecting",
    };
    let outcome: Outcome;
    try {
      outcome = workload === "cli" ? await cliWorkload(ctx) : await libraryWorkload(ctx);
    } catch (e) {
      outcome = {
        unique: 0,
        stored: 0,
        missing: [],
        duplicated: [],
        notes: ctx.notes,
        error: `iteration threw while ${ctx.step}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    const restored = await env.restore();
    if (restored) outcome.notes.push(restored);
    return { seed, workload, topology, fault, ms: performance.now() - started, ...outcome };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function failed(r: IterationResult): boolean {
  return r.missing.length > 0 || r.duplicated.length > 0 || r.error !== undefined;
}

export function describeIteration(r: IterationResult, campaignSeed: number): string {
  const head = `${r.workload}/${r.topology}/${r.fault} seed=${r.seed} (campaign ${campaignSeed})`;
  const verdict = failed(r)
    ? `FAILED: ${r.missing.length} lost, ${r.duplicated.length} duplicated${r.error ? `, ${r.error}` : ""}` +
      (r.missing.length > 0 ? ` — lost e.g. ${r.missing.slice(0, 5).join(", ")}` : "") +
      (r.duplicated.length > 0 ? ` — duplicated e.g. ${r.duplicated.slice(0, 5).join(", ")}` : "") +
      ` — replay: pnpm test:chaos --replay ${r.seed}`
    : `ok: ${r.unique} unique, stored ${r.stored}`;
  return `${head}: ${verdict} [${r.notes.join("; ")}] ${(r.ms / 1000).toFixed(1)}s`;
}

export async function runCampaign(env: ChaosEnv, opts: CampaignOptions): Promise<CampaignResult> {
  const rng = new Rng(opts.seed);
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const results: IterationResult[] = [];
  const seeds = opts.replay ? [...opts.replay] : undefined;
  for (let i = 1; ; i++) {
    if (seeds && seeds.length === 0) break;
    if (!seeds && opts.iterations !== undefined && i > opts.iterations) break;
    if (opts.durationMs !== undefined && performance.now() - started >= opts.durationMs) break;
    const seed = seeds ? (seeds.shift() as number) : rng.child();
    const r = await runIteration(env, seed, i);
    results.push(r);
    log(`#${i} ${describeIteration(r, opts.seed)}`);
  }
  return { seed: opts.seed, iterations: results, elapsedMs: performance.now() - started };
}

/** The table printed at the end of a campaign. */
export function report(c: CampaignResult, serverVersion: string): string {
  const byFault = new Map<string, { n: number; failed: number }>();
  for (const r of c.iterations) {
    const key = `${r.workload} / ${r.topology} / ${r.fault}`;
    const row = byFault.get(key) ?? { n: 0, failed: 0 };
    row.n++;
    if (failed(r)) row.failed++;
    byFault.set(key, row);
  }
  const lost = c.iterations.reduce((n, r) => n + r.missing.length, 0);
  const duplicated = c.iterations.reduce((n, r) => n + r.duplicated.length, 0);
  const messages = c.iterations.reduce((n, r) => n + r.unique, 0);
  const faults = c.iterations.filter((r) => r.fault !== "none").length;
  const bad = c.iterations.filter(failed);
  const lines = [
    `chaos campaign seed ${c.seed}, nats-server ${serverVersion}: ${c.iterations.length} iterations, ${faults} faults injected, ${messages} unique messages, ${(c.elapsedMs / 60000).toFixed(1)} min`,
    "",
    "| workload / topology / fault | iterations | failed |",
    "|---|---|---|",
    ...[...byFault].sort().map(([k, v]) => `| ${k} | ${v.n} | ${v.failed} |`),
    "",
    `lost ${lost}, duplicated ${duplicated}, failed iterations ${bad.length}`,
    ...bad.map((r) => `  ${describeIteration(r, c.seed)}`),
  ];
  return lines.join("\n");
}
