import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { createMessage } from "@natskit/interpolation";
import { JetStreamOutput } from "@natskit/jetstream-output";
import {
  type ChaosEnv,
  type CliFault,
  type Fault,
  injectServerFault,
  type ServerFault,
  sleep,
  type Topology,
} from "./faults.js";
import type { Rng } from "./rng.js";

export type Workload = "cli" | "library";

/** What one iteration stored, against what it had to store. */
export interface Outcome {
  unique: number;
  stored: number;
  missing: string[];
  duplicated: string[];
  /** What happened, for the report: fault details, runs and their exit codes. */
  notes: string[];
  /** A run that hung or an invariant other than the stored ids that broke. */
  error?: string;
}

export interface IterationContext {
  env: ChaosEnv;
  rng: Rng;
  topology: Topology;
  fault: Fault;
  /** Unique per iteration: stream `NAME`, subjects `name.>`, bucket `name`. */
  name: string;
  dir: string;
  /** What happened so far (kept when the iteration throws). */
  notes: string[];
  /** The step under way, named in the error if the iteration throws. */
  step: string;
}

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve("@natskit/demo/package.json")), "src", "cli.ts");
const TSX = pathToFileURL(join(dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs")).href;
const RUN_LIMIT_MS = 180_000;

/** `unique` ids, every tenth followed by a repeat of an earlier one. */
function inputLines(name: string, unique: number): { lines: string[]; ids: string[] } {
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 1; i <= unique; i++) {
    ids.push(`${name}-${i}`);
    lines.push(JSON.stringify({ id: `${name}-${i}`, n: i }));
    if (i % 10 === 0) lines.push(JSON.stringify({ id: `${name}-${i / 2}`, n: i, again: true }));
  }
  return { lines, ids };
}

interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startCli(config: string): CliRun {
  const child = spawn(
    process.execPath,
    ["--conditions=@natskit/source", "--import", TSX, CLI, "run", config, "--json"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    p,
    new Promise<undefined>((res) => {
      timer = setTimeout(() => res(undefined), ms);
    }),
  ]);
  clearTimeout(timer);
  return r;
}

async function storedCount(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstream(nc).jetstreamManager();
  return (await jsm.streams.info(stream).catch(() => undefined))?.state.messages ?? 0;
}

/**
 * The `id` of every message of the stream, read with an ordered consumer. Retried for a while:
 * right after a restart JetStream may still be recovering and time requests out.
 */
export function storedIds(nc: NatsConnection, stream: string): Promise<string[]> {
  return retrying(() => readIds(nc, stream));
}

/** `fn`, tried again (up to 10 times, a second apart) while JetStream recovers from a restart. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 10) throw e;
      await sleep(1000);
    }
  }
}

async function readIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const total = await storedCount(nc, stream);
  const ids: string[] = [];
  if (total === 0) return ids;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages) {
    ids.push(String((m.json() as { id: unknown }).id));
    if (ids.length >= total) break;
  }
  await messages.close();
  return ids;
}

function tally(
  stored: readonly string[],
  expected: readonly string[],
): Pick<Outcome, "missing" | "duplicated"> {
  const seen = new Map<string, number>();
  for (const id of stored) seen.set(id, (seen.get(id) ?? 0) + 1);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
  };
}

async function settled(env: ChaosEnv, t: Topology, notes: string[]): Promise<void> {
  const why = await env.settle(t);
  if (why) notes.push(why);
}

async function waitFor(
  nc: NatsConnection,
  stream: string,
  atLeast: number,
  until: Promise<unknown>,
): Promise<void> {
  let over = false;
  void until.then(() => {
    over = true;
  });
  while (!over && (await storedCount(nc, stream)) < atLeast) await sleep(25);
}

/**
 * `natskit run` with a dedupe step on a KV bucket and `msg_id` from the same id; the fault hits
 * the run (signals) or the servers; the config is then run again until a run completes. Every
 * unique id must be stored exactly once.
 */
export async function cliWorkload(ctx: IterationContext): Promise<Outcome> {
  const { env, rng, topology, fault, name } = ctx;
  const stream = name.toUpperCase();
  const { nc, jsm } = await env.admin(topology);
  const { notes } = ctx;
  try {
    ctx.step = "creating the stream and the bucket";
    await retrying(() =>
      jsm.streams.add({ name: stream, subjects: [`${name}.>`], num_replicas: env.replicas(topology) }),
    );
    await retrying(() => new Kvm(nc).create(name, { replicas: env.replicas(topology) }));
    await settled(env, topology, notes);
    const unique = rng.int(2000, 8000);
    const { lines, ids } = inputLines(name, unique);
    const input = join(ctx.dir, `${name}.jsonl`);
    writeFileSync(input, `${lines.join("\n")}\n`);
    const urls = JSON.stringify(env.urls(topology));
    const config = join(ctx.dir, `${name}.yaml`);
    writeFileSync(
      config,
      `input:
  file:
    paths: [${JSON.stringify(input)}]
pipeline:
  processors:
    - dedupe:
        cache: seen
        key: '\${! json("id") }'
cache_resources:
  - label: seen
    nats_kv:
      urls: ${urls}
      bucket: ${name}
      max_reconnects: -1
      operation_timeout: 10s
output:
  nats_jetstream:
    urls: ${urls}
    subject: ${name}.events
    msg_id: '\${! json("id") }'
    max_in_flight: ${rng.pick([64, 256, 1024])}
    max_reconnects: -1
    ack_timeout: 2s
`,
    );

    ctx.step = "running natskit";
    const first = startCli(config);
    await waitFor(nc, stream, Math.floor(unique * (0.05 + rng.next() * 0.6)), first.done);
    ctx.step = `injecting ${fault}`;
    if (fault.startsWith("cli-")) notes.push(await signalRun(first.child, fault as CliFault, rng));
    else if (fault !== "none")
      notes.push(await injectServerFault(env, topology, fault as ServerFault, rng, { stream, bucket: name }));
    let last = await within(first.done, RUN_LIMIT_MS);
    if (!last) {
      first.child.kill("SIGKILL");
      return { unique, stored: 0, missing: [], duplicated: [], notes, error: "the first run hung" };
    }
    notes.push(`run 1: exit ${last.code ?? last.signal}`);
    ctx.step = "running natskit again";
    for (let run = 2; run <= 4 && (last.code !== 0 || summary(last.stdout)?.interrupted); run++) {
      await settled(env, topology, notes);
      const again = startCli(config);
      last = await within(again.done, RUN_LIMIT_MS);
      if (!last) {
        again.child.kill("SIGKILL");
        return { unique, stored: 0, missing: [], duplicated: [], notes, error: `run ${run} hung` };
      }
      notes.push(`run ${run}: exit ${last.code ?? last.signal} ${summaryNote(last.stdout)}`);
    }
    await settled(env, topology, notes);
    ctx.step = "reading the stream";
    const stored = await storedIds(nc, stream);
    const error = last.code === 0 ? undefined : `the last run still failed: ${lastLines(last.stderr)}`;
    return { unique, stored: stored.length, ...tally(stored, ids), notes, ...(error ? { error } : {}) };
  } finally {
    await jsm.streams.delete(stream).catch(() => {});
    await jsm.streams.delete(`KV_${name}`).catch(() => {});
    await nc.close();
  }
}

async function signalRun(child: ChildProcess, fault: CliFault, rng: Rng): Promise<string> {
  if (fault === "cli-sigkill") {
    child.kill("SIGKILL");
    return "natskit run killed (SIGKILL)";
  }
  child.kill("SIGTERM");
  if (fault === "cli-sigterm") return "natskit run stopped (SIGTERM)";
  const gap = rng.int(0, 100);
  await sleep(gap);
  child.kill("SIGTERM");
  return `natskit run: SIGTERM twice, ${gap} ms apart`;
}

function summary(stdout: string): Record<string, unknown> | undefined {
  const last = stdout.trim().split("\n").at(-1);
  try {
    return last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function summaryNote(stdout: string): string {
  const s = summary(stdout);
  return s
    ? `(acked ${s.acked}, already stored ${s.duplicates}, taken over ${s.takenOver}, failed ${s.failed})`
    : "";
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}

/**
 * The output library on its own: numbered messages with ids, written in batches while the
 * servers fail; what is reported failed is written again (as a pipeline retries), and nothing
 * reported acked may be missing.
 */
export async function libraryWorkload(ctx: IterationContext): Promise<Outcome> {
  const { env, rng, topology, fault, name } = ctx;
  const stream = name.toUpperCase();
  const { nc, jsm } = await env.admin(topology);
  const { notes } = ctx;
  const out = new JetStreamOutput({
    urls: env.urls(topology),
    subject: `${name}.x`,
    msg_id: '${! json("id") }',
    max_reconnects: -1,
    ack_timeout: "2s",
    max_in_flight: rng.pick([256, 1024, 4096]),
  });
  try {
    ctx.step = "creating the stream";
    await retrying(() =>
      jsm.streams.add({ name: stream, subjects: [`${name}.>`], num_replicas: env.replicas(topology) }),
    );
    await settled(env, topology, notes);
    ctx.step = "connecting the output";
    await out.connect();
    ctx.step = "writing";
    const unique = rng.int(5000, 30000);
    const ids = Array.from({ length: unique }, (_, i) => `${name}-${i + 1}`);
    const faultAt = Math.floor(unique * (0.05 + rng.next() * 0.6));
    let todo = ids;
    let faulted: Promise<string> | undefined;
    let faultNoted = false;
    for (let round = 1; round <= 5 && todo.length > 0; round++) {
      const failed: string[] = [];
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; i < todo.length; i += 500) {
        const chunk = todo.slice(i, i + 500);
        const p = out
          .writeBatch(chunk.map((id) => createMessage(JSON.stringify({ id }))))
          .then(
            () => {},
            (e: { errors?: (unknown | undefined)[] }) => {
              chunk.forEach((id, k) => {
                if (!e.errors || e.errors[k] !== undefined) failed.push(id);
              });
            },
          )
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 4) await Promise.race(inFlight);
        if (!faulted && fault !== "none" && out.stats.acked >= faultAt)
          faulted = injectServerFault(env, topology, fault as ServerFault, rng, { stream });
      }
      await Promise.all(inFlight);
      if (faulted && !faultNoted) {
        notes.push(await faulted);
        faultNoted = true;
      }
      notes.push(`round ${round}: ${todo.length - failed.length} acked, ${failed.length} failed`);
      todo = failed;
    }
    await settled(env, topology, notes);
    ctx.step = "reading the stream";
    const stored = await storedIds(nc, stream);
    const error = todo.length > 0 ? `${todo.length} messages still failed after 5 rounds` : undefined;
    return { unique, stored: stored.length, ...tally(stored, ids), notes, ...(error ? { error } : {}) };
  } finally {
    await out.close(5000).catch(() => {});
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  }
}
