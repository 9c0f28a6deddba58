import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const CLI = join(APP_DIR, "src", "cli.ts");
// An absolute loader URL, so the CLI can run from any working directory.
export const TSX = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs"),
).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** stderr so far (live). */
  stderr(): string;
  done: Promise<CliResult>;
}

export interface CliOptions {
  cwd?: string;
  /** Added to this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  stdin?: string | Buffer;
}

/** Starts the CLI from source, as a user would run it (no TTY: no progress line). */
export function startCli(args: string[], opts: CliOptions = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, ["--conditions=@natskit/source", "--import", TSX, CLI, ...args], {
    cwd: opts.cwd ?? APP_DIR,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  else child.stdin?.end();
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

/** The `--json` summary: the last line of stdout. */
export function summaryOf(r: CliResult): Record<string, number | boolean | Record<string, number>> {
  const last = r.stdout.trim().split("\n").at(-1);
  if (!last) throw new Error(`no JSON summary on stdout; stderr:\n${r.stderr}`);
  return JSON.parse(last) as Record<string, number | boolean | Record<string, number>>;
}

export function tempDir(): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "natskit-demo-test-"));
  return {
    dir,
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function admin(
  urls: string | readonly string[],
): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connect({ servers: typeof urls === "string" ? urls : [...urls] });
  return { nc, jsm: await jetstreamManager(nc) };
}

/** Every message of a stream, in order, with subject, body and headers. */
export async function readStream(
  jsm: JetStreamManager,
  stream: string,
): Promise<{ subject: string; data: string; headers: Record<string, string> }[]> {
  const info = await jsm.streams.info(stream);
  const out: { subject: string; data: string; headers: Record<string, string> }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (!m) continue;
    const headers: Record<string, string> = {};
    for (const [k, v] of m.header ?? []) headers[k] = v.join(",");
    out.push({ subject: m.subject, data: m.string(), headers });
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `id` field of every message of a stream, read with an ordered consumer (fast for many). */
export async function storedIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const ids: string[] = [];
  if (total === 0) return ids;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages) {
    ids.push(String((m.json() as { id: unknown }).id));
    if (ids.length >= total) break;
  }
  await messages.close();
  return ids;
}

/** How many times each id occurs more than once, and which of `expected` are missing. */
export function tally(
  ids: readonly string[],
  expected: readonly string[],
): { missing: string[]; duplicated: string[] } {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
  };
}
