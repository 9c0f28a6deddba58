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
