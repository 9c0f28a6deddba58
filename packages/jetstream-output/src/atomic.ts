import { type Msg, type MsgHdrs, type NatsConnection, nuid } from "@nats-io/transport-node";
import { AtomicBatchError, JetStreamOutputError } from "./errors.js";
import { apiError, type MessageAck } from "./publisher.js";

/** The most messages the server takes in one atomic batch (its default `limits.batch.max_msgs`). */
export const MAX_ATOMIC_BATCH = 1000;

/** One prepared message of an atomic batch. */
export interface AtomicEntry {
  readonly subject: string;
  readonly payload: Uint8Array;
  /** The message's own header block (`NATS/1.0\r\n…\r\n`), if any. */
  readonly headers: Uint8Array | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEAD = encoder.encode("NATS/1.0\r\n");
/** A duplicate `Nats-Msg-Id` in an atomic batch: the whole batch is refused. */
export const ATOMIC_DUPLICATE = 10201;

/**
 * Publishes `entries` as one atomic batch (nats-server ≥ 2.12, stream `allow_atomic`; see
 * ../shared/spec/fast-ingest.md §1.2): `Nats-Batch-Id`, `Nats-Batch-Sequence` on each message,
 * `Nats-Batch-Commit: 1` on the last. Every message is sent with a reply, so a message the server
 * refuses names itself; the commit's answer says the whole batch is stored. Resolves with one ack
 * per message (their stream sequences are contiguous); rejects with {@link AtomicBatchError}
 * (nothing stored) or with `DISCONNECTED` / `ACK_TIMEOUT` (outcome unknown).
 */
export async function publishAtomic(
  nc: NatsConnection,
  entries: readonly AtomicEntry[],
  timeoutMs: number,
): Promise<MessageAck[]> {
  const id = nuid.next();
  const n = entries.length;
  const replies = entries.map((e, i) => {
    const lines = `Nats-Batch-Id: ${id}\r\nNats-Batch-Sequence: ${i + 1}\r\n${i === n - 1 ? "Nats-Batch-Commit: 1\r\n" : ""}`;
    const headers = { encode: () => withLines(e.headers, lines) } as unknown as MsgHdrs;
    // All sent at once, in order on the one connection; each reply is awaited below.
    return nc.request(e.subject, e.payload, { headers, timeout: timeoutMs }).then(
      (m) => ({ ok: true as const, m }),
      (err: unknown) => ({ ok: false as const, err }),
    );
  });
  const results = await Promise.all(replies);
  for (let i = 0; i < n; i++) {
    const r = results[i] as (typeof results)[number];
    const subject = (entries[i] as AtomicEntry).subject;
    if (!r.ok) {
      throw outcomeUnknown(r.err, subject);
    }
    const refusal = refusalOf(r.m, subject);
    if (refusal) {
      throw new AtomicBatchError(
        i === n - 1 && BATCH_LEVEL.has(refusal.errCode ?? 0) ? undefined : i,
        refusal,
      );
    }
  }
  const commit = parse((results[n - 1] as { m: Msg }).m);
  const seq = typeof commit?.seq === "number" ? commit.seq : 0;
  const stream = typeof commit?.stream === "string" ? commit.stream : "";
  if (!stream || seq < n || (commit?.count !== undefined && commit.count !== n)) {
    throw new JetStreamOutputError("INVALID_ACK", `the commit of the atomic batch was not understood`, {
      retryable: true,
    });
  }
  return entries.map((_, i) => ({ kind: "message", stream, seq: seq - n + 1 + i, duplicate: false }));
}

/**
 * Refusals of the batch as a whole, answered at the commit: incomplete (10176), a missing batch
 * sequence (10175), too large (10199), a duplicate msg id (10201), too many open batches (10210).
 * Any other refusal names the message it answers.
 */
const BATCH_LEVEL = new Set([10175, 10176, 10199, ATOMIC_DUPLICATE, 10210]);

/** The error a reply carries, or undefined for "staged" (empty) and for the commit's ack. */
function refusalOf(m: Msg, subject: string): JetStreamOutputError | undefined {
  if (m.data.length === 0) {
    const code = m.headers?.code ?? 0;
    if (code === 0 || code === 200) return undefined; // staged
    if (code === 503) {
      return new JetStreamOutputError("NO_STREAM", `no responders for '${subject}'`, {
        retryable: false,
        apiCode: 503,
      });
    }
    return new JetStreamOutputError(
      "PUBLISH_REJECTED",
      `status ${code} ${m.headers?.description ?? ""}`.trim(),
      {
        retryable: code >= 500,
        apiCode: code,
      },
    );
  }
  const body = parse(m);
  if (!body) return new JetStreamOutputError("INVALID_ACK", "a reply that is not JSON", { retryable: true });
  if (body.error) return apiError(body.error, subject);
  return undefined;
}

function parse(m: Msg):
  | {
      stream?: unknown;
      seq?: unknown;
      count?: unknown;
      error?: { code?: number; err_code?: number; description?: string };
    }
  | undefined {
  if (m.data.length === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(m.data));
  } catch {
    return undefined;
  }
}

function outcomeUnknown(err: unknown, subject: string): JetStreamOutputError {
  const e = err as Error;
  const timeout = /timeout/i.test(`${e?.name} ${e?.message}`);
  return new JetStreamOutputError(
    timeout ? "ACK_TIMEOUT" : "DISCONNECTED",
    `no answer for the atomic batch on '${subject}' (${e?.message ?? String(err)}): the batch may or may not be stored`,
    { retryable: true, cause: err },
  );
}

/** The header block with `lines` (each `Name: value\r\n`) added at its end. */
function withLines(block: Uint8Array | undefined, lines: string): Uint8Array {
  const extra = encoder.encode(lines);
  const base = block ?? new Uint8Array([...HEAD, 13, 10]);
  // `NATS/1.0\r\nA: b\r\n\r\n`: the extra lines go before the final empty line.
  const out = new Uint8Array(base.length + extra.length);
  out.set(base.subarray(0, base.length - 2), 0);
  out.set(extra, base.length - 2);
  out.set([13, 10], base.length - 2 + extra.length);
  return out;
}
