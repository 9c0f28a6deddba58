// Derived from Go's encoding/base64 (BSD-3-Clause); see THIRD_PARTY_NOTICES.md for its copyright and license.
import { QueryError } from "./query-error.js";

/** The alphabet of Go's `base64.StdEncoding` / `RawStdEncoding`. */
export const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Go's `base64.Encoding.Decode` (non-strict) for a 64-character alphabet, with `=` padding or
 * none: `\r` and `\n` are skipped anywhere, trailing bits need not be zero, and a bad byte is
 * `illegal base64 data at input byte N` with Go's N (an offset into `src`).
 */
export function goBase64Decode(src: Uint8Array, alphabet: string, padded: boolean): Uint8Array {
  const map = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  const corrupt = (at: number) => new QueryError("FAILED", `illegal base64 data at input byte ${at}`);
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    // One quantum of up to four characters (`decodeQuantum`).
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: QueryError | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return new Uint8Array(out);
        if (j === 1 || padded) throw corrupt(si - j);
        dlen = j;
        break;
      }
      const c = src[si++] as number;
      const v = map[c] as number;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        j--;
        continue;
      }
      if (!padded || c !== 0x3d) throw corrupt(si - 1);
      // Padding: only after two or three characters, and "==" after two.
      if (j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const val =
      ((dbuf[0] as number) << 18) |
      ((dbuf[1] as number) << 12) |
      ((dbuf[2] as number) << 6) |
      (dbuf[3] as number);
    const bytes = [(val >>> 16) & 0xff, (val >>> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k] as number);
    if (trailing) throw trailing;
  }
  return new Uint8Array(out);
}

/** Go's `base64.Encoding.EncodeToString` without padding characters. */
export function goBase64EncodeRaw(src: Uint8Array, alphabet: string): string {
  let out = "";
  for (let i = 0; i < src.length; i += 3) {
    const n = Math.min(3, src.length - i);
    const val =
      ((src[i] as number) << 16) |
      ((n > 1 ? (src[i + 1] as number) : 0) << 8) |
      (n > 2 ? (src[i + 2] as number) : 0);
    for (let k = 0; k <= n; k++) out += alphabet[(val >>> (18 - 6 * k)) & 0x3f];
  }
  return out;
}
