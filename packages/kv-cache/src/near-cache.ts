import { copyOut } from "./copy.js";

/** A value held locally, with the bucket revision it was read at. */
interface NearEntry {
  value: Uint8Array;
  revision: number;
  /** The clock reading after which the entry is not served. */
  expiresAt: number;
  /** Read since it was last passed over for eviction (second-chance LRU). */
  used: boolean;
}

/** Handed out by {@link NearCache.beginFetch}; a fetch may fill the cache only if nothing changed the key meanwhile. */
export interface FetchToken {
  readonly key: string;
  readonly epoch: number;
  /**
   * Highest revision a change of the key had while the fetch was in flight; a fetched value
   * older than that is stale. `Infinity` when a change of unknown revision happened.
   */
  changedAt: number;
  count: number;
}

/** Counters for tests and metrics. */
export interface NearCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  evictions: number;
  /** Times the whole near-cache was dropped (disconnect, watch restart). */
  resets: number;
  size: number;
  /** Whether entries are served right now (the watch is live). */
  live: boolean;
}

/**
 * Bounded LRU of stored key → value, kept coherent by the caller feeding it the bucket's watch
 * events ({@link invalidate}) and its own writes. Rules that keep it from serving stale data:
 * - it serves only while `live` (the watch is established on a connected client); going
 *   not-live drops everything;
 * - a fetch fills it only if what it read is at least as new as every change of the key seen
 *   while it was in flight (an older answer can otherwise land after the event that superseded
 *   it), and only if no reset happened since it began;
 * - an own write drops the key when it is sent and again when it is acknowledged;
 * - nothing is served past `maxAgeMs` after it was read, whatever the watch does.
 */
export class NearCache {
  readonly #map = new Map<string, NearEntry>();
  readonly #fetching = new Map<string, FetchToken>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #live = false;
  #epoch = 0;
  readonly #stats = { hits: 0, misses: 0, invalidations: 0, evictions: 0, resets: 0 };

  /** @param now the clock in milliseconds; tests pass their own so expiry does not race a busy machine. */
  constructor(maxEntries: number, maxAgeMs: number, now: () => number = () => performance.now()) {
    this.#maxEntries = maxEntries;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  get live(): boolean {
    return this.#live;
  }

  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  /** The value if held and fresh; a copy, so callers cannot change what others read. */
  get(key: string): Uint8Array | undefined {
    if (!this.#live) return undefined;
    const e = this.#map.get(key);
    if (e === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    if (e.expiresAt <= this.#now()) {
      this.#map.delete(key);
      this.#stats.misses++;
      return undefined;
    }
    // Second-chance LRU: a hit only sets a flag; eviction moves flagged entries to the back.
    e.used = true;
    this.#stats.hits++;
    return copyOut(e.value);
  }

  beginFetch(key: string): FetchToken | undefined {
    if (!this.#live) return undefined;
    let t = this.#fetching.get(key);
    if (t === undefined || t.epoch !== this.#epoch) {
      t = { key, epoch: this.#epoch, changedAt: 0, count: 0 };
      this.#fetching.set(key, t);
    }
    t.count++;
    return t;
  }

  /**
   * Ends a fetch. With a value, caches it unless the key changed meanwhile.
   * `ttlLeftMs` bounds the entry's life further (a TTL of the entry or the bucket).
   */
  endFetch(
    token: FetchToken | undefined,
    found: { value: Uint8Array; revision: number; ttlLeftMs?: number } | undefined,
  ): void {
    if (token === undefined) return;
    token.count--;
    if (token.count <= 0 && this.#fetching.get(token.key) === token) this.#fetching.delete(token.key);
    if (found === undefined || found.revision < token.changedAt || token.epoch !== this.#epoch || !this.#live)
      return;
    const now = this.#now();
    const life = found.ttlLeftMs === undefined ? this.#maxAgeMs : Math.min(this.#maxAgeMs, found.ttlLeftMs);
    if (life <= 0) return;
    const current = this.#map.get(token.key);
    if (current !== undefined && current.revision > found.revision) return;
    this.#map.delete(token.key);
    this.#map.set(token.key, {
      value: found.value.slice(),
      revision: found.revision,
      expiresAt: now + life,
      used: false,
    });
    if (this.#map.size > this.#maxEntries) this.#evict();
  }

  #evict(): void {
    for (const [key, e] of this.#map) {
      this.#map.delete(key);
      if (e.used && e.expiresAt > this.#now()) {
        e.used = false;
        this.#map.set(key, e);
        continue;
      }
      this.#stats.evictions++;
      if (this.#map.size <= this.#maxEntries) return;
    }
  }

  /**
   * The key changed (a watch event, or an own write). With a revision, an entry already at or
   * past it is kept (a late event for what was read); without one, the entry is dropped.
   */
  invalidate(key: string, revision?: number): void {
    const t = this.#fetching.get(key);
    if (t !== undefined) t.changedAt = Math.max(t.changedAt, revision ?? Number.POSITIVE_INFINITY);
    const e = this.#map.get(key);
    if (e === undefined) return;
    if (revision !== undefined && e.revision >= revision) return;
    this.#map.delete(key);
    this.#stats.invalidations++;
  }

  /** Starts serving (the watch is established). */
  goLive(): void {
    this.#live = true;
  }

  /** Stops serving and forgets everything (disconnect, watch lost, close). */
  reset(): void {
    this.#live = false;
    this.#epoch++;
    this.#map.clear();
    for (const t of this.#fetching.values()) t.changedAt = Number.POSITIVE_INFINITY;
    this.#fetching.clear();
    this.#stats.resets++;
  }

  stats(): NearCacheStats {
    return { ...this.#stats, size: this.#map.size, live: this.#live };
  }
}
