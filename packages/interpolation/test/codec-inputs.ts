// Deterministic inputs for the codec tests (src/lz4.test.ts, src/snappy.test.ts). The expected
// outputs in those tests were made by Go from these same bytes (see each test's comment), so a
// change here invalidates them.

import { createHash } from "node:crypto";
import { QueryError } from "../src/query-error.js";

export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** What a codec call gives: "ok", or its evaluation error's text (any other throw fails the test). */
export function outcome(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof QueryError) return e.message;
    throw e;
  }
  return "ok";
}

const WORDS = "the quick brown fox jumps over lazy dog lorem ipsum dolor sit amet consectetur".split(" ");

/** A 32-bit linear congruential generator: the same numbers on every platform. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
}

// The low bits of an LCG repeat early (bits 8-15 every 64 KiB): bytes come from the top 8.
const byte = (rnd: () => number): number => rnd() >>> 16;

export type InputKind = "text" | "random" | "zeros" | "mixed";

/**
 * `n` bytes of one kind: words and punctuation (`text`), incompressible bytes (`random`), zero
 * bytes, or random runs copied from up to 200 000 bytes back (`mixed`, for long offsets).
 */
export function codecInput(kind: InputKind, n: number): Uint8Array {
  const rnd = lcg(n + kind.length);
  const b = new Uint8Array(n);
  if (kind === "random") for (let i = 0; i < n; i++) b[i] = byte(rnd);
  if (kind === "text")
    for (let i = 0; i < n; ) {
      const w = `${WORDS[rnd() % WORDS.length]}${rnd() % 7 === 0 ? ".\n" : " "}`;
      for (let k = 0; k < w.length && i < n; k++) b[i++] = w.charCodeAt(k);
    }
  if (kind === "mixed")
    for (let i = 0; i < n; ) {
      const len = 1 + (rnd() % 300);
      const off = i > 1000 && rnd() % 3 === 0 ? 1 + (rnd() % Math.min(i, 200_000)) : 0;
      for (let k = 0; k < len && i < n; k++, i++) b[i] = off > 0 ? (b[i - off] as number) : byte(rnd);
    }
  return b;
}
