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

/** Deletes and creates a file-storage stream; `batched` allows fast ingest (2.14+; older servers drop the field). */
export async function freshStream(url: string, name: string, subjects: string[], batched = false) {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(name).catch(() => undefined);
  await jsm.streams.add({
    name,
    subjects,
    storage: "file" as never,
    ...(batched ? { allow_batched: true } : {}),
  });
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

/** Runs Go's `PublishAsync` into a fresh stream `BENCH` on `bench.js` (`-msgid`: a `Nats-Msg-Id` on every message). */
export function goPublish(
  bin: string,
  o: { url: string; size: number; n: number; window: number; msgId?: boolean; serverPid?: number },
): GoRun {
  const args = ["-url", o.url, "-mode", "js-pub", "-n", String(o.n), "-size", String(o.size)];
  args.push("-window", String(o.window), "-reset", ...(o.msgId ? ["-msgid"] : []));
  if (o.serverPid !== undefined) args.push("-server-pid", String(o.serverPid));
  const out = execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const r = JSON.parse(out.trim().split("\n").pop() as string) as GoRun & { errors: number };
  if (r.errors !== 0) throw new Error("gobench reported errors");
  return r;
}
