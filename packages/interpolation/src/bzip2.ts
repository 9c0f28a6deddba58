// Derived from Go's compress/bzip2 (BSD-3-Clause); see THIRD_PARTY_NOTICES.md for its copyright and license.
// bzip2 decompression, ported from Go's compress/bzip2 (the reference's `bzip2` codec; Go has no
// bzip2 compressor, so neither has the reference). Its checks and error texts are Go's. Loaded
// on first use, through compression.ts.

import { QueryError } from "./query-error.js";

/** compress/bzip2.StructuralError. */
class StructuralError extends Error {}
const structural = (s: string): StructuralError => new StructuralError(`bzip2 data invalid: ${s}`);

const BLOCK_MAGIC_HI = 0x3141; // 0x314159265359, as 16 + 32 bits
const BLOCK_MAGIC_LO = 0x59265359;
const FINAL_MAGIC_HI = 0x1772; // 0x177245385090
const FINAL_MAGIC_LO = 0x45385090;

/**
 * Go's bitReader: MSB first. Past the end it returns zeros and keeps io.ErrUnexpectedEOF, which
 * the reader reports in place of whatever the zeros led to.
 */
class BitReader {
  pos = 0;
  n = 0; // up to 32 pending bits, low-aligned
  bits = 0;
  eof = false;

  constructor(readonly src: Uint8Array) {}

  read(bits: number): number {
    if (bits > 24) return this.read(bits - 16) * 65536 + this.read(16);
    while (bits > this.bits) {
      if (this.pos >= this.src.length) {
        this.eof = true;
        return 0;
      }
      this.n = ((this.n << 8) | (this.src[this.pos++] as number)) >>> 0;
      this.bits += 8;
    }
    this.bits -= bits;
    return (this.n >>> this.bits) & ((1 << bits) - 1);
  }

  /** The next whole byte (after skipping to a byte boundary), or -1 at the end. */
  byte(): number {
    return this.pos < this.src.length ? (this.src[this.pos++] as number) : -1;
  }
}

/** A decoding tree: node i has children at 2i, 2i+1 of `child`; a leaf is ~value. */
interface Huffman {
  readonly child: Int32Array;
}

function decodeSymbol(t: Huffman, br: BitReader): number {
  let node = 0;
  for (;;) {
    const next = t.child[2 * node + (br.read(1) === 1 ? 0 : 1)] as number;
    if (next < 0) return ~next;
    node = next;
  }
}

/** newHuffmanTree: the canonical tree for the code lengths, built as Go builds it. */
function huffmanTree(lengths: Uint8Array): Huffman {
  const order = Array.from(lengths.keys()).sort(
    (a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b,
  );
  const codes: { code: number; value: number }[] = [];
  let code = 0;
  let length = 32;
  for (let i = order.length - 1; i >= 0; i--) {
    const value = order[i] as number;
    length = Math.min(length, lengths[value] as number);
    codes.push({ code, value });
    code = (code + 2 ** (32 - length)) % 2 ** 32;
  }
  codes.sort((a, b) => a.code - b.code);
  const child = new Int32Array(2 * codes.length);
  let nextNode = 0;
  const build = (lo: number, hi: number, level: number): number => {
    const test = 2 ** (31 - level);
    let split = hi;
    for (let i = lo; i < hi; i++)
      if (Math.floor((codes[i] as { code: number }).code / test) % 2 === 1) {
        split = i;
        break;
      }
    if (split === lo || split === hi) {
      if (hi - lo < 2) throw structural("empty Huffman tree");
      if (level === 31) throw structural("equal symbols in Huffman tree");
      return split === lo ? build(split, hi, level + 1) : build(lo, split, level + 1);
    }
    const node = nextNode++;
    const side = (from: number, to: number): number =>
      to - from === 1 ? ~(codes[from] as { value: number }).value : build(from, to, level + 1);
    child[2 * node] = side(lo, split);
    child[2 * node + 1] = side(split, hi);
    return node;
  };
  build(0, codes.length, 0);
  return { child };
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let j = 0; j < 8; j++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    t[i] = crc;
  }
  return t;
})();

/** A block's entropy decoding: the BWT input, its length and origPtr. */
interface Block {
  readonly tt: Uint32Array;
  readonly length: number;
  readonly origPtr: number;
  readonly c: Uint32Array;
}

function readBlock(br: BitReader, blockSize: number, tt: Uint32Array): Block {
  if (br.read(1) !== 0) throw structural("deprecated randomized files");
  const origPtr = br.read(24);
  const rangeBitmap = br.read(16);
  const symbols: number[] = [];
  for (let range = 0; range < 16; range++) {
    if ((rangeBitmap & (1 << (15 - range))) === 0) continue;
    const bits = br.read(16);
    for (let symbol = 0; symbol < 16; symbol++)
      if (bits & (1 << (15 - symbol))) symbols.push(16 * range + symbol);
  }
  if (symbols.length === 0) throw structural("no symbols in input");
  const numTrees = br.read(3);
  if (numTrees < 2 || numTrees > 6) throw structural("invalid number of Huffman trees");
  const numSelectors = br.read(15);
  const treeIndexes = new Uint8Array(numSelectors);
  const treeMtf = Array.from({ length: numTrees }, (_, i) => i);
  for (let i = 0; i < numSelectors; i++) {
    let c = 0;
    while (br.read(1) !== 0) c++;
    if (c >= numTrees) throw structural("tree index too large");
    const t = treeMtf.splice(c, 1)[0] as number;
    treeMtf.unshift(t);
    treeIndexes[i] = t;
  }
  const mtf = Uint8Array.from(symbols);
  const numSymbols = symbols.length + 2; // RUNA and RUNB
  const trees: Huffman[] = [];
  const lengths = new Uint8Array(numSymbols);
  for (let i = 0; i < numTrees; i++) {
    let length = br.read(5);
    for (let j = 0; j < numSymbols; j++) {
      for (;;) {
        if (length < 1 || length > 20) throw structural("Huffman length out of range");
        if (br.read(1) === 0) break;
        length += br.read(1) === 1 ? -1 : 1;
      }
      lengths[j] = length;
    }
    trees.push(huffmanTree(lengths));
  }
  if (numSelectors === 0) throw structural("no tree selectors given");
  const tree = (i: number): Huffman => {
    const t = trees[treeIndexes[i] as number];
    if (t === undefined) throw structural("tree selector out of range");
    return t;
  };
  let current = tree(0);
  let selector = 1;
  let bufIndex = 0;
  let repeat = 0;
  let repeatPower = 0;
  const c = new Uint32Array(256);
  for (let decoded = 0; ; decoded++) {
    if (decoded === 50) {
      if (selector >= numSelectors) throw structural("insufficient selector indices for number of symbols");
      current = tree(selector++);
      decoded = 0;
    }
    const v = decodeSymbol(current, br);
    if (v < 2) {
      if (repeat === 0) repeatPower = 1;
      repeat += repeatPower << v;
      repeatPower <<= 1;
      if (repeat > 2 * 1024 * 1024) throw structural("repeat count too large");
      continue;
    }
    if (repeat > 0) {
      if (repeat > blockSize - bufIndex) throw structural("repeats past end of block");
      const b = mtf[0] as number;
      tt.fill(b, bufIndex, bufIndex + repeat);
      c[b] = (c[b] as number) + repeat;
      bufIndex += repeat;
      repeat = 0;
    }
    if (v === numSymbols - 1) break; // end of block
    // RUNA and RUNB are 0 and 1, and the front of the list is only ever a run: v-1 is the index.
    const b = mtf[v - 1] as number;
    mtf.copyWithin(1, 0, v - 1);
    mtf[0] = b;
    if (bufIndex >= blockSize) throw structural("data exceeds block size");
    tt[bufIndex++] = b;
    c[b] = (c[b] as number) + 1;
  }
  if (origPtr >= bufIndex) throw structural("origPtr out of bounds");
  return { tt, length: bufIndex, origPtr, c };
}

/** Output with room to grow. */
class Output {
  buf = new Uint8Array(1024);
  len = 0;

  push(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
}

/** The inverse BWT and bzip2's final run-length decoding, appended to out; returns the CRC. */
function emitBlock(block: Block, out: Output): number {
  const { tt, length, origPtr, c } = block;
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    const n = c[i] as number;
    c[i] = sum;
    sum += n;
  }
  for (let i = 0; i < length; i++) {
    const b = (tt[i] as number) & 0xff;
    const at = c[b] as number;
    tt[at] = ((tt[at] as number) | (i << 8)) >>> 0;
    c[b] = at + 1;
  }
  let tPos = (tt[origPtr] as number) >>> 8;
  let crc = -1;
  let last = -1;
  let runs = 0;
  const put = (b: number): void => {
    out.push(b);
    crc = (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] as number) ^ (crc << 8);
  };
  for (let used = 0; used < length; used++) {
    tPos = tt[tPos] as number;
    const b = tPos & 0xff;
    tPos >>>= 8;
    if (runs === 3) {
      // Four equal bytes, then a count of more. Go forgets the byte only once it wrote some.
      for (let k = 0; k < b; k++) put(last);
      if (b > 0) last = -1;
      runs = 0;
      continue;
    }
    runs = last === b ? runs + 1 : 0;
    last = b;
    put(b);
  }
  return ~crc >>> 0;
}

/** `io.ReadAll(bzip2.NewReader(r))`, concatenated streams included. */
export function bzip2Decompress(src: Uint8Array): Uint8Array {
  const br = new BitReader(src);
  const out = new Output();
  try {
    decodeStreams(br, out);
  } catch (e) {
    if (br.eof) throw new QueryError("FAILED", "unexpected EOF");
    if (e instanceof StructuralError) throw new QueryError("FAILED", e.message);
    throw e;
  }
  if (br.eof) throw new QueryError("FAILED", "unexpected EOF");
  return out.buf.slice(0, out.len);
}

function decodeStreams(br: BitReader, out: Output): void {
  if (br.read(16) !== 0x425a) throw structural("bad magic value");
  let blockSize = header(br);
  let tt = new Uint32Array(blockSize);
  let fileCRC = 0;
  for (;;) {
    const hi = br.read(16);
    const lo = br.read(32);
    if (br.eof) return;
    if (hi === BLOCK_MAGIC_HI && lo === BLOCK_MAGIC_LO) {
      const want = br.read(32);
      fileCRC = (((fileCRC << 1) | (fileCRC >>> 31)) ^ want) >>> 0;
      const got = emitBlock(readBlock(br, blockSize, tt), out);
      if (got !== want) throw structural("block checksum mismatch");
    } else if (hi === FINAL_MAGIC_HI && lo === FINAL_MAGIC_LO) {
      const want = br.read(32);
      if (br.eof) return;
      if (fileCRC !== want) throw structural("file checksum mismatch");
      // Another stream may follow, from the next byte boundary on (fewer than 8 bits are left).
      br.bits = 0;
      const b = br.byte();
      if (b === -1) return;
      const z = br.byte();
      if (z === -1) {
        br.eof = true;
        return;
      }
      if (b !== 0x42 || z !== 0x5a) throw structural("bad magic value in continuation file");
      blockSize = header(br);
      if (blockSize > tt.length) tt = new Uint32Array(blockSize);
      fileCRC = 0;
    } else throw structural("bad magic value found");
  }
}

/** setup: the "h" and the level digit after "BZ"; the block size. */
function header(br: BitReader): number {
  if (br.read(8) !== 0x68) throw structural("non-Huffman entropy encoding");
  const level = br.read(8);
  if (level < 0x31 || level > 0x39) throw structural("invalid compression level");
  return 100 * 1000 * (level - 0x30);
}
