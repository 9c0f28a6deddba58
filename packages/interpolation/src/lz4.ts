// Derived from pierrec/lz4 (BSD-3-Clause); see THIRD_PARTY_NOTICES.md for its copyright and license.
// LZ4 frames as github.com/pierrec/lz4/v4 writes and reads them (the reference's `lz4` codec):
// its block compressors ported so that the bytes are Go's, and a frame reader with its checks and
// error texts. Loaded on first use, through compression.ts.

import { QueryError } from "./query-error.js";

const fail = (message: string): QueryError => new QueryError("FAILED", message);
const ERR_SHORT = "lz4: invalid source or destination buffer too short";
const ERR_BLOCK_SIZE = "lz4: invalid block size";
const ERR_UNEXPECTED_EOF = "unexpected EOF";

const FRAME_MAGIC = 0x184d2204;
const FRAME_MAGIC_LEGACY = 0x184c2102;
const SKIP_MAGIC_HIGH = 0x184d2a5; // the top 28 bits of the 16 skippable-frame magics
const BLOCK_4MB = 4 << 20;
const BLOCK_8MB = 8 << 20;
const WIN_SIZE = 1 << 16;
const MIN_MATCH = 4;
const MF_LIMIT = 10 + MIN_MATCH; // the last match cannot start within the last 14 bytes

const u32 = (b: Uint8Array, i: number): number =>
  ((b[i] as number) |
    ((b[i + 1] as number) << 8) |
    ((b[i + 2] as number) << 16) |
    ((b[i + 3] as number) << 24)) >>>
  0;

function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v;
  b[i + 1] = v >>> 8;
  b[i + 2] = v >>> 16;
  b[i + 3] = v >>> 24;
}

// ---------------------------------------------------------------------------------------------
// xxHash32 (seed 0), the frame's header, block and content checksums

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;
const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);

export function xxh32(b: Uint8Array, start = 0, end = b.length): number {
  let i = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (P1 + P2) | 0;
    let v2 = P2;
    let v3 = 0;
    let v4 = -P1 | 0;
    for (; i + 16 <= end; i += 16) {
      v1 = round(v1, u32(b, i));
      v2 = round(v2, u32(b, i + 4));
      v3 = round(v3, u32(b, i + 8));
      v4 = round(v4, u32(b, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else h = P5;
  h = (h + (end - start)) | 0;
  for (; i + 4 <= end; i += 4) h = Math.imul(rotl((h + Math.imul(u32(b, i), P3)) | 0, 17), P4);
  for (; i < end; i++) h = Math.imul(rotl((h + Math.imul(b[i] as number, P5)) | 0, 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Block compression: lz4block.CompressBlock (fast) and CompressBlockHC, writing into a dst as
// long as src, as lz4stream does, so that 0 means "store the block uncompressed"

const PRIME6_LO = 3168583579; // 227718039650203, the 6-byte prime, split in 32-bit halves
const PRIME6_HI = 53019;

/** blockHash: the 6 bytes at p, multiplied as a uint64, top 16 bits. */
function hash6(s: Uint8Array, p: number): number {
  const a = (s[p] as number) | ((s[p + 1] as number) << 8);
  const xl = (a << 16) >>> 0;
  const xh = u32(s, p + 2);
  const hi = Math.floor((a * PRIME6_LO) / 65536) + Math.imul(xh, PRIME6_LO) + Math.imul(xl, PRIME6_HI);
  return (hi >>> 16) & 0xffff;
}

/** How many bytes from a and b agree, comparing up to max bytes. */
function commonLength(s: Uint8Array, a: number, b: number, max: number): number {
  let n = 0;
  while (n < max && s[a + n] === s[b + n]) n++;
  return n;
}

/** The literals-and-match sequence encoder shared by both compressors; -1 when dst is full. */
function emitSequence(
  dst: Uint8Array,
  di: number,
  src: Uint8Array,
  anchor: number,
  lLen: number,
  offset: number,
  mLen: number,
): number {
  const end = dst.length;
  if (di >= end) return -1;
  const token = Math.min(mLen, 0xf);
  if (lLen < 0xf) dst[di] = token | (lLen << 4);
  else {
    dst[di++] = token | 0xf0;
    let l = lLen - 0xf;
    for (; l >= 0xff && di < end; l -= 0xff) dst[di++] = 0xff;
    if (di >= end) return -1;
    dst[di] = l;
  }
  di++;
  if (di + lLen + 2 > end) return -1;
  dst.set(src.subarray(anchor, anchor + lLen), di);
  di += lLen;
  dst[di++] = offset;
  dst[di++] = offset >>> 8;
  if (mLen >= 0xf) {
    for (mLen -= 0xf; mLen >= 0xff && di < end; mLen -= 0xff) dst[di++] = 0xff;
    if (di >= end) return -1;
    dst[di++] = mLen;
  }
  return di;
}

/** The block's last literals; 0 when the block does not compress. */
function emitLastLiterals(dst: Uint8Array, di: number, src: Uint8Array, anchor: number): number {
  const end = dst.length;
  if (anchor === 0 || di >= end) return 0;
  let lLen = src.length - anchor;
  if (lLen < 0xf) dst[di] = lLen << 4;
  else {
    dst[di++] = 0xf0;
    for (lLen -= 0xf; lLen >= 0xff && di < end; lLen -= 0xff) dst[di++] = 0xff;
    if (di >= end) return 0;
    dst[di] = lLen;
  }
  di++;
  if (di >= anchor) return 0;
  dst.set(src.subarray(anchor), di);
  return di + src.length - anchor;
}

class FastCompressor {
  // Positions kept as their low 16 bits, read back against the current 64 KiB window.
  private readonly table = new Uint16Array(1 << 16);
  private readonly inUse = new Uint32Array((1 << 16) / 32);

  private get(h: number, si: number): number {
    let i = (this.inUse[h >>> 5] as number) & (1 << (h & 31)) ? (this.table[h] as number) : 0;
    i += si - (si & 0xffff);
    return i >= si ? i - WIN_SIZE : i;
  }

  private put(h: number, si: number): void {
    this.table[h] = si;
    this.inUse[h >>> 5] = (this.inUse[h >>> 5] as number) | (1 << (h & 31));
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    this.inUse.fill(0);
    let si = 0;
    let di = 0;
    let anchor = 0;
    const sn = src.length - MF_LIMIT;
    const matches = (at: number, ref: number): boolean => {
      const offset = at - ref;
      return offset > 0 && offset < WIN_SIZE && ref >= 0 && u32(src, at) === u32(src, ref);
    };
    while (si < sn) {
      const h = hash6(src, si);
      const h2 = hash6(src, si + 1);
      const ref = this.get(h, si);
      const ref2 = this.get(h2, si + 1);
      this.put(h, si);
      this.put(h2, si + 1);
      let offset = si - ref;
      if (!matches(si, ref)) {
        const h3 = hash6(src, si + 2);
        const ref3 = this.get(h3, si + 2);
        si += 1;
        offset = si - ref2;
        if (!matches(si, ref2)) {
          si += 1;
          offset = si - ref3;
          this.put(h3, si);
          if (!matches(si, ref3)) {
            si += 2 + ((si - anchor) >> 7);
            continue;
          }
        }
      }
      let lLen = si - anchor;
      let mLen = 4;
      let tOff = si - offset - 1;
      while (lLen > 0 && tOff >= 0 && src[si - 1] === src[tOff]) {
        si--;
        tOff--;
        lLen--;
        mLen++;
      }
      const base = si + MIN_MATCH;
      si += mLen;
      // Go compares 8 bytes at a time while 8 more fit before sn.
      while (si + 8 <= sn) {
        const n = commonLength(src, si, si - offset, 8);
        si += n;
        if (n < 8) break;
      }
      di = emitSequence(dst, di, src, anchor, lLen, offset, si - base);
      if (di < 0) return 0;
      anchor = si;
      if (si >= sn) break;
      this.put(hash6(src, si - 2), si - 2);
    }
    return emitLastLiterals(dst, di, src, anchor);
  }
}

const hashHC = (s: Uint8Array, p: number): number => (Math.imul(u32(s, p), P1) >>> 16) & 0xffff;

class HCCompressor {
  private readonly hashTable = new Int32Array(1 << 16);
  private readonly chainTable = new Int32Array(WIN_SIZE);

  constructor(private readonly depth: number) {}

  compress(src: Uint8Array, dst: Uint8Array): number {
    const { hashTable, chainTable, depth } = this;
    hashTable.fill(0);
    let si = 0;
    let di = 0;
    let anchor = 0;
    const sn = src.length - MF_LIMIT;
    while (si < sn) {
      const h = hashHC(src, si);
      // No match can be longer than sn-si rounded up to 8: Go compares 8 bytes at a time.
      const maxLen = (sn - si + 7) & ~7;
      let mLen = 0;
      let offset = 0;
      for (
        let next = hashTable[h] as number, tries = depth;
        tries > 0 && next > 0 && si - next < WIN_SIZE;
        next = chainTable[next & 0xffff] as number, tries--
      ) {
        if (src[next + mLen] !== src[si + mLen]) continue;
        let ml = 0;
        while (ml < sn - si) {
          const n = commonLength(src, next + ml, si + ml, 8);
          ml += n;
          if (n < 8) break;
        }
        if (ml < MIN_MATCH || ml <= mLen) continue;
        mLen = ml;
        offset = si - next;
        if (mLen >= maxLen) break;
      }
      chainTable[si & 0xffff] = hashTable[h] as number;
      hashTable[h] = si;
      if (mLen === 0) {
        si += 1 + ((si - anchor) >> 7);
        continue;
      }
      // Index every position the match covers, the last 64 KiB of it at most. Go rolls the 4
      // bytes hashed from si on, so past a 64 KiB match the first three hashes mix both ends.
      let match = u32(src, si);
      for (let i = Math.max(si + 1, si + mLen - WIN_SIZE); i < si + mLen; i++) {
        match = ((match >>> 8) | ((src[i + 3] as number) << 24)) >>> 0;
        const hi = (Math.imul(match, P1) >>> 16) & 0xffff;
        chainTable[i & 0xffff] = hashTable[hi] as number;
        hashTable[hi] = i;
      }
      di = emitSequence(dst, di, src, anchor, si - anchor, offset, mLen - MIN_MATCH);
      if (di < 0) return 0;
      si += mLen;
      anchor = si;
    }
    return emitLastLiterals(dst, di, src, anchor);
  }
}

// ---------------------------------------------------------------------------------------------
// Frames

/**
 * `lz4.NewWriter` with the reference's options: 4 MiB independent blocks, a content checksum,
 * level 0 (fast) or `CompressionLevel(1 << (8 + level))` for levels above 0.
 */
export function lz4Compress(data: Uint8Array, level: number): Uint8Array {
  let depth = 0;
  if (level > 0) {
    // Go shifts an int64 and truncates it to uint32: past level 23 the level is 0 (fast).
    depth = level + 8 >= 32 ? 0 : 2 ** (level + 8);
    if (depth !== 0 && level > 9) throw fail(`lz4: invalid compression level: ${depth}`);
  }
  const compressor = depth === 0 ? new FastCompressor() : new HCCompressor(depth);
  const blocks = Math.ceil(data.length / BLOCK_4MB);
  const out = new Uint8Array(7 + blocks * 4 + data.length + 8);
  putU32(out, 0, FRAME_MAGIC);
  out[4] = 0x64; // version 1, independent blocks, content checksum
  out[5] = 0x70; // 4 MiB blocks
  out[6] = xxh32(out, 4, 6) >>> 8;
  let o = 7;
  const scratch = new Uint8Array(Math.min(data.length, BLOCK_4MB));
  for (let at = 0; at < data.length; at += BLOCK_4MB) {
    const block = data.subarray(at, at + BLOCK_4MB);
    const n = compressor.compress(block, scratch.subarray(0, block.length));
    if (n === 0) {
      putU32(out, o, (block.length | 0x80000000) >>> 0);
      out.set(block, o + 4);
      o += 4 + block.length;
    } else {
      putU32(out, o, n);
      out.set(scratch.subarray(0, n), o + 4);
      o += 4 + n;
    }
  }
  putU32(out, o, 0);
  putU32(out, o + 4, xxh32(data));
  return out.subarray(0, o + 8);
}

/** A growing output buffer. */
class Output {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/**
 * `lz4block.decodeBlock` into out.buf[out.len, limit), with matches reaching back to windowStart;
 * false on malformed input.
 */
function decodeBlock(src: Uint8Array, out: Output, limit: number, windowStart: number): boolean {
  const dst = out.buf;
  let si = 0;
  let di = out.len;
  const length = (n: number): number => {
    if (n !== 0xf) return n;
    let b: number;
    do {
      if (si >= src.length) return -1;
      b = src[si++] as number;
      n += b;
    } while (b === 0xff);
    return n;
  };
  while (si < src.length) {
    const token = src[si++] as number;
    const lLen = length(token >> 4);
    if (lLen < 0 || si + lLen > src.length || di + lLen > limit) return false;
    dst.set(src.subarray(si, si + lLen), di);
    si += lLen;
    di += lLen;
    if (si === src.length && (token & 0xf) === 0) break;
    if (si + 2 > src.length) return false;
    const offset = (src[si] as number) | ((src[si + 1] as number) << 8);
    si += 2;
    const mLen = length(token & 0xf);
    if (offset === 0 || mLen < 0 || di - offset < windowStart || di + mLen + MIN_MATCH > limit) return false;
    const end = di + mLen + MIN_MATCH;
    if (offset >= end - di) dst.copyWithin(di, di - offset, end - offset);
    else for (let from = di - offset; di < end; ) dst[di++] = dst[from++] as number;
    di = end;
  }
  out.len = di;
  return true;
}

/** `lz4.UncompressBlock` of one independent block into `size` bytes (parquet's LZ4_RAW pages). */
export function lz4BlockDecompress(src: Uint8Array, size: number): Uint8Array | undefined {
  const out = new Output(size);
  return src.length === 0 || decodeBlock(src, out, size, 0) ? out.buf.subarray(0, out.len) : undefined;
}

const BLOCK_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: BLOCK_4MB };
const hex = (n: number): string => n.toString(16);

/**
 * `io.ReadAll(lz4.NewReader(r))`: any LZ4 frame (block or content checksums, dependent blocks,
 * a content size), skippable and legacy frames, and frames one after another.
 */
export function lz4Decompress(src: Uint8Array): Uint8Array {
  return new FrameReader(src).readAll();
}

class FrameReader {
  private pos = 0;
  private readonly out = new Output();

  constructor(private readonly src: Uint8Array) {}

  readAll(): Uint8Array {
    const { src, out } = this;
    while (this.pos < src.length) {
      const magic = this.u32();
      if (magic >>> 4 === SKIP_MAGIC_HIGH) this.take(this.u32());
      else if (magic === FRAME_MAGIC_LEGACY) this.legacyFrame();
      else if (magic === FRAME_MAGIC) this.frame();
      else throw fail("lz4: bad magic number");
    }
    return out.buf.slice(0, out.len);
  }

  /** The next n bytes; a frame cut short is io.ErrUnexpectedEOF. */
  private take(n: number): Uint8Array {
    if (this.pos + n > this.src.length) throw fail(ERR_UNEXPECTED_EOF);
    this.pos += n;
    return this.src.subarray(this.pos - n, this.pos);
  }

  private u32(): number {
    return u32(this.take(4), 0);
  }

  private frame(): void {
    const { out } = this;
    const [flg = 0, bd = 0] = this.take(2);
    const extra = (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
    const fields = this.take(extra + 1);
    const sum = fields[extra] as number;
    const want = (xxh32(this.src, this.pos - extra - 3, this.pos - 1) >>> 8) & 0xff;
    if (sum !== want) throw fail(`lz4: invalid header checksum: got ${hex(want)}; expected ${hex(sum)}`);
    if (flg >> 6 !== 1) throw fail(`lz4: invalid frame descriptor: version ${flg >> 6}`);
    const reserved = (flg & 0x02) | ((bd & 0x8f) << 8);
    if (reserved !== 0)
      throw fail(`lz4: invalid frame descriptor: reserved bits 0x${hex(reserved).padStart(4, "0")} set`);
    if (flg & 0x01)
      throw fail(`lz4: invalid frame descriptor: dictionary ID 0x${hex(u32(fields, extra - 4))}`);
    const maxBlock = BLOCK_SIZES[(bd >> 4) & 7];
    if (maxBlock === undefined) throw fail(ERR_BLOCK_SIZE);
    // A bigint: a content size past 2^53 can only be wrong, and the message prints it.
    const contentSize = flg & 0x08 ? BigInt(u32(fields, 0)) | (BigInt(u32(fields, 4)) << 32n) : undefined;
    const blockChecksum = (flg & 0x10) !== 0;
    const frameStart = out.len;
    for (let x = this.u32(); x !== 0; x = this.u32()) {
      const size = x & 0x7fffffff;
      if (size > maxBlock) throw fail(ERR_BLOCK_SIZE);
      const data = this.take(size);
      const blockSum = blockChecksum ? this.u32() : 0;
      if (x & 0x80000000) {
        out.reserve(size);
        out.buf.set(data, out.len);
        out.len += size;
      } else {
        out.reserve(maxBlock);
        const windowStart = flg & 0x20 ? out.len : frameStart;
        if (size > 0 && !decodeBlock(data, out, out.len + maxBlock, windowStart)) throw fail(ERR_SHORT);
      }
      const c = blockChecksum ? xxh32(data) : 0;
      if (c !== blockSum) throw fail(`lz4: invalid block checksum: got ${hex(c)}; expected ${hex(blockSum)}`);
    }
    if (flg & 0x04) {
      const expected = this.u32();
      const c = xxh32(out.buf, frameStart, out.len);
      if (c !== expected) throw fail(`lz4: invalid frame checksum: got ${hex(c)}; expected ${hex(expected)}`);
    }
    const written = BigInt(out.len - frameStart);
    if (contentSize !== undefined && written !== contentSize)
      throw fail(`lz4: invalid content size: got ${written}; expected ${contentSize}`);
  }

  /**
   * Legacy frames: compressed 8 MiB blocks up to the end of the input, another legacy magic, or
   * (as the Linux kernel writes) a last word holding the size decoded so far.
   */
  private legacyFrame(): void {
    const { src, out } = this;
    const frameStart = out.len;
    while (this.pos < src.length) {
      const x = this.u32();
      if (x === FRAME_MAGIC_LEGACY) continue;
      if (this.pos === src.length && x === out.len - frameStart) break;
      if (x > BLOCK_8MB) throw fail(ERR_BLOCK_SIZE);
      const data = this.take(x);
      out.reserve(BLOCK_8MB);
      if (x > 0 && !decodeBlock(data, out, out.len + BLOCK_8MB, out.len)) throw fail(ERR_SHORT);
    }
  }
}
