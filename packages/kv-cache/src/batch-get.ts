// Batched direct get (ADR-31, nats-server >= 2.11): one request to `$JS.API.DIRECT.GET.<stream>`
// with `{"multi_last":[subjects…],"max_bytes":n}`. The server answers with one message per
// subject that has an entry (its last one: delete and purge markers included), in stream order,
// each with the direct-get headers plus `Nats-Num-Pending`; then `204 EOB` carrying
// `Nats-Num-Pending` (matches not sent), `Nats-Last-Sequence` and `Nats-UpTo-Sequence`. When no
// subject has an entry the only answer is `404 No Results`. Over 1024 matching subjects it
// answers `413 Too Many Results`. Servers before 2.11 ignore the unknown field and answer
// `408 Empty Request` (verified on 2.9.10; 2.10's request type has no `multi_last` either).

import type { NatsClient } from "@natskit/nats-connection";
import type { BucketClient, ReadResult } from "./bucket-client.js";
import type { BucketInfo } from "./kv-cache.js";
import { headerText, parseReplyHeaders } from "./reply.js";
import type { Requester } from "./requester.js";

/** First nats-server version that answers `multi_last` (server/stream.go `getDirectMulti`). */
export const BATCH_GET_MIN_VERSION = { major: 2, minor: 11 } as const;

/** Most subjects one request may match; the server answers 413 beyond it (`maxAllowedResponses`). */
export const MAX_BATCH_SUBJECTS = 1024;

/**
 * `max_bytes` of every batch request. The server stops sending once it has sent this much
 * (counting subject, stored headers and value of each message); without it the server's
 * `max_pending` (64 MiB by default) applies, a burst that can get the client disconnected as a
 * slow consumer. Keys the server did not reach are asked for again.
 */
export const BATCH_MAX_BYTES = 4 * 1024 * 1024;

const encoder = new TextEncoder();

/** The body of a batch request for `subjects`. */
export function batchRequest(subjects: readonly string[]): Uint8Array {
  return encoder.encode(JSON.stringify({ multi_last: subjects, max_bytes: BATCH_MAX_BYTES }));
}

const BODY_OVERHEAD = batchRequest([]).length;

/**
 * Splits `subjects` into batches of at most `maxCount` subjects whose request bodies fit in
 * `maxBody` bytes (the server's `max_payload`), keeping their order. Returns indexes into
 * `subjects`; a subject too long to fit any request alone is left to a single read (`single`).
 */
export function planBatches(
  subjects: readonly string[],
  maxBody: number,
  maxCount: number = MAX_BATCH_SUBJECTS,
): { batches: number[][]; single: number[] } {
  const batches: number[][] = [];
  const single: number[] = [];
  let current: number[] = [];
  let size = BODY_OVERHEAD - 1; // the first subject needs no comma
  for (let i = 0; i < subjects.length; i++) {
    // Quoted, and a comma after the first. Subjects of stored keys hold only characters JSON
    // does not escape (key and bucket name rules).
    const n = (subjects[i] as string).length + 2;
    if (BODY_OVERHEAD + n > maxBody) {
      single.push(i);
      continue;
    }
    if (current.length >= maxCount || size + n + 1 > maxBody) {
      if (current.length > 0) batches.push(current);
      current = [];
      size = BODY_OVERHEAD - 1;
    }
    current.push(i);
    size += n + 1;
  }
  if (current.length > 0) batches.push(current);
  return { batches, single };
}

/**
 * What the message that ends a batch's stream means:
 * - `complete`: every subject with an entry was sent; the others have none;
 * - `more`: the server stopped early (`max_bytes`, or an entry it could not load); ask again
 *   for the subjects not sent yet;
 * - `unsupported`: the server does not know batched gets (before 2.11): read key by key;
 * - `too-many`: more matches than one request may have: read key by key;
 * - `no-responders`: the request reached no stream;
 * - `error`: any other refusal.
 */
export type BatchEnd = "complete" | "more" | "unsupported" | "too-many" | "no-responders" | "error";

/**
 * Classifies the status message that ends a batch: its status, description and
 * `Nats-Num-Pending`;
 * `receivedBytes` what the stream carried (subjects, header blocks, values), which is at least
 * what the server counts against `max_bytes`. Reaching `max_bytes` counts as `more` even with
 * no pending matches reported, so a server that reports one too few (2.11 stopping one short of
 * the end) cannot make a key look missing; asking again then costs one request.
 */
export function batchEnd(
  status: number,
  description: string,
  numPending: string,
  receivedBytes: number,
): BatchEnd {
  switch (status) {
    case 204:
      return Number(numPending || "0") > 0 || receivedBytes >= BATCH_MAX_BYTES ? "more" : "complete";
    case 404:
      // "No Results": no subject has an entry. "Message Not Found": an entry the server had
      // chosen could not be loaded (removed meanwhile); what was not sent must be asked again.
      return /^no results$/i.test(description) ? "complete" : "more";
    case 408:
      return "unsupported";
    case 413:
      return "too-many";
    case 503:
      return "no-responders";
    default:
      return "error";
  }
}

/** Most single reads a {@link MultiGet.readMany} keeps in flight; beyond this, answers only queue up. */
const READ_WINDOW = 1024;
/** Most batch requests a {@link MultiGet.readMany} keeps in flight. */
const BATCH_WINDOW = 4;
const MISSING: ReadResult = { kind: "missing" };

/**
 * Reads of many keys of one bucket (`getMulti`): batched direct gets where the server has them,
 * else single reads through the {@link BucketClient}, pipelined.
 */
export class MultiGet {
  readonly #client: NatsClient;
  readonly #req: Requester;
  readonly #bucket: BucketClient;
  readonly #prefix: string;
  readonly #subject: string;
  /** Decided at connect (`info.batchGet`); off for good once a server answers a batch as unknown. */
  #batch: boolean;

  constructor(client: NatsClient, req: Requester, bucket: BucketClient, info: BucketInfo) {
    this.#client = client;
    this.#req = req;
    this.#bucket = bucket;
    this.#prefix = `$KV.${info.bucket}.`;
    this.#subject = `$JS.API.DIRECT.GET.${info.stream}`;
    this.#batch = info.batchGet;
  }

  /**
   * Reads many stored keys: `each(i, result)` is called once for every index of `skeys` as its
   * result arrives (keys without an entry as `missing`), unless the read of that key fails.
   * Uses batched direct gets where the server has them, else one pipelined read per key. After
   * every read has ended, throws the first failure: a batch cut short by a timeout or a
   * disconnect fails as a whole for the keys it had not answered yet, never reporting them
   * missing.
   */
  async readMany(
    skeys: readonly string[],
    keys: readonly string[],
    op: string,
    each: (i: number, r: ReadResult) => void,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    let single: number[];
    if (this.#batch && skeys.length > 1) {
      const max = this.#client.nc.info?.max_payload ?? 1024 * 1024;
      const plan = planBatches(
        skeys.map((k) => this.#prefix + k),
        max,
      );
      single = plan.single;
      await windowed(plan.batches.length, BATCH_WINDOW, async (b) => {
        const batch = plan.batches[b] as number[];
        if (!this.#batch) {
          single.push(...batch);
          return;
        }
        try {
          single.push(...(await this.#readBatch(batch, skeys, keys, op, each)));
        } catch (e) {
          failure ??= { error: e };
        }
      });
    } else {
      single = Array.from(skeys, (_, i) => i);
    }
    await windowed(single.length, READ_WINDOW, async (n) => {
      const i = single[n] as number;
      try {
        each(i, await this.#bucket.read(skeys[i] as string, keys[i] as string, op));
      } catch (e) {
        failure ??= { error: e };
      }
    });
    if (failure !== undefined) throw failure.error;
  }

  /**
   * One batch of {@link readMany}, asked again for what the server did not send until it is
   * complete. Returns the indexes left to single reads (the server does not do batches, or did
   * not make progress).
   */
  async #readBatch(
    batch: readonly number[],
    skeys: readonly string[],
    keys: readonly string[],
    op: string,
    each: (i: number, r: ReadResult) => void,
  ): Promise<number[]> {
    const waiting = new Map<string, number>(); // subject -> index
    for (const i of batch) waiting.set(this.#prefix + skeys[i], i);
    for (;;) {
      const subjects = [...waiting.keys()];
      const first = keys[waiting.values().next().value as number] as string;
      const what = subjects.length > 1 ? `${op} of ${subjects.length} keys from` : op;
      const body = batchRequest(subjects);
      const before = waiting.size;
      let bytes = 0;
      const end = await this.#bucket.whileNoResponders(async () => {
        bytes = 0;
        const m = await this.#req.requestStream(this.#subject, body, what, first, (m) => {
          const text = headerText(m);
          const h = parseReplyHeaders(text);
          if (h.status !== 0 && h.status !== 200) return true;
          bytes += text.length + h.subject.length + m.data.length;
          if (h.sequence === "") {
            throw this.#bucket.serverError(
              { code: 500, description: "batch reply without a sequence" },
              what,
              first,
            );
          }
          const i = waiting.get(h.subject);
          if (i !== undefined) {
            waiting.delete(h.subject);
            each(i, this.#bucket.entry(Number(h.sequence), h, m.data));
          }
          return false;
        });
        const h = parseReplyHeaders(headerText(m));
        const end = batchEnd(h.status, h.description, h.numPending, bytes);
        if (end === "no-responders") throw this.#bucket.noResponders(what, first, "read");
        if (end === "error") {
          throw this.#bucket.serverError({ code: h.status, description: h.description }, what, first);
        }
        return end;
      });
      if (end === "unsupported") this.#batch = false;
      if (end === "unsupported" || end === "too-many") return [...waiting.values()];
      if (end === "complete" || waiting.size === 0) break;
      if (waiting.size === before) return [...waiting.values()]; // "more" without progress
    }
    for (const i of waiting.values()) each(i, MISSING);
    return [];
  }
}

/** Runs `fn(0 … n-1)` with at most `window` calls in flight; each call handles its own errors. */
async function windowed(n: number, window: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
}
