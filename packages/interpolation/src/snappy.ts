// Derived from klauspost/compress s2 (BSD-3-Clause); see THIRD_PARTY_NOTICES.md for its copyright and license.
// Snappy blocks as the reference's github.com/klauspost/compress/snappy makes and reads them:
// `Encode` is s2's `EncodeSnappyBetter`, ported from the amd64 encoders (`_generate/gen.go`,
// which the reference runs on amd64) so that the bytes are Go's; `Decode` is s2's decoder,
// which also reads s2's repeat codes. Loaded on first use, through compression.ts.

import { QueryError } from "./query-error.js";

const ERR_CORRUPT = "s2: corrupt input";

const MIN_NON_LITERAL_BLOCK_SIZE = 32;
const INPUT_MARGIN = 8;
const OUTPUT_MARGIN = 9;

/** One of the amd64 "better" encoders, chosen by the input size (encode_amd64.go). */
interface Variant {
  readonly lTableBits: number;
  readonly sTableBits: number;
  readonly skipLog: number;
  readonly lHashBytes: 6 | 7;
  readonly maxSkip: number; // 0: unbounded
  readonly maxLitOverhead: number;
  readonly checkLongOffsets: boolean; // offsets past 65535 need a match over 5 bytes
}

const variant = (n: number): Variant => {
  if (n > 65536)
    return {
      lTableBits: 17,
      sTableBits: 14,
      skipLog: 7,
      lHashBytes: 7,
      maxSkip: 100,
      maxLitOverhead: 5,
      checkLongOffsets: true,
    };
  const small = (lTableBits: number, sTableBits: number, skipLog: number, lHashBytes: 6 | 7): Variant => ({
    lTableBits,
    sTableBits,
    skipLog,
    lHashBytes,
    maxSkip: 0,
    maxLitOverhead: 3,
    checkLongOffsets: false,
  });
  if (n >= 16 << 10) return small(16, 13, 7, 7);
  if (n >= 4 << 10) return small(14, 12, 6, 6);
  if (n >= 512) return small(12, 10, 5, 6);
  return small(10, 8, 4, 6);
};

const u32 = (b: Uint8Array, i: number): number =>
  (b[i] as number) |
  ((b[i + 1] as number) << 8) |
  ((b[i + 2] as number) << 16) |
  ((b[i + 3] as number) << 24);

/** The high 32 bits of a * b, both uint32. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = (((a0 * b0) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

const PRIME7 = [3703547235, 13573052] as const; // 58295818150454627, low and high halves
const PRIME6 = [3168583579, 53019] as const; // 227718039650203
const PRIME4 = 2654435761;

/** gen.go's hashN: the low `bytes` bytes at p moved to the top of a uint64, times the prime. */
function hashLong(s: Uint8Array, p: number, bytes: 6 | 7, bits: number): number {
  const [pl, ph] = bytes === 7 ? PRIME7 : PRIME6;
  let xl: number;
  let xh: number;
  if (bytes === 7) {
    xl = (((s[p] as number) << 8) | ((s[p + 1] as number) << 16) | ((s[p + 2] as number) << 24)) >>> 0;
    xh = u32(s, p + 3) >>> 0;
  } else {
    xl = (((s[p] as number) << 16) | ((s[p + 1] as number) << 24)) >>> 0;
    xh = u32(s, p + 2) >>> 0;
  }
  const hi = (mulHi32(xl, pl) + Math.imul(xh, pl) + Math.imul(xl, ph)) >>> 0;
  return hi >>> (32 - bits);
}

const hash4 = (s: Uint8Array, p: number, bits: number): number =>
  Math.imul(u32(s, p), PRIME4) >>> (32 - bits);

/** The number of bytes from a and b that agree, at most max. */
function matchLen(s: Uint8Array, a: number, b: number, max: number): number {
  let n = 0;
  while (n < max && s[a + n] === s[b + n]) n++;
  return n;
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 0) return d;
  if (n < 60) dst[d++] = n << 2;
  else if (n < 1 << 8) {
    dst[d++] = 60 << 2;
    dst[d++] = n;
  } else if (n < 1 << 16) {
    dst[d++] = 61 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
  } else if (n < 1 << 24) {
    dst[d++] = 62 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
    dst[d++] = n >>> 16;
  } else {
    dst[d++] = 63 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
    dst[d++] = n >>> 16;
    dst[d++] = n >>> 24;
  }
  dst.set(src.subarray(from, to), d);
  return d + to - from;
}

/** emitCopyNoRepeat: snappy copies of 64 bytes at most (60 with a two-byte offset). */
function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  if (offset >= 65536) {
    for (; length > 64; length -= 64) {
      dst[d++] = (63 << 2) | 3;
      d = putOffset32(dst, d, offset);
    }
    if (length === 0) return d;
    dst[d++] = ((length - 1) << 2) | 3;
    return putOffset32(dst, d, offset);
  }
  for (; length > 64; length -= 60) {
    dst[d++] = (59 << 2) | 2;
    dst[d++] = offset;
    dst[d++] = offset >>> 8;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d++] = ((length - 1) << 2) | 2;
    dst[d++] = offset;
    dst[d++] = offset >>> 8;
    return d;
  }
  dst[d++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
  dst[d++] = offset;
  return d;
}

function putOffset32(dst: Uint8Array, d: number, offset: number): number {
  dst[d] = offset;
  dst[d + 1] = offset >>> 8;
  dst[d + 2] = offset >>> 16;
  dst[d + 3] = offset >>> 24;
  return d + 4;
}

function putUvarint(dst: Uint8Array, v: number): number {
  let d = 0;
  for (; v >= 0x80; v = Math.floor(v / 128)) dst[d++] = (v & 0x7f) | 0x80;
  dst[d++] = v;
  return d;
}

/** `snappy.Encode` (s2.EncodeSnappyBetter): one snappy block holding all of src. */
export function snappyEncode(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(32 + src.length + Math.floor(src.length / 6));
  const d = putUvarint(dst, src.length);
  let n = 0;
  if (src.length >= MIN_NON_LITERAL_BLOCK_SIZE) n = encodeBlock(dst.subarray(d), src, variant(src.length));
  if (n === 0) n = emitLiteral(dst, d, src, 0, src.length) - d;
  return dst.slice(0, d + n);
}

/** encodeSnappyBetterBlockAsm*: the bytes after the length, or 0 when src does not compress. */
function encodeBlock(dst: Uint8Array, src: Uint8Array, v: Variant): number {
  const lTable = new Uint32Array(1 << v.lTableBits);
  const sTable = new Uint32Array(1 << v.sTableBits);
  const { lTableBits: lBits, sTableBits: sBits, lHashBytes } = v;
  const sLimit = src.length - INPUT_MARGIN;
  const dstLimit = src.length - OUTPUT_MARGIN - (src.length >>> 5);
  let d = 0;
  let nextEmit = 0;
  let s = 1;
  for (;;) {
    // Search for a match: 8 bytes at the long candidate, then at the short one, then 4 bytes.
    let candidate: number;
    let nextS: number;
    for (;;) {
      const skip = (s - nextEmit) >>> v.skipLog;
      nextS = v.maxSkip !== 0 && skip > v.maxSkip - 1 ? s + v.maxSkip : s + skip + 1;
      if (nextS >= sLimit) return emitRemainder();
      const hl = hashLong(src, s, lHashBytes, lBits);
      const hs = hash4(src, s, sBits);
      candidate = lTable[hl] as number;
      const candidateS = sTable[hs] as number;
      lTable[hl] = s;
      sTable[hs] = s;
      const cv = u32(src, s);
      const cvHi = u32(src, s + 4);
      if (u32(src, candidate) === cv && u32(src, candidate + 4) === cvHi) break;
      if (u32(src, candidateS) === cv && u32(src, candidateS + 4) === cvHi) {
        candidate = candidateS;
        break;
      }
      if (u32(src, candidate) === cv) break;
      if (u32(src, candidateS) === cv) {
        // A short match at s: a long candidate at s+1 is better, when there is one.
        const h = hashLong(src, s + 1, lHashBytes, lBits);
        candidate = lTable[h] as number;
        lTable[h] = s + 1;
        if (u32(src, candidate) === u32(src, s + 1)) {
          s++;
          break;
        }
        candidate = candidateS;
        break;
      }
      s = nextS;
    }
    while (candidate > 0 && s > nextEmit && src[candidate - 1] === src[s - 1]) {
      candidate--;
      s--;
    }
    if (d + (s - nextEmit) + v.maxLitOverhead >= dstLimit) return 0;
    const base = s;
    const offset = base - candidate;
    const length = matchLen(src, s + 4, candidate + 4, src.length - s - 4);
    if (v.checkLongOffsets && length <= 1 && offset > 65535) {
      // A 4 or 5 byte match that far back costs as much as the literals.
      s = nextS + 1;
      continue;
    }
    d = emitLiteral(dst, d, src, nextEmit, base);
    s += length + 4;
    nextEmit = s;
    d = emitCopy(dst, d, offset, length + 4);
    if (s >= sLimit) return emitRemainder();
    if (d >= dstLimit) return 0;
    // Index base+1 and s-2 in both tables, then every other position between them, long only.
    let index0 = base + 1;
    let index1 = s - 2;
    lTable[hashLong(src, index0, lHashBytes, lBits)] = index0;
    lTable[hashLong(src, index1, lHashBytes, lBits)] = index1;
    sTable[hash4(src, index0 + 1, sBits)] = index0 + 1;
    sTable[hash4(src, index1 + 1, sBits)] = index1 + 1;
    let index2 = (index0 + index1 + 1) >>> 1;
    index0++;
    index1--;
    for (; index2 < index1; index0 += 2, index2 += 2) {
      lTable[hashLong(src, index0, lHashBytes, lBits)] = index0;
      lTable[hashLong(src, index2, lHashBytes, lBits)] = index2;
    }
  }

  function emitRemainder(): number {
    if (d + src.length - nextEmit + v.maxLitOverhead >= dstLimit) return 0;
    return emitLiteral(dst, d, src, nextEmit, src.length);
  }
}

/**
 * `snappy.Decode` (s2.Decode): a snappy block, or an s2 one (repeat codes). The input is walked
 * once to check it before the output, whose size it declares, is allocated.
 */
export function snappyDecode(src: Uint8Array): Uint8Array {
  let v = 0;
  let s = 0;
  for (let shift = 0; ; shift += 7) {
    // binary.Uvarint: at most 10 bytes, and the value must fit in 32 bits here.
    if (s >= src.length || s >= 10) throw new QueryError("FAILED", ERR_CORRUPT);
    const b = src[s++] as number;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (s === 10 && b > 1) throw new QueryError("FAILED", ERR_CORRUPT);
      break;
    }
  }
  if (v > 0xffffffff || !decode(src, s, v, undefined)) throw new QueryError("FAILED", ERR_CORRUPT);
  const dst = new Uint8Array(v);
  decode(src, s, v, dst);
  return dst;
}

/** s2Decode; without dst it only checks. */
function decode(src: Uint8Array, s: number, dLen: number, dst: Uint8Array | undefined): boolean {
  let d = 0;
  let offset = 0;
  const end = src.length;
  while (s < end) {
    const tag = src[s] as number;
    let length: number;
    switch (tag & 3) {
      case 0: {
        let x = tag >>> 2;
        if (x >= 60) {
          const n = x - 59;
          if (s + 1 + n > end) return false;
          x = 0;
          for (let i = n; i > 0; i--) x = x * 256 + (src[s + i] as number);
          s += n;
        }
        s++;
        length = x + 1;
        if (length > dLen - d || length > end - s) return false;
        dst?.set(src.subarray(s, s + length), d);
        d += length;
        s += length;
        continue;
      }
      case 1: {
        if (s + 2 > end) return false;
        length = (tag >>> 2) & 7;
        const toffset = ((tag & 0xe0) << 3) | (src[s + 1] as number);
        s += 2;
        if (toffset !== 0) {
          offset = toffset;
          length += 4;
          break;
        }
        // An s2 repeat: the last offset again, with a longer length after 5, 6, 7.
        const extra = length - 4;
        if (extra > 0) {
          if (s + extra > end) return false;
          let x = 0;
          for (let i = extra - 1; i >= 0; i--) x = x * 256 + (src[s + i] as number);
          s += extra;
          length = x + [0, 4, 1 << 8, 1 << 16][extra]!;
        }
        length += 4;
        break;
      }
      case 2:
        if (s + 3 > end) return false;
        length = 1 + (tag >>> 2);
        offset = (src[s + 1] as number) | ((src[s + 2] as number) << 8);
        s += 3;
        break;
      default:
        if (s + 5 > end) return false;
        length = 1 + (tag >>> 2);
        offset = u32(src, s + 1) >>> 0;
        s += 5;
    }
    if (offset <= 0 || d < offset || length > dLen - d) return false;
    if (dst !== undefined) {
      if (offset >= length) dst.copyWithin(d, d - offset, d - offset + length);
      else for (let i = 0; i < length; i++) dst[d + i] = dst[d - offset + i] as number;
    }
    d += length;
  }
  return d === dLen;
}
