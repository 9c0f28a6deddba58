import type { Duration } from "./duration.js";
import { CacheClosedError, KeyExistsError, KeyNotFoundError } from "./errors.js";
import { type KeyCodecName, keyCodec } from "./keys.js";
import type { Cache, CacheEntry, CacheValue, WriteOptions } from "./types.js";
import { toBytes, ttlMs } from "./values.js";

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Same key rules as the KV cache, so tests catch keys the real bucket would refuse. @default "none" */
  keyCodec?: KeyCodecName;
  /** Clock in ms, for tests of TTLs. @default Date.now */
  now?: () => number;
}

/**
 * The {@link Cache} contract in process memory, with the KV cache's semantics (same key rules,
 * same errors, TTLs honoured). For tests of code that takes a `Cache`, and for single-process
 * use. Values are copied in and out.
 */
export class MemoryCache implements Cache {
  readonly #map = new Map<string, { value: Uint8Array; expiresAt: number }>();
  readonly #codec;
  readonly #now: () => number;
  #closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    this.#codec = keyCodec(options.keyCodec ?? "none");
    this.#now = options.now ?? Date.now;
  }

  /** Number of live entries. */
  get size(): number {
    const now = this.#now();
    let n = 0;
    for (const e of this.#map.values()) if (e.expiresAt > now) n++;
    return n;
  }

  async get(key: string): Promise<Uint8Array> {
    this.#open();
    const k = this.#codec.encode(key);
    const e = this.#live(k);
    if (e === undefined) throw new KeyNotFoundError(key);
    return e.value.slice();
  }

  async set(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#open();
    const k = this.#codec.encode(key);
    const entry = { value: toBytes(value, "set").slice(), expiresAt: this.#expiry(options.ttl, "set") };
    this.#map.set(k, entry);
  }

  async add(key: string, value: CacheValue, options: WriteOptions = {}): Promise<void> {
    this.#open();
    const k = this.#codec.encode(key);
    const entry = { value: toBytes(value, "add").slice(), expiresAt: this.#expiry(options.ttl, "add") };
    if (this.#live(k) !== undefined) throw new KeyExistsError(key);
    this.#map.set(k, entry);
  }

  async delete(key: string): Promise<void> {
    this.#open();
    this.#map.delete(this.#codec.encode(key));
  }

  async getMulti(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#open();
    const encoded = keys.map((k) => this.#codec.encode(k));
    const out = new Map<string, Uint8Array>();
    encoded.forEach((k, i) => {
      const e = this.#live(k);
      if (e !== undefined) out.set(keys[i] as string, e.value.slice());
    });
    return out;
  }

  async setMulti(entries: readonly CacheEntry[]): Promise<void> {
    this.#open();
    const prepared = entries.map((e) => ({
      k: this.#codec.encode(e.key),
      entry: { value: toBytes(e.value, "setMulti").slice(), expiresAt: this.#expiry(e.ttl, "setMulti") },
    }));
    for (const p of prepared) this.#map.set(p.k, p.entry);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#map.clear();
  }

  #open(): void {
    if (this.#closed) throw new CacheClosedError();
  }

  #live(k: string) {
    const e = this.#map.get(k);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#map.delete(k);
      return undefined;
    }
    return e;
  }

  #expiry(ttl: Duration | undefined, op: string): number {
    if (ttl === undefined) return Number.POSITIVE_INFINITY;
    return this.#now() + ttlMs(ttl, op);
  }
}
