import type { Duration } from "./duration.js";

/** What a cache stores. Strings are stored as their UTF-8 bytes; reads always give bytes. */
export type CacheValue = Uint8Array | string;

/** Options of {@link Cache.set} and {@link Cache.add}. */
export interface WriteOptions {
  /**
   * How long the entry lives: ms, or a duration string (`"30s"`, `"5m"`). Never silently
   * ignored: a cache that cannot expire the entry rejects the call with `TTL_NOT_SUPPORTED`
   * and writes nothing. Leave unset for an entry that lives until deleted (or until the
   * bucket's own TTL, if it has one).
   * @example { ttl: "30s" }
   */
  ttl?: Duration;
}

/** One entry of {@link Cache.setMulti}. */
export interface CacheEntry {
  key: string;
  value: CacheValue;
  /** As {@link WriteOptions.ttl}. */
  ttl?: Duration;
}

/**
 * The cache contract (the shape of Redpanda Connect's / Benthos' `service.Cache`). Every method
 * may be called concurrently. Errors are `KvCacheError`s with a stable `code` and a
 * `retryable` flag; check them with the classes' `isInstance` (works across package copies).
 *
 * Errors every method can throw:
 * - `INVALID_KEY`: the key cannot be stored (checked before anything is sent).
 * - `UNAVAILABLE` (retryable): no connection within the operation timeout. For writes this
 *   means nothing was sent.
 * - `TIMEOUT` (reads, retryable) / `OUTCOME_UNKNOWN` (writes, retryable): the request was sent
 *   but no answer came (timeout, or the connection dropped while it was in flight). A write with
 *   an unknown outcome may or may not be in the cache; one that resolved is.
 * - `SERVER_ERROR`: the server refused the request; `serverCode` is its JetStream `err_code`.
 * - `CLOSED`: the cache was closed.
 */
export interface Cache {
  /**
   * Reads a value. Called on every lookup; the hot path.
   * @throws KeyNotFoundError (`KEY_NOT_FOUND`, message `key does not exist`) when the key was
   *   never set, or was deleted, purged or expired.
   */
  get(key: string): Promise<Uint8Array>;

  /**
   * Writes a value, replacing any previous one. Resolves once the server has stored it.
   * @throws TtlNotSupportedError (`TTL_NOT_SUPPORTED`) when `ttl` is given and cannot be honoured.
   */
  set(key: string, value: CacheValue, options?: WriteOptions): Promise<void>;

  /**
   * Writes a value only if the key holds none (never set, deleted, purged or expired). The first
   * of several concurrent `add`s wins; the others fail.
   * @throws KeyExistsError (`KEY_EXISTS`, message `key already exists`) when the key holds a value;
   *   that value is unchanged.
   * @throws TtlNotSupportedError as {@link Cache.set}.
   */
  add(key: string, value: CacheValue, options?: WriteOptions): Promise<void>;

  /** Removes a key. Deleting a key that does not exist is not an error. */
  delete(key: string): Promise<void>;

  /**
   * Reads many keys at once (batched or pipelined, not one round trip each). Keys without a
   * value are absent from the result, which follows the order of `keys`; duplicates are read
   * once.
   * @throws the first error other than "not found" (after all reads have finished).
   */
  getMulti(keys: readonly string[]): Promise<Map<string, Uint8Array>>;

  /**
   * Writes many entries at once (pipelined). Keys are validated first: an invalid key fails the
   * whole call before anything is sent.
   * @throws BatchError (`BATCH_FAILED`) naming the keys that were written (`succeeded`) and why
   *   each other one failed (`failures`); the call is retryable when every failure is.
   */
  setMulti(entries: readonly CacheEntry[]): Promise<void>;

  /**
   * Releases the connection (when the cache owns it) and stops background work. Idempotent;
   * every later call fails with `CLOSED`. Operations in flight are allowed to finish first.
   */
  close(): Promise<void>;
}
