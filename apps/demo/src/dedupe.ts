import { type Cache, KeyExistsError, KeyNotFoundError, KvCacheError } from "@natskit/kv-cache";

export interface ClaimOptions {
  /** Total time spent retrying retryable cache errors. @default 30_000 */
  budgetMs?: number;
  /** Checked between attempts: true stops retrying (a shutdown deadline passed). */
  giveUp?: () => boolean;
}

/**
 * Claims `key` for one message with the cache's atomic `add`: `"new"` when this message is the
 * first with the key, `"duplicate"` when another message had it.
 *
 * Retryable failures (a cluster electing a stream leader, a reconnect) are retried with backoff
 * instead of dropping the message. A write whose outcome is unknown may have stored the key, so a
 * later `key exists` is checked against `token`, a value unique to this message: finding our own
 * token means the earlier attempt won.
 */
export async function claimKey(
  cache: Cache,
  key: string,
  token: string,
  opts: ClaimOptions = {},
): Promise<"new" | "duplicate"> {
  const deadline = performance.now() + (opts.budgetMs ?? 30_000);
  let maybeWritten = false;
  let delay = 50;
  for (;;) {
    try {
      if (maybeWritten) {
        // Look first: an add over our own earlier write would say "exists".
        const held = await readOrUndefined(cache, key);
        if (held !== undefined) return held === token ? "new" : "duplicate";
      }
      await cache.add(key, token);
      return "new";
    } catch (e) {
      if (KeyExistsError.isInstance(e)) return "duplicate";
      const retryable = KvCacheError.isInstance(e) && e.retryable;
      if (!retryable || performance.now() + delay > deadline || opts.giveUp?.()) throw e;
      if (KvCacheError.isInstance(e) && (e.code === "OUTCOME_UNKNOWN" || e.code === "TIMEOUT"))
        maybeWritten = true;
      await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() * 0.5)));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

async function readOrUndefined(cache: Cache, key: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await cache.get(key));
  } catch (e) {
    if (KeyNotFoundError.isInstance(e)) return undefined;
    throw e;
  }
}
