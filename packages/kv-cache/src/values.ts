import { type Duration, parseDuration } from "./duration.js";
import { BatchError, type BatchFailure, InvalidArgumentError, KvCacheError } from "./errors.js";
import type { CacheValue } from "./types.js";

const encoder = new TextEncoder();

/** A caller's TTL in ms (> 0), or {@link InvalidArgumentError}. */
export function ttlMs(ttl: Duration, op: string): number {
  const d = parseDuration(ttl);
  if ("error" in d) throw new InvalidArgumentError(`${op}: ttl: ${d.error}`);
  if (!(d.ms > 0)) throw new InvalidArgumentError(`${op}: ttl: must be positive, got '${String(ttl)}'`);
  return d.ms;
}

/** A caller's value as bytes, or {@link InvalidArgumentError}. */
export function toBytes(value: CacheValue, op: string): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new InvalidArgumentError(`${op}: value: expected a Uint8Array or a string, got ${describe(value)}`);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/** Collects per-key failures of a batch into one {@link BatchError}. */
export function batchResult(
  op: string,
  keys: readonly string[],
  results: PromiseSettledResult<unknown>[],
): void {
  const succeeded: string[] = [];
  const failures: BatchFailure[] = [];
  results.forEach((r, i) => {
    const key = keys[i] as string;
    if (r.status === "fulfilled") succeeded.push(key);
    else
      failures.push({
        key,
        error: KvCacheError.isInstance(r.reason)
          ? r.reason
          : new KvCacheError("SERVER_ERROR", String(r.reason), { cause: r.reason }),
      });
  });
  if (failures.length > 0) throw new BatchError(op, succeeded, failures);
}
