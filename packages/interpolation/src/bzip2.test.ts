import { describe, expect, it } from "vitest";
import { codecInput, outcome, sha256 } from "../test/codec-inputs.js";
import { bzip2Decompress } from "./bzip2.js";

const b64 = (...lines: string[]) => new Uint8Array(Buffer.from(lines.join(""), "base64"));
const cat = (...parts: (Uint8Array | number[])[]) => new Uint8Array(parts.flatMap((p) => [...p]));

// Fixtures made with the bzip2 command line tool (bzip2 1.0.8).
const FOX_TEXT = "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.";
/** `bzip2 -9` of FOX_TEXT. */
const FOX = b64(
  "QlpoOTFBWSZTWdk8+UMAAAmTgEABBAA////wIABUJVNPQjRiNGgbSBVU9QTJhGaRtTaJGjps6ZJoTe2HndCSEiitw5aqLXxDEU7EJnh8IUPSwgopsYXLn4u5IpwoSGyefKGA",
);
/** `bzip2 -9` of nothing. */
const EMPTY = b64("QlpoORdyRThQkAAAAAA=");
/** `bzip2 -1` of 5 MiB of zero bytes: two blocks. */
const ZEROS_5MB = b64(
  "QlpoMTFBWSZTWX6yQ8QADQTAAMAAAAggACCkCDSoKjEqCo5igrJMprJlXBRIAAIziAGAAAAIABBAAGGYClNNRQ2CUPF3JFOF",
  "CQz8qNrA",
);
/** `bzip2 -1` of codecInput("text", 1000) 250 times over: three 100 kB blocks. */
const REPEATED_TEXT = b64(
  "QlpoMTFBWSZTWfroxYYAfx/RgAAQQAE////wUAXeAAAA9AAARQADQAAFAANAAAUAA0AAAmqqGgaNAAAFKSNJlU2kMnlMm1No",
  "JVe4i+CL7kWhF/pFgi4IvsRcEXyRfJF8EWyLoRcEWyLgRbItEWiLki/oRaItCLgi9EXZFyRckWEXBFoi7IuCLki7IuCLopGy",
  "LQiwi9EXRFsi6IvsRYIvRF4RehF4RYRaItkXZF6IvCLgi8IsEWyLoi2RYReEXhFoiwiwi4IuCLRFyRckWCLoi4EWEXBFoiwR",
  "cEXoi0RdkXRFoRbIsIvBFqoWEXJF4RbIuCLZFlCwi4ItkWyLoi6IvCLYiwi5qF0RdCLsi2RaIsIuSLwi4IuyLCLRF0RdkWyL",
  "si7IuSLki0RcEXqhehF0RcEWhFwRckXhF4ItEXZFsiwi0RbItkWEWEWyLRF7BF7EWAi+CpUwEWiLAi96pIwItCLCqT6EhMJV",
  "aIsEWCLAiwiwoh2CSuFJUt9SD4RC20kT6khOikeiLARfgVScVSR+qpI4CLskJgItkWFUnxVJGFI0RYUQ6CkYItEWEWEWEWUL",
  "CkZlC2RfQUjBFlULCL3JCa0BF8khOiQn4EhOyQn90qodlUnhFlUL2/mhaIuCLRIT8hSOQIvsEWwi2RZVCwiwRewi9iL6FI0R",
  "aIsItFIwRYItBFhFoRaCLKFhFhFoiwpGiLQi0ItEWqRD8khP0BF+SQnRITQRdiL0RYUjCkYRYRYIsEWEWBFhFhFgiwiwi+pI",
  "TklV4RZSRhFgi5JCfNUkfcIvkCL3JCe1VFV/5ELvQhfzFBWSZTWSlfnxYAIZZRgAAQQAE////wUAXeAAAA9AAAhQADQAAFAA",
  "NAAAUAA0AAAmqqABkBoABSkQmVTyIybUybUaqiq/Ai+CL7kWhF/hFgi2RfYi3Ivki+SL4IuSLoRbIuSLYi5ItULRFwRfyItE",
  "WhFsi9EXZFwRcEWEWyLRF2RbIuCLsi2RdFI5ItCLCL0RdEXJF0RfYiwReiLwi9CLwiwi0RckXZF6IvCLZF4RYIuSLoi5IsIv",
  "CLwi0RYRYRbItkWiLgi4IsEXRFsRYRbItEWCLZF6ItEXdC6ItCLkiwi8EWhFhFwReEXJFsi5IsIsItkXJFyRdEXRF4RciLCL",
  "gRdEXQi7IuSLRFhFwReEWyLsiwi0RdEXZFyRdkXZFwRcULRFsi9UL1EXRFsi0ItkXBF4ReCLRF2RckWEWqFyRckWEWEXJFoi",
  "9wi9yLARfFKVMgi0RZVC/AUjAi0IsKpPYkJhKrRFgiwRYEWEWFEMgkrjSVLAUHyhC3UkT6EhOikeiLARfkVSbqkj9hSNhF2S",
  "EwEXJFhVJ8BSMKRoiykQ6CkYItEWEWEWEWULAi5IvYUjBFlULCL8EhMAi+aITokJ+RITskJ/VKqHZVJ4RYEX1IsItEWqIT9B",
  "SPqBF9gi5CLkiwIsIsEX0EXuRexSNEWiLCLRSMEWCLQRYRaEWgiwiwiwi0RYUjRF+tiLYi2RapEN0Qn7Ai/RITokJoIu4i9E",
  "WUkYUjCLCLBFgiwiwIsIsIsEWEWEX0JCcUVXhFhSMIsEXBIT5CkfcKn2qpTKkqWAKD8RC7kQv5igrJMprOYjZjkAIIuowAAI",
  "IACf///4KAKPAAAD0AAIoABoAACgAGgAAKAAaAAATVVAA0aAAYKUkaTKp6EZPKZNqNRKr3IvhF+EWiL/EWEXCL7ouEXyi+UX",
  "wi2i6IuEW0XBFtFpFpFyi/ki0i0RcIvSLtFyi5RYi4RaRdouEXKLtFwi6UjaLRFiL0i6RbRdIvuiwi9IvEXoi8RYi0i2i7Re",
  "kXiLhF4iwi2i6RbRYi8ReItIsRYi4RcItIuUXKLCLpFwRYi4RaRYRcIvSLSLui6RaItosReEWpFiLlF4i2i4RbRZRYi4RbRb",
  "RdIukXiLZFiLmRdIuiLtFtFpFiLlF4i4RdosRaRdIu0W0XaLtFyi5otIuEXqi9EXSLhFoi4RcovEXhFpF2i2ixFqi2i2ixFi",
  "LaLSL6CL6IsCL4qlTAi0iwRe8UjBFoixVJ7JCYlVpFhFhFgixFiiHulI+yQrBIPoQt0lS4yVLXErZRYEX5KpOEpH7ikcCLtI",
  "TAi2ixVJ8RSMUjSLKiHQpGEWkWIsRYiyiyItovYpGEWRFiL3SEwEXzSE6SE/JITtIT+gEdqpPEWRF9kWItItUhP0KR9gRfcR",
  "bEW0WRFiLCL6kX0ReykaRaRYi0pGEWEWhFiLRFoRZRYixFpFikaRaItEWkWqiH6FIzEX7BF+khOkhNCLsi9IsUjFIxFiLCLC",
  "LEWCLEWIsIsRYi+qQnNKrxFlSMRYRcpCfMUj8CL5BF7pBYSkH8IXgIWQu5IpwoSDqtciKA==",
);

const repeatedText = () => {
  const unit = codecInput("text", 1000);
  const b = new Uint8Array(250_000);
  for (let i = 0; i < b.length; i += 1000) b.set(unit, i);
  return b;
};

describe("bzip2 - decompression", () => {
  it("bzip2 - reads what the bzip2 tool writes: one block, several, none", () => {
    expect(new TextDecoder().decode(bzip2Decompress(FOX))).toBe(FOX_TEXT);
    expect(bzip2Decompress(EMPTY).length).toBe(0);
    expect(sha256(bzip2Decompress(REPEATED_TEXT))).toBe(sha256(repeatedText()));
    const zeros = bzip2Decompress(ZEROS_5MB);
    expect(zeros.length).toBe(5 << 20);
    expect(zeros.every((b) => b === 0)).toBe(true);
  });

  it("bzip2 - reads streams one after another", () => {
    expect(new TextDecoder().decode(bzip2Decompress(cat(FOX, EMPTY, FOX)))).toBe(FOX_TEXT + FOX_TEXT);
  });

  it("bzip2 - malformed input fails with compress/bzip2's texts", () => {
    // Each checked against Go's compress/bzip2 (io.ReadAll of bzip2.NewReader).
    const patched = (i: number, f: (b: number) => number) => {
      const c = FOX.slice();
      c[i] = f(c[i] as number);
      return c;
    };
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), "unexpected EOF"],
      [FOX.subarray(0, 50), "unexpected EOF"],
      [patched(0, () => 0x58), "bzip2 data invalid: bad magic value"],
      [patched(2, () => 0x78), "bzip2 data invalid: non-Huffman entropy encoding"],
      [patched(3, () => 0x30), "bzip2 data invalid: invalid compression level"],
      [patched(5, (b) => b ^ 1), "bzip2 data invalid: bad magic value found"],
      [patched(10, (b) => b ^ 1), "bzip2 data invalid: block checksum mismatch"],
      [patched(14, (b) => b ^ 0x80), "bzip2 data invalid: deprecated randomized files"],
      [patched(FOX.length - 2, (b) => b ^ 0x10), "bzip2 data invalid: file checksum mismatch"],
      [cat(FOX, [0x42]), "unexpected EOF"],
      [cat(FOX, [0, 0]), "bzip2 data invalid: bad magic value in continuation file"],
      [cat(FOX, [0x42, 0x5a, 0x78]), "bzip2 data invalid: non-Huffman entropy encoding"],
    ];
    for (const [input, message] of cases) expect(outcome(() => bzip2Decompress(input))).toBe(message);
  });

  it("bzip2 - any input gives bytes or an error, never a crash or a hang", () => {
    for (let i = 0; i < REPEATED_TEXT.length; i += 13) {
      const broken = REPEATED_TEXT.slice();
      broken[i] = (broken[i] as number) ^ 0x24;
      expect(typeof outcome(() => bzip2Decompress(broken))).toBe("string");
      expect(outcome(() => bzip2Decompress(REPEATED_TEXT.subarray(0, i)))).toBe("unexpected EOF");
    }
  });
});
