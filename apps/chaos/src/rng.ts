/**
 * A small seeded PRNG (mulberry32): the same seed gives the same faults at the same points, so a
 * failure can be replayed with its seed.
 */
export class Rng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(0, items.length - 1)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A 32-bit seed for a sub-task (an iteration), derived from this stream. */
  child(): number {
    return this.int(1, 0x7fffffff);
  }
}

/** A fresh random seed, for runs that do not pass one. */
export function randomSeed(): number {
  return 1 + Math.floor(Math.random() * 0x7ffffffe);
}
