import { type Cache, KeyExistsError, KeyNotFoundError, KvCacheError } from "@natskit/kv-cache";

/**
 * What a dedupe key holds. A claim is `pending` from the moment a message takes the key until the
 * stream acknowledges it, then `done`. A pending claim names its owner (one run of `natskit`) and
 * the message within that run, so that:
 * - a retry after a lost answer recognises its own earlier write;
 * - a rerun that finds a claim whose owner is gone (crashed, killed, gave up) takes it over and
 *   publishes the message again, with the same `Nats-Msg-Id`, so the stream drops the copy if the
 *   first publish was stored after all.
 */
export type ClaimState = { kind: "pending"; owner: string; seq: number } | { kind: "done" };

const PENDING = "natskit:pending:";
const DONE = "natskit:done";

export function pendingValue(owner: string, seq: number): string {
  return `${PENDING}${owner}:${seq}`;
}

export const DONE_VALUE = DONE;

/**
 * Reads a claim. Anything that is not a natskit pending claim counts as done: values written by
 * earlier versions, by Redpanda Connect's own dedupe, or by hand all mean "seen".
 */
export function parseClaim(value: Uint8Array | string): ClaimState {
  const text = typeof value === "string" ? value : new TextDecoder().decode(value);
  if (!text.startsWith(PENDING)) return { kind: "done" };
  const rest = text.slice(PENDING.length);
  const colon = rest.lastIndexOf(":");
  const seq = Number(rest.slice(colon + 1));
  if (colon <= 0 || !Number.isSafeInteger(seq)) return { kind: "done" };
  return { kind: "pending", owner: rest.slice(0, colon), seq };
}

/** Whether the owner of a claim is still running: `undefined` when that cannot be told now. */
export type Liveness = (owner: string) => Promise<boolean | undefined>;

export interface ClaimOptions {
  /** This run's owner id. */
  owner: string;
  /** Tells whether another claim's owner is alive. */
  liveness: Liveness;
  /** Total time spent retrying retryable cache errors. @default 30_000 */
  budgetMs?: number;
  /**
   * How long a claim of another live owner is waited for (to become done, or be given back)
   * before this message takes it over anyway. @default 30_000
   */
  liveWaitMs?: number;
  /** Checked between attempts: true stops retrying (a shutdown deadline passed). */
  giveUp?: () => boolean;
}

/**
 * `new`: this message holds the key (a new claim, or its own earlier write). `taken-over`: the key
 * was pending for an owner that is gone (or never finished); this message now holds it and must be
 * published with the same `Nats-Msg-Id` as before. `duplicate`: a message was stored with this key,
 * or an earlier message of this run holds it.
 */
export type ClaimOutcome = "new" | "taken-over" | "duplicate";

/**
 * Claims `key` for message `seq` of this run with the cache's atomic `add`, and resolves what an
 * existing claim means. Retryable cache failures (a leader election, a reconnect, a lost answer)
 * are retried with backoff instead of dropping the message.
 */
export async function claimKey(
  cache: Cache,
  key: string,
  seq: number,
  opts: ClaimOptions,
): Promise<ClaimOutcome> {
  const started = performance.now();
  const deadline = started + (opts.budgetMs ?? 30_000);
  const mine = pendingValue(opts.owner, seq);
  let delay = 50;
  let waitingSince: number | undefined;
  let poll = 100;
  const pause = async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms * (0.75 + Math.random() * 0.5)));
  };
  for (;;) {
    try {
      try {
        await cache.add(key, mine);
        return "new";
      } catch (e) {
        if (!KeyExistsError.isInstance(e)) throw e;
      }
      const held = await readOrUndefined(cache, key);
      if (held === undefined) {
        // Given back between the add and the read, or a read that lags the write (a replica):
        // try again, without spinning.
        if (opts.giveUp?.() || performance.now() > deadline) throw new ClaimError(key, "never settled");
        await pause(delay);
        delay = Math.min(delay * 2, 1000);
        continue;
      }
      const state = parseClaim(held);
      if (state.kind === "done") return "duplicate";
      if (state.owner === opts.owner) return state.seq === seq ? "new" : "duplicate";
      const alive = await opts.liveness(state.owner);
      waitingSince ??= performance.now();
      if (alive === false || performance.now() - waitingSince >= (opts.liveWaitMs ?? 30_000)) {
        // Not compare-and-set: two runs taking over at once both publish with the same
        // Nats-Msg-Id, and the stream stores one.
        await cache.set(key, mine);
        return "taken-over";
      }
      if (opts.giveUp?.()) throw new ClaimError(key, `held by run '${state.owner}', still running`);
      await pause(poll);
      poll = Math.min(poll * 2, 1000);
    } catch (e) {
      const retryable = KvCacheError.isInstance(e) && e.retryable;
      if (!retryable || performance.now() + delay > deadline || opts.giveUp?.()) throw e;
      await pause(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** A claim that could not be resolved in time (not a cache error). */
export class ClaimError extends Error {
  override readonly name = "ClaimError";
  constructor(key: string, why: string) {
    super(`dedupe key '${key}': ${why}`);
  }
}

async function readOrUndefined(cache: Cache, key: string): Promise<Uint8Array | undefined> {
  try {
    return await cache.get(key);
  } catch (e) {
    if (KeyNotFoundError.isInstance(e)) return undefined;
    throw e;
  }
}
