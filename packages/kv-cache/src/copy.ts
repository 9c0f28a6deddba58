const SLAB_SIZE = 16 * 1024;
const SLAB_MAX_VALUE = 1024;

/**
 * Copies for callers. A fresh ArrayBuffer per copy costs about a microsecond, more than the rest
 * of a hit; small values are copied into a shared slab instead (as Node's Buffer pool does),
 * so a returned value's `.buffer` may hold other values.
 */
class Copier {
  #slab = new ArrayBuffer(SLAB_SIZE);
  #offset = 0;

  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    // Not `slice()`: on a Buffer (socket data) that is a view, not a copy.
    if (n > SLAB_MAX_VALUE) return new Uint8Array(src);
    if (this.#offset + n > SLAB_SIZE) {
      this.#slab = new ArrayBuffer(SLAB_SIZE);
      this.#offset = 0;
    }
    const out = new Uint8Array(this.#slab, this.#offset, n);
    out.set(src);
    this.#offset += (n + 7) & ~7;
    return out;
  }
}

const copier = new Copier();

/** A copy of `src` for a caller (see {@link Copier}). */
export function copyOut(src: Uint8Array): Uint8Array {
  return copier.copy(src);
}
