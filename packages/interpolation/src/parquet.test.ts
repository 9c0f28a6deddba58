import { ByteWriter, parquetWrite, parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { msg, q, qError, queryErrorText } from "../test/helpers.js";
import { lz4BlockDecompress, parseParquet } from "./parquet.js";
import { toJSON, utf8Encode } from "./value.js";

// Parquet files are written at test time with hyparquet-writer (a devDependency); the expected
// values are the ones parquet-go v0.29.0's GenericReader[any] assigns (see src/parquet.ts).

type WriteOptions = Parameters<typeof parquetWriteBuffer>[0];

const file = (options: WriteOptions) => new Uint8Array(parquetWriteBuffer(options));
const rows = (b: Uint8Array) => toJSON(parseParquet(b));
const parsed = (b: Uint8Array, query = "content().parse_parquet()") => q(query, msg(b));
const zlib = process.getBuiltinModule("node:zlib");

const errorOf = (b: Uint8Array) => queryErrorText(() => parseParquet(b));

describe("parquet - parse_parquet", () => {
  it("parse_parquet - the reference's test file: strings and plain byte arrays both read as strings", () => {
    const b = file({
      columnData: [
        { name: "ID", data: [1n, 2n, 3n, 4n], type: "INT64" },
        { name: "A", data: [11n, 12n, 13n, 14n], type: "INT64" },
        { name: "D", data: ["first", "second", "third", "fourth"], type: "STRING" },
        { name: "E", data: ["first", "second", "third", "fourth"].map(utf8Encode), type: "BYTE_ARRAY" },
      ],
    });
    expect(parsed(b, "content().parse_parquet(byte_array_as_string: true)")).toBe(
      '[{"A":11,"D":"first","E":"first","ID":1},{"A":12,"D":"second","E":"second","ID":2},' +
        '{"A":13,"D":"third","E":"third","ID":3},{"A":14,"D":"fourth","E":"fourth","ID":4}]',
    );
    expect(parsed(b, 'content().parse_parquet().map_each(r -> r.D + r.E).join(",")')).toBe(
      "firstfirst,secondsecond,thirdthird,fourthfourth",
    );
  });

  it("parse_parquet - scalar types, nulls, and the Go types parquet-go gives them", () => {
    const b = file({
      columnData: [
        { name: "b", data: [true, null], type: "BOOLEAN" },
        { name: "i", data: [-7, 2147483647], type: "INT32" },
        { name: "f", data: [1.1, null], type: "FLOAT" },
        { name: "d", data: [0.1, 1e21], type: "DOUBLE" },
        { name: "t", data: [new Date(1700000000123), null], type: "TIMESTAMP" },
        { name: "j", data: [{ a: 1, b: [true, null] }, "x"], type: "JSON" },
        { name: "u", data: [new Uint8Array(16).fill(0xab), null], type: "UUID" },
      ],
    });
    expect(rows(b)).toBe(
      '[{"b":true,"d":0.1,"f":1.1,"i":-7,"j":{"a":1,"b":[true,null]},"t":1700000000123,"u":"q6urq6urq6urq6urq6urqw=="},' +
        '{"b":null,"d":1e+21,"f":null,"i":2147483647,"j":"x","t":null,"u":null}]',
    );
    expect(parsed(b, "content().parse_parquet().index(0).u.type()")).toBe("bytes");
    expect(parsed(b, "content().parse_parquet().index(0).j.a.type()")).toBe("number");
  });

  it("parse_parquet - logical types: decimals, dates, unsigned integers, microsecond timestamps", () => {
    const b = file({
      columnData: [
        { name: "d32", data: [123.45, -0.05] },
        { name: "d64", data: [123456.789, -0.001] },
        { name: "dfx", data: [1234.5, -0.5] },
        { name: "dbig", data: [12345678, 0] },
        { name: "dt", data: [new Date(19000 * 86400000), new Date(86400000)] },
        { name: "u", data: [4294967295, 1] },
        { name: "ts", data: [new Date(1700000000000), new Date(1)] },
      ],
      schema: [
        { name: "root", num_children: 7 },
        {
          name: "d32",
          type: "INT32",
          converted_type: "DECIMAL",
          scale: 2,
          precision: 9,
          repetition_type: "REQUIRED",
        },
        {
          name: "d64",
          type: "INT64",
          converted_type: "DECIMAL",
          scale: 3,
          precision: 18,
          repetition_type: "REQUIRED",
        },
        {
          name: "dfx",
          type: "FIXED_LEN_BYTE_ARRAY",
          type_length: 2,
          converted_type: "DECIMAL",
          scale: 1,
          precision: 4,
          repetition_type: "REQUIRED",
        },
        {
          name: "dbig",
          type: "FIXED_LEN_BYTE_ARRAY",
          type_length: 4,
          converted_type: "DECIMAL",
          scale: 0,
          precision: 9,
          repetition_type: "REQUIRED",
        },
        { name: "dt", type: "INT32", converted_type: "DATE", repetition_type: "REQUIRED" },
        { name: "u", type: "INT32", converted_type: "UINT_32", repetition_type: "REQUIRED" },
        {
          name: "ts",
          type: "INT64",
          logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
          repetition_type: "REQUIRED",
        },
      ],
    });
    // float32 and float64 quotients; a *big.Float's text for byte-array decimals; raw numbers for
    // dates and timestamps.
    expect(rows(b)).toBe(
      '[{"d32":123.45,"d64":123456.789,"dbig":"1.2345678e+07","dfx":"1234.5","dt":19000,"ts":1700000000000000,"u":4294967295},' +
        '{"d32":-0.05,"d64":-0.001,"dbig":"0","dfx":"-0.5","dt":1,"ts":1000,"u":1}]',
    );
  });

  it("parse_parquet - lists, structs and maps (map values keep their physical form)", () => {
    const b = file({
      columnData: [
        { name: "l", data: [["a", null, "b"], []] },
        {
          name: "s",
          data: [
            { n: 1, w: "x" },
            { n: 2, w: "y" },
          ],
        },
        { name: "m", data: [{ k1: "v1" }, null] },
      ],
      schema: [
        { name: "root", num_children: 3 },
        { name: "l", converted_type: "LIST", repetition_type: "OPTIONAL", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        { name: "s", repetition_type: "REQUIRED", num_children: 2 },
        { name: "n", type: "INT32", repetition_type: "REQUIRED" },
        { name: "w", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
        { name: "m", converted_type: "MAP", repetition_type: "OPTIONAL", num_children: 1 },
        { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
        { name: "key", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
        { name: "value", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      ],
    });
    expect(rows(b)).toBe(
      '[{"l":["a",null,"b"],"m":{"k1":"djE="},"s":{"n":1,"w":"x"}},{"l":[],"m":null,"s":{"n":2,"w":"y"}}]',
    );
  });

  it("parse_parquet - every row group, in order", () => {
    const b = file({ columnData: [{ name: "x", data: [1, 2, 3, 4, 5], type: "INT32" }], rowGroupSize: 2 });
    expect(parsed(b, 'content().parse_parquet().map_each(r -> r.x.string()).join(",")')).toBe("1,2,3,4,5");
  });

  it("parse_parquet - snappy, gzip, brotli, lz4 and uncompressed pages", () => {
    // A valid LZ4 block of literals only, enough to exercise the LZ4_RAW path end to end.
    const lz4Literals = (input: Uint8Array) => {
      const out = [Math.min(input.length, 15) << 4];
      if (input.length >= 15) {
        let n = input.length - 15;
        for (; n >= 255; n -= 255) out.push(255);
        out.push(n);
      }
      return Uint8Array.of(...out, ...input);
    };
    const compressors = {
      GZIP: (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b)),
      BROTLI: (b: Uint8Array) => new Uint8Array(zlib.brotliCompressSync(b)),
      LZ4_RAW: lz4Literals,
    };
    const data = Array.from({ length: 50 }, (_, i) => `row ${i % 7}`);
    for (const codec of ["SNAPPY", "GZIP", "BROTLI", "LZ4_RAW", "UNCOMPRESSED"] as const) {
      const writer = new ByteWriter();
      parquetWrite({ writer, columnData: [{ name: "s", data, type: "STRING" }], codec, compressors });
      const b = new Uint8Array(writer.getBuffer());
      expect(parsed(b, 'content().parse_parquet().map_each(r -> r.s).join("|")'), codec).toBe(data.join("|"));
    }
  });

  it("parse_parquet - reads a string as its bytes, and refuses other types", () => {
    expect(qError('"PAR1".parse_parquet()').message).toBe(
      "parquet read panic: reading magic footer of parquet file: bytes.Reader.ReadAt: negative offset (read: 0)",
    );
    expect(qError("5.parse_parquet()").message).toBe("expected string value, got number (5)");
  });

  it("parse_parquet - a file that is not parquet fails with parquet-go's text", () => {
    expect(errorOf(utf8Encode("hello world lol"))).toBe(
      'parquet read panic: invalid magic header of parquet file: "hell"',
    );
    expect(errorOf(new Uint8Array(0))).toBe("parquet read panic: reading magic header of parquet file: EOF");
    expect(errorOf(utf8Encode("PAR1 and then nothing"))).toBe(
      'parquet read panic: invalid magic footer of parquet file: "hing"',
    );
    const bytes = (...parts: (string | number[])[]) =>
      Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...utf8Encode(p)] : p)));
    expect(errorOf(bytes("PAR1", [0xff, 0xff, 0xff, 0x7f], "PAR1"))).toBe(
      "parquet read panic: reading footer of parquet file: bytes.Reader.ReadAt: negative offset",
    );
    expect(errorOf(bytes("PAR1garbage!", [4, 0, 0, 0], "PAR1"))).toMatch(
      /^parquet read panic: reading parquet file metadata: /,
    );
  });

  it("parse_parquet - invalid JSON in a JSON column fails with the column's name", () => {
    const b = file({
      columnData: [{ name: "j", data: [utf8Encode("{nope")] }],
      schema: [
        { name: "root", num_children: 1 },
        // The logical type alone, so that the writer keeps the bytes as they are.
        { name: "j", type: "BYTE_ARRAY", logical_type: { type: "JSON" }, repetition_type: "REQUIRED" },
      ],
    });
    expect(errorOf(b)).toBe("j → invalid character 'n' looking for beginning of object key string");
  });
});

describe("parquet - lz4", () => {
  it("lz4 - literals and back references, overlapping ones included", () => {
    // "abc" then a match of 9 at offset 3 (token 0x35: 3 literals, match length 5 + 4).
    const block = Uint8Array.of(0x35, 0x61, 0x62, 0x63, 0x03, 0x00, 0x10, 0x21);
    expect(new TextDecoder().decode(lz4BlockDecompress(block, 13))).toBe("abcabcabcabc!");
  });

  it("lz4 - a reference before the start of the output is an error, not a read out of bounds", () => {
    expect(() => lz4BlockDecompress(Uint8Array.of(0x10, 0x61, 0x05, 0x00, 0x00), 10)).toThrow(
      "lz4: corrupt input",
    );
  });
});
