import { execFileSync } from "node:child_process";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createMessage, type Message } from "@natskit/interpolation";
import type { JetStreamOutput } from "../src/index.js";

/**
 * The benchmarks' output config: what a typical pipeline sets (interpolated subject, headers,
 * metadata); with `goLike`, the work the Go peer does (one subject, no headers but the msg id).
 */
export function benchConfig(
  url: string,
  subjectPrefix: string,
  msgId: boolean,
  extra: Record<string, unknown> = {},
  goLike = false,
) {
  if (goLike)
    return { urls: [url], subject: `${subjectPrefix}.js`, ...(msgId ? {} : { msg_id: "" }), ...extra };
  return {
    urls: [url],
    subject: `${subjectPrefix}.\${! meta("type") }`,
    headers: { "Content-Type": "application/json" },
    metadata: { include_prefixes: ["trace_"] },
    ...(msgId ? {} : { msg_id: "" }),
    ...extra,
  };
}

const TYPES = ["click", "view", "order", "signup"];

/**
 * Writes `n` fresh messages of `size` bytes (4 types, a metadata key the filter passes; with
 * `goLike`, no metadata) in batches of 1024 with up to 4 batches outstanding; returns the seconds
 * it took.
 */
export async function publishAll(
  out: JetStreamOutput,
  n: number,
  size: number,
  goLike = false,
): Promise<number> {
  const body = new Uint8Array(size).fill(120);
  const t0 = performance.now();
  const outstanding = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i += 1024) {
    const batch: Message[] = [];
    for (let j = i; j < Math.min(n, i + 1024); j++) {
      batch.push(
        goLike
          ? createMessage(body)
          : createMessage(body, { metadata: { type: TYPES[j & 3] as string, trace_id: "abc" } }),
      );
    }
    const p = out.writeBatch(batch);
    outstanding.add(p);
    void p.finally(() => outstanding.delete(p));
    if (outstanding.size >= 4) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  return (performance.now() - t0) / 1000;
}

/**
 * `PERSIST=async`: every stream of the run, Go's too, is created with `persist_mode: async`
 * (nats-server >= 2.12): the server writes messages to its files in the background instead of one
 * write per message, and a crash of the server's host can lose the last of them. Not the default
 * of a stream; measured to show what the server's per-message write costs.
 */
export const PERSIST_ASYNC = process.env.PERSIST === "async";

/** Deletes and creates a file-storage stream; `batched` allows fast ingest (2.14+; older servers drop the field). */
export async function freshStream(url: string, name: string, subjects: string[], batched = false) {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(name).catch(() => undefined);
  const info = await jsm.streams.add({
    name,
    subjects,
    storage: "file" as never,
    ...(batched ? { allow_batched: true } : {}),
    ...(PERSIST_ASYNC ? { persist_mode: "async" } : {}),
  } as never);
  if (PERSIST_ASYNC && (info.config as { persist_mode?: string }).persist_mode !== "async")
    throw new Error(`PERSIST=async: this nats-server did not keep persist_mode (it needs >= 2.12)`);
  return {
    count: async () => (await jsm.streams.info(name)).state.messages,
    close: async () => {
      await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

/** What one run of the Go peer (../shared/peers/gobench `-mode js-pub`) reports. */
export interface GoRun {
  seconds: number;
  msgs_per_sec: number;
  client_cpu_s: number;
  /** With `serverPid`: nats-server's CPU seconds over the timed section. */
  server_cpu_s?: number;
}

/**
 * Runs Go's `PublishAsync` into a fresh stream `BENCH` on `bench.js` (`-msgid`: a `Nats-Msg-Id` on
 * every message). With `PERSIST=async` the stream is made here (nats.go 1.22 does not know
 * `persist_mode`) and Go publishes into it as it finds it.
 */
export async function goPublish(
  bin: string,
  o: { url: string; size: number; n: number; window: number; msgId?: boolean; serverPid?: number },
): Promise<GoRun> {
  const args = ["-url", o.url, "-mode", "js-pub", "-n", String(o.n), "-size", String(o.size)];
  const stream = PERSIST_ASYNC ? await freshStream(o.url, "BENCH", ["bench.js"]) : undefined;
  args.push("-window", String(o.window), ...(stream ? [] : ["-reset"]), ...(o.msgId ? ["-msgid"] : []));
  if (o.serverPid !== undefined) args.push("-server-pid", String(o.serverPid));
  try {
    const out = execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const r = JSON.parse(out.trim().split("\n").pop() as string) as GoRun & { errors: number };
    if (r.errors !== 0) throw new Error("gobench reported errors");
    if (stream && (await stream.count()) !== o.n) throw new Error("gobench: stream count mismatch");
    return r;
  } finally {
    await stream?.close();
  }
}
