import { describe, expect, it } from "vitest";
import { codecInput, type InputKind, outcome, sha256 } from "../test/codec-inputs.js";
import { lz4Compress, lz4Decompress, xxh32 } from "./lz4.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const text = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (Uint8Array | number[])[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const MAGIC = le32(0x184d2204);
/** A frame descriptor with a valid header checksum. */
const desc = (flg: number, bd: number, ...extra: number[]) => {
  const d = [flg, bd, ...extra];
  return [...d, (xxh32(Uint8Array.from(d)) >>> 8) & 255];
};
const raw = (b: Uint8Array) => cat(le32((b.length | 0x80000000) >>> 0), b);
const comp = (b: Uint8Array) => cat(le32(b.length), b);
const END = le32(0);

const FOX = text("The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.");

// Made by Go (pierrec/lz4/v4 as the reference uses it: NewWriter, CompressionLevelOption(1 << (8 +
// level)) above 0, io.Copy then Close) from codecInput's bytes; [kind, size, level, length, sha256].
// amd64 and arm64 give the same bytes: the lz4 compressors are pure Go.
const GO_FRAMES: [InputKind, number, number, number, string][] = [
  ["mixed", 300_000, -1, 241435, "e1e6bcba73be8e02394116ed5bc1b2dc3267e67f1e26d4b55361809576e62f06"],
  ["mixed", 300_000, 1, 243797, "cd2881fa04fa233420854d1600794fc9696ee01bdf67d8497f38e1e7280ad5b7"],
  ["mixed", 300_000, 9, 243797, "cd2881fa04fa233420854d1600794fc9696ee01bdf67d8497f38e1e7280ad5b7"],
  ["mixed", 5 << 20, -1, 4711289, "6251df32a2225de24c41482711a25f63f3feb230582a1379c4759fc2767849d8"],
  ["mixed", 5 << 20, 1, 4690759, "60baacd368d06bcc46b12561ff43252ba4794ba122df48113403978726df1a0b"],
  ["mixed", 5 << 20, 9, 4690759, "60baacd368d06bcc46b12561ff43252ba4794ba122df48113403978726df1a0b"],
  ["mixed", 65_536, -1, 45940, "57dad70884f01276d4a995d38c4765aabf8ca5b1a02650d0da4073a0740fa1f8"],
  ["mixed", 65_536, 1, 46602, "801cba703ff258e1be8cf40b2e500fc6f33579b12c00f9eca4b57f1a5cfa5a69"],
  ["mixed", 65_536, 9, 46602, "801cba703ff258e1be8cf40b2e500fc6f33579b12c00f9eca4b57f1a5cfa5a69"],
  ["random", 5 << 20, -1, 5242903, "312421af3723692821c5c25eca2410c8f7ef16ac618473fa0e2334db163f784c"],
  ["random", 5 << 20, 1, 5242903, "312421af3723692821c5c25eca2410c8f7ef16ac618473fa0e2334db163f784c"],
  ["random", 5 << 20, 9, 5242903, "312421af3723692821c5c25eca2410c8f7ef16ac618473fa0e2334db163f784c"],
  ["random", 70_000, -1, 70019, "59a32176c69f27938b311c9a91013cc7c2970c86e610883539bb6913ec423ae6"],
  ["random", 70_000, 1, 70019, "59a32176c69f27938b311c9a91013cc7c2970c86e610883539bb6913ec423ae6"],
  ["random", 70_000, 9, 70019, "59a32176c69f27938b311c9a91013cc7c2970c86e610883539bb6913ec423ae6"],
  ["text", 0, -1, 15, "ff6f89111a901534caf078ce734ec3ff5420dc4d6d8e54ff807a297430c5d3a0"],
  ["text", 0, 1, 15, "ff6f89111a901534caf078ce734ec3ff5420dc4d6d8e54ff807a297430c5d3a0"],
  ["text", 0, 9, 15, "ff6f89111a901534caf078ce734ec3ff5420dc4d6d8e54ff807a297430c5d3a0"],
  ["text", 100, -1, 101, "ff8b8a4b38db9d4f12301d362aab1fdc944c33c700f8f0b571720ee790fcc71a"],
  ["text", 100, 1, 94, "a35d0dae6b3ad0eb7d63a7216ba2399b1523649b1f8c1810625699d0c7c96427"],
  ["text", 100, 9, 94, "a35d0dae6b3ad0eb7d63a7216ba2399b1523649b1f8c1810625699d0c7c96427"],
  ["text", 1000, -1, 566, "795cbc17f231ce0abd0fe02008c0f5bb2135fd8c6a1021f8a0bd28c601ec8926"],
  ["text", 1000, 1, 491, "e86e01bb81315dedf641302a44248dd236be89ab6e0e678e16f17c84caedffdf"],
  ["text", 1000, 9, 491, "e86e01bb81315dedf641302a44248dd236be89ab6e0e678e16f17c84caedffdf"],
  ["text", 20, -1, 39, "a743c8683ad4d5c653b47ba3e6e6174985f29acf25b358b4f4d90be00ae5a10c"],
  ["text", 20, 1, 39, "a743c8683ad4d5c653b47ba3e6e6174985f29acf25b358b4f4d90be00ae5a10c"],
  ["text", 20, 9, 39, "a743c8683ad4d5c653b47ba3e6e6174985f29acf25b358b4f4d90be00ae5a10c"],
  ["text", 20_000, -1, 7458, "0f0c430e1192cad26ca3a677ac46ecc09b7c3537cd5df93738eb681962bc25a5"],
  ["text", 20_000, 1, 5171, "951a7c5c1bca6fb253b9beb4a938d1fe1af24ea82961fecfbffa6cd6757d085e"],
  ["text", 20_000, 9, 5171, "951a7c5c1bca6fb253b9beb4a938d1fe1af24ea82961fecfbffa6cd6757d085e"],
  ["text", 5000, -1, 2127, "3b249e2aa3689f55f097c70a2b1cf9c61bbf20e9b9052b22c0c1220cd2fc4a75"],
  ["text", 5000, 1, 1669, "a0b9de52a98009629e4d2f0c876fb1bcb4ef45458f554dea4bb03a1de860b77e"],
  ["text", 5000, 9, 1669, "a0b9de52a98009629e4d2f0c876fb1bcb4ef45458f554dea4bb03a1de860b77e"],
  ["text", 5 << 20, -1, 1859851, "b8785ad047423096b1e4945a58fce2166ea2c77a31fe1bb6c34635d7e66abf38"],
  ["text", 5 << 20, 1, 1065548, "e90462ed2ff1b308a8db6279e844b68f3d1e9a6efff43fb96cd578dd49d94471"],
  ["text", 5 << 20, 9, 1037133, "e3b0b6d6cd30fb4adba41e2a32ee1496490df6d3452f8c15c1d74b7eac86f55d"],
  ["zeros", 100_000, -1, 434, "c1232eb0471d9ac13466ca2b8eb46676e5a2ac171eb025309aa0b30ae7cafdd2"],
  ["zeros", 100_000, 1, 432, "5b2f33e22ad735f11108db773a81d0f3df8c72d059782562eea8a615b512b943"],
  ["zeros", 100_000, 9, 432, "5b2f33e22ad735f11108db773a81d0f3df8c72d059782562eea8a615b512b943"],
  ["zeros", 5 << 20, -1, 20628, "17b0f504edb60078ca84c5b9949df858219e28dc5163711207b9d8459a34c537"],
  ["zeros", 5 << 20, 1, 20624, "187726e9758efb6751bbd5db8bcd8df0e00554d3b34081273b0f1a1b8640b3b9"],
  ["zeros", 5 << 20, 9, 20624, "187726e9758efb6751bbd5db8bcd8df0e00554d3b34081273b0f1a1b8640b3b9"],
];

describe("lz4 - compression", () => {
  it("lz4 - the reference catalog's example is Go's 85 bytes", () => {
    const out = lz4Compress(FOX, -1);
    expect(out.length).toBe(85);
    expect(hex(out)).toBe(
      "04224d186470b942000000ff1e54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e202d0009002d00c06865206c617a7920646f672e0000000087752026",
    );
    expect(hex(lz4Compress(FOX, 9))).toBe(
      "04224d186470b93f000000ff1f54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e20542d000db065206c617a7920646f672e0000000087752026",
    );
  });

  it.each(GO_FRAMES)("lz4 - %s bytes (%i) at level %i are Go's", (kind, n, level, length, digest) => {
    const out = lz4Compress(codecInput(kind, n), level);
    expect(out.length).toBe(length);
    expect(sha256(out)).toBe(digest);
  });

  it("lz4 - level 0 and levels past 23 are the fast compressor, as Go's uint32 truncation makes them", () => {
    const b = codecInput("text", 5000);
    expect(hex(lz4Compress(b, 0))).toBe(hex(lz4Compress(b, -1)));
    expect(hex(lz4Compress(b, 24))).toBe(hex(lz4Compress(b, -1)));
    expect(hex(lz4Compress(b, 30))).toBe(hex(lz4Compress(b, -1)));
  });

  it("lz4 - levels 10 to 23 are refused with the level Go's writer sees", () => {
    expect(outcome(() => lz4Compress(FOX, 10))).toBe("lz4: invalid compression level: 262144");
    expect(outcome(() => lz4Compress(FOX, 23))).toBe("lz4: invalid compression level: 2147483648");
  });

  it.each([-1, 1, 5, 9])(
    "lz4 - level %i round-trips empty, tiny, incompressible and multi-block data",
    (level) => {
      // Past 4 MiB a frame has two blocks; the slower levels get a smaller text.
      const long = level < 1 ? codecInput("text", (4 << 20) + 12_345) : codecInput("text", 200_000);
      for (const b of [
        new Uint8Array(0),
        Uint8Array.of(7),
        codecInput("random", 1000),
        codecInput("mixed", 300_000),
        long,
      ])
        expect(sha256(lz4Decompress(lz4Compress(b, level)))).toBe(sha256(b));
    },
  );
});

describe("lz4 - xxh32", () => {
  it("xxh32 - gives the reference values", () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(text("abc"))).toBe(0x32d153ff);
    expect(xxh32(text("Nobody inspects the spammish repetition"))).toBe(0xe2293b2f);
  });
});

describe("lz4 - decompression", () => {
  const hello = text("hello, hello, hello, hello, hello, hello!");
  const helloBlock = lz4Compress(hello, -1).subarray(11, -8); // the one compressed block's bytes
  const F = 0x60; // version 1, independent blocks
  const BD64K = 0x40;
  const hdr = cat(MAGIC, desc(F, BD64K));
  const valid = cat(hdr, comp(helloBlock), END);

  it("lz4 - reads a frame the lz4 command line tool wrote: block checksums, content size, linked blocks", () => {
    // `lz4 -BX --content-size -B4 -BD` (lz4 1.9.4) of codecInput("text", 300).
    const frame = new Uint8Array(
      Buffer.from(
        "BCJNGHxALAEAAAAAAAD6wAAAAPMHb3Zlci4KdGhlLgpxdWljayBkb2xvcgYA+AphbWV0Lgpsb3JlbSBsYXp5IHNpdCBmb3ggKwABGQAARwBxIGp1bXBzIC8AcS4KYnJvd242AAMMACYuCioAAWUAAxEAATAABVIAEmdAAANMAAZsAFNpcHN1bRwACH4A9QBjb25zZWN0ZXR1ciB0aGUEAAMwAAC1AAKXAABbAActAAOVAAPpAABoAAEnACEuCgcAEiC+AAAAAbAgdGhlIGxvcmVtID0ssV8AAAAA37YlFw==",
        "base64",
      ),
    );
    expect(hex(lz4Decompress(frame))).toBe(hex(codecInput("text", 300)));
  });

  it("lz4 - reads legacy frames, as `lz4 -l` writes them", () => {
    const frame = new Uint8Array(
      Buffer.from(
        "AiFMGMAAAADzB292ZXIuCnRoZS4KcXVpY2sgZG9sb3IGAPgKYW1ldC4KbG9yZW0gbGF6eSBzaXQgZm94ICsAARkAAEcAcSBqdW1wcyAvAHEuCmJyb3duNgADDAAmLgoqAAFlAAMRAAEwAAVSABJnQAADTAAGbABTaXBzdW0cAAh+APUAY29uc2VjdGV0dXIgdGhlBAADMAAAtQAClwAAWwAHLQADlQAD6QAAaAABJwAhLgoHABIgvgAAAAGwIHRoZSBsb3JlbSA=",
        "base64",
      ),
    );
    expect(hex(lz4Decompress(frame))).toBe(hex(codecInput("text", 300)));
    // The Linux kernel's trailer: the size decoded so far, as the last word.
    expect(lz4Decompress(cat(frame, le32(300))).length).toBe(300);
  });

  it("lz4 - linked blocks reach back into the previous block; independent ones cannot", () => {
    // Block 2 copies 8 bytes from 8 back, which is block 1, then one literal.
    const block2 = Uint8Array.of(0x04, 0x08, 0x00, 0x10, 0x21);
    const frame = (flg: number) => cat(MAGIC, desc(flg, BD64K), raw(text("abcdefgh")), comp(block2), END);
    expect(new TextDecoder().decode(lz4Decompress(frame(0x40)))).toBe("abcdefghabcdefgh!");
    expect(outcome(() => lz4Decompress(frame(0x60)))).toBe(
      "lz4: invalid source or destination buffer too short",
    );
  });

  it("lz4 - reads skippable frames, empty input and frames one after another", () => {
    expect(lz4Decompress(new Uint8Array(0)).length).toBe(0);
    const skippable = cat(le32(0x184d2a53), le32(3), [1, 2, 3]);
    expect(new TextDecoder().decode(lz4Decompress(cat(skippable, valid, valid)))).toBe(
      "hello, hello, hello, hello, hello, hello!hello, hello, hello, hello, hello, hello!",
    );
    expect(lz4Decompress(cat(hdr, raw(new Uint8Array(0)), END)).length).toBe(0);
  });

  it("lz4 - checks the header, the blocks, the checksums and the content size, with pierrec/lz4's texts", () => {
    const allChecksums = cat(MAGIC, desc(F | 0x14, BD64K));
    const sum = (b: Uint8Array) => le32(xxh32(b));
    const withSize = (n: number) => cat(MAGIC, desc(F | 0x08, BD64K, ...le32(n), 0, 0, 0, 0));
    const cases: [Uint8Array, string][] = [
      [cat(le32(0x184d2205)), "lz4: bad magic number"],
      [Uint8Array.from(MAGIC.slice(0, 2)), "unexpected EOF"],
      [Uint8Array.from(MAGIC), "unexpected EOF"],
      [cat(MAGIC, [F, BD64K, 0]), "lz4: invalid header checksum: got 82; expected 0"],
      [cat(MAGIC, desc(0x20, BD64K), END), "lz4: invalid frame descriptor: version 0"],
      [cat(MAGIC, desc(F | 0x02, BD64K), END), "lz4: invalid frame descriptor: reserved bits 0x0002 set"],
      [cat(MAGIC, desc(F, BD64K | 0x81), END), "lz4: invalid frame descriptor: reserved bits 0x8100 set"],
      [
        cat(MAGIC, desc(F | 0x01, BD64K, 1, 2, 3, 4), END),
        "lz4: invalid frame descriptor: dictionary ID 0x4030201",
      ],
      [cat(MAGIC, desc(F, 0x30), END), "lz4: invalid block size"],
      [cat(hdr, le32(65537)), "lz4: invalid block size"],
      [
        cat(hdr, comp(Uint8Array.of(0xf0, 0xff, 0xff)), END),
        "lz4: invalid source or destination buffer too short",
      ],
      [
        cat(hdr, comp(lz4Compress(new Uint8Array(65537), -1).subarray(11, -8)), END),
        "lz4: invalid source or destination buffer too short",
      ],
      [cat(hdr, [1, 0]), "unexpected EOF"],
      [cat(hdr, le32(helloBlock.length), helloBlock.subarray(0, 5)), "unexpected EOF"],
      [cat(hdr, comp(helloBlock)), "unexpected EOF"],
      [
        cat(allChecksums, comp(helloBlock), le32(xxh32(helloBlock) ^ 1), END, sum(hello)),
        `lz4: invalid block checksum: got ${xxh32(helloBlock).toString(16)}; expected ${((xxh32(helloBlock) ^ 1) >>> 0).toString(16)}`,
      ],
      [cat(allChecksums, comp(helloBlock), sum(helloBlock), END), "unexpected EOF"],
      [
        cat(allChecksums, comp(helloBlock), sum(helloBlock), END, le32(7)),
        `lz4: invalid frame checksum: got ${xxh32(hello).toString(16)}; expected 7`,
      ],
      [
        cat(withSize(hello.length + 1), comp(helloBlock), END),
        "lz4: invalid content size: got 41; expected 42",
      ],
      [cat(valid, END), "lz4: bad magic number"],
      [cat(valid, MAGIC.slice(0, 3)), "unexpected EOF"],
      [cat(le32(0x184d2a50), le32(10), [1, 2, 3]), "unexpected EOF"],
    ];
    for (const [input, message] of cases) expect(outcome(() => lz4Decompress(input))).toBe(message);
    expect(hex(lz4Decompress(cat(allChecksums, comp(helloBlock), sum(helloBlock), END, sum(hello))))).toBe(
      hex(hello),
    );
    expect(hex(lz4Decompress(cat(withSize(hello.length), comp(helloBlock), END)))).toBe(hex(hello));
  });

  it("lz4 - any input gives bytes or an error, never a crash or a hang", () => {
    const frame = lz4Compress(codecInput("text", 3000), -1);
    for (let i = 0; i < frame.length; i += 7) {
      const broken = frame.slice();
      broken[i] = (broken[i] as number) ^ 0x5a;
      const r = outcome(() => lz4Decompress(broken));
      expect(typeof r).toBe("string");
      expect(outcome(() => lz4Decompress(frame.subarray(0, i)))).toMatch(/^(unexpected EOF|ok)$/);
    }
  });
});
