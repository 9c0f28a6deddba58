import { describe, expect, it } from "vitest";
import { codecInput, type InputKind, outcome, sha256 } from "../test/codec-inputs.js";
import { snappyDecode, snappyEncode } from "./snappy.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

// Made by Go on amd64 (klauspost/compress v1.18.6 snappy.Encode, the reference's) from
// codecInput's bytes; [kind, size, length, sha256]. Go's generic encoder (arm64 and others) picks
// other hash table sizes and gives other, equally valid, bytes for about a third of inputs.
const GO_BLOCKS: [InputKind, number, number, string][] = [
  ["mixed", 300_000, 214865, "81f145a5b95f6d999895610a023424a028a510d135658a9cd6039f36c7763c91"],
  ["mixed", 5 << 20, 3668399, "2c54ee64f917428eb2cb18537fab09526cb3fcd2d619a258f5674ff6624ce3d9"],
  ["mixed", 65_536, 46770, "b9a50f3953cb980b56a0a3ad5b01381b9693bdffe1632e1cc7448d1b12d5ce78"],
  ["random", 5 << 20, 5242888, "196c2996f080574c4eac3e9d27d1433858b41a8ad91803dc92fb8faa2bfcb3c7"],
  ["random", 70_000, 70007, "af587d14c3a6069c056aa68d4f2a06b288f2418a3ea209829be7e2d9ad1ec498"],
  ["text", 0, 1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
  ["text", 100, 64, "01e7a281ec0698c752e22da5e142632c7415fc943f435cb9dc25ec378eda2e2d"],
  ["text", 1000, 397, "8e61c39873d5b89190ca90f68741e949935bafe074909ef39176d648905ab92c"],
  ["text", 20, 22, "a0cab9dd868a6d42445cb30b670b1be599e36bde9292ff510910f6c076a20432"],
  ["text", 20_000, 5029, "cae1575d5fed3f4b5d78bccd653ecdde66206e91ad253feaa26a55cfa1293957"],
  ["text", 5000, 1471, "19f14d1561cc3b032ae14bd7c2491d3b4f2707bbb78d33dd6bf68f8f34cc7ac4"],
  ["text", 5 << 20, 1266408, "d22f2ed7bbc81be830c537672215b6e47f05b375a82dec96aa11343d1c2b7078"],
  ["zeros", 100_000, 5006, "1efcb7f06101287330dda2af40d89f8605d9552db3bc2acf3312c15473beaeac"],
  ["zeros", 5 << 20, 262152, "8c8742ad5450e80d77d5aac8e945c0872da204c37589c0b1bc9abaeb6c47db6f"],
];

describe("snappy - encoding", () => {
  it("snappy - a sentence is Go's bytes", () => {
    const fox = new TextEncoder().encode(
      "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.",
    );
    expect(hex(snappyEncode(fox))).toBe(
      "59b054686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e20ae2d00",
    );
  });

  it.each(GO_BLOCKS)("snappy - %s bytes (%i) are Go's", (kind, n, length, digest) => {
    const out = snappyEncode(codecInput(kind, n));
    expect(out.length).toBe(length);
    expect(sha256(out)).toBe(digest);
  });

  it("snappy - round-trips empty, short, incompressible and long data", () => {
    for (const b of [
      new Uint8Array(0),
      Uint8Array.of(1, 2, 3),
      codecInput("text", 31),
      codecInput("random", 70_000),
      codecInput("mixed", 300_000),
      codecInput("text", 5 << 20),
    ])
      expect(sha256(snappyDecode(snappyEncode(b)))).toBe(sha256(b));
  });
});

describe("snappy - decoding", () => {
  it("snappy - reads s2's repeat codes, as the reference's decoder does", () => {
    // "abcd", a copy of 4 from 4 back, then repeats of that offset: 6 bytes, and 11 (5 + a byte).
    expect(new TextDecoder().decode(snappyDecode(unhex("0e0c6162636401040900")))).toBe("abcdabcdabcdab");
    expect(new TextDecoder().decode(snappyDecode(unhex("130c616263640104150003")))).toBe(
      "abcdabcdabcdabcdabc",
    );
  });

  it("snappy - malformed blocks are s2's corrupt input", () => {
    // Each checked against klauspost/compress v1.18.6 snappy.Decode.
    for (const h of [
      "", // no length
      "05", // a length and no data
      "040c616263", // a literal past the end
      "080c616263640108", // a copy from before the start
      "0400", // a copy with offset 0 and no earlier offset
      "ffffffffff0f", // a length over 32 bits
      "8080808080808080808001", // a varint over 64 bits
      "0a0c6162636401040900", // more data than the length says
      "0e0c6162636401040900ff", // bytes after the last element
    ])
      expect(outcome(() => snappyDecode(unhex(h)))).toBe("s2: corrupt input");
  });

  it("snappy - any input gives bytes or an error, never a crash or a hang", () => {
    const block = snappyEncode(codecInput("text", 3000));
    for (let i = 0; i < block.length; i += 5) {
      const broken = block.slice();
      broken[i] = (broken[i] as number) ^ 0x33;
      expect(typeof outcome(() => snappyDecode(broken))).toBe("string");
      expect(outcome(() => snappyDecode(block.subarray(0, i)))).toBe("s2: corrupt input");
    }
  });
});
