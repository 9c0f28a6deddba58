import { getRandomValues, randomUUID } from "./node-builtins.js";
import { QueryError } from "./query-error.js";

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hexUUID(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[b[i] as number];
  }
  return s;
}

/** RFC 9562 version 4 UUID, lowercase and hyphenated. */
export function uuidV4(): string {
  return randomUUID();
}

/** RFC 9562 version 7 UUID: 48-bit unix milliseconds, then random bits. */
export function uuidV7(unixMs: bigint): string {
  if (unixMs < 0n || unixMs >= 1n << 48n) {
    throw new QueryError("INVALID_ARGUMENT", "unable to generate uuid v7: time out of range");
  }
  const b = new Uint8Array(16);
  getRandomValues(b);
  let ms = unixMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  b[6] = ((b[6] as number) & 0x0f) | 0x70;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return hexUUID(b);
}

/** nanoid's default URL-safe alphabet (the same as go-nanoid's). */
export const NANOID_ALPHABET = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A nanoid of `size` characters drawn uniformly from `alphabet`. */
export function nanoid(size: number, alphabet: string = NANOID_ALPHABET): string {
  const chars = [...alphabet];
  if (chars.length === 0 || chars.length > 255) {
    throw new QueryError("INVALID_ARGUMENT", "alphabet must not be empty and contain no more than 255 chars");
  }
  if (size <= 0) throw new QueryError("INVALID_ARGUMENT", "size must be positive integer");
  if (size > 1000000) throw new QueryError("INVALID_ARGUMENT", "size is too large");
  const mask = (2 << (31 - Math.clz32((chars.length - 1) | 1))) - 1;
  const step = Math.ceil((1.6 * mask * size) / chars.length);
  let id = "";
  const bytes = new Uint8Array(step);
  for (;;) {
    getRandomValues(bytes);
    for (let i = 0; i < step; i++) {
      const c = chars[(bytes[i] as number) & mask];
      if (c !== undefined) {
        id += c;
        if (id.length >= size && [...id].length === size) return id;
      }
    }
  }
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KSUID_EPOCH = 1400000000;

/** A KSUID: 32-bit seconds since 2014-05-13 plus 128 random bits, base62 in 27 characters. */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** oklog/ulid: 48-bit millisecond time and 80 random bits; Crockford base32 or hex. */
export function ulid(encoding: "crockford" | "hex", ms = Date.now()): string {
  const bytes = new Uint8Array(16);
  getRandomValues(bytes.subarray(6));
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  if (encoding === "hex") return Buffer.from(bytes).toString("hex");
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/** bwmarrin/snowflake: 41 bits of milliseconds since 2010-11-04, 10 of node, 12 of sequence. */
export class SnowflakeNode {
  #time = 0;
  #step = 0;
  constructor(readonly node: number) {}

  generate(now = Date.now()): string {
    let ms = now - 1288834974657;
    if (ms === this.#time) {
      this.#step = (this.#step + 1) & 4095;
      if (this.#step === 0) ms = this.#time + 1; // the reference waits for the next millisecond
    } else this.#step = 0;
    this.#time = Math.max(ms, this.#time);
    return ((BigInt(this.#time) << 22n) | (BigInt(this.node) << 12n) | BigInt(this.#step)).toString();
  }
}

export function ksuid(nowMs: number = Date.now()): string {
  const b = new Uint8Array(20);
  getRandomValues(b.subarray(4));
  const ts = Math.floor(nowMs / 1000) - KSUID_EPOCH;
  b[0] = (ts >>> 24) & 0xff;
  b[1] = (ts >>> 16) & 0xff;
  b[2] = (ts >>> 8) & 0xff;
  b[3] = ts & 0xff;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  let s = "";
  while (n > 0n) {
    s = (BASE62[Number(n % 62n)] as string) + s;
    n /= 62n;
  }
  return s.padStart(27, "0");
}

/**
 * A deterministic 64-bit generator (SplitMix64). Same seed, same sequence — as with Go's
 * `math/rand` — but the numbers themselves differ from Go's.
 */
export class SeededRandom {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  private next(): bigint {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform in `[0, n)`, `n > 0`. */
  int63n(n: bigint): bigint {
    const limit = (1n << 63n) - ((1n << 63n) % n);
    for (;;) {
      const v = this.next() >> 1n;
      if (v < limit) return v % n;
    }
  }
}
