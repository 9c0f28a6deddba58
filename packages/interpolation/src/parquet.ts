import type { DecodedArray, FileMetaData, SchemaElement, SchemaTree } from "hyparquet";
import { goQuote, shortestFloat32 } from "./gofmt.js";
import { numbersToFloat, parseJSONValue } from "./json.js";
import { lz4BlockDecompress as lz4Block } from "./lz4.js";
import { createRequire } from "./node-builtins.js";
import { QueryError } from "./query-error.js";
import { GoFloat, isObject, newObject, type Value } from "./value.js";

// Redpanda Connect's `parse_parquet` reads with parquet-go's `GenericReader[any]`: every row is
// an object of all the schema's fields, and each value is the Go value parquet-go assigns to an
// `any` (internal/impl/parquet/bloblang.go, parquet-go v0.29.0 `AssignValue`). Pages are decoded
// by hyparquet's synchronous parts (loaded on first use); logical types are applied here, with
// parquet-go's rules rather than hyparquet's.

interface Hyparquet {
  parquetMetadata: typeof import("hyparquet/src/metadata.js").parquetMetadata;
  parquetSchema: typeof import("hyparquet/src/metadata.js").parquetSchema;
  readColumn: typeof import("hyparquet/src/column.js").readColumn;
  assembleNested: typeof import("hyparquet/src/assemble.js").assembleNested;
  getTreePath: typeof import("hyparquet/src/schema.js").getTreePath;
  isMapLike: typeof import("hyparquet/src/schema.js").isMapLike;
  DEFAULT_PARSERS: typeof import("hyparquet/src/convert.js").DEFAULT_PARSERS;
}

type ColumnDecoder = Parameters<Hyparquet["readColumn"]>[2];

let hyparquet: Hyparquet | undefined;

/** hyparquet's decoding modules, required (not imported) on first use: only parquet needs them. */
function lib(): Hyparquet {
  if (hyparquet === undefined) {
    const req = createRequire(import.meta.url);
    hyparquet = {
      ...(req("hyparquet/src/metadata.js") as typeof import("hyparquet/src/metadata.js")),
      ...(req("hyparquet/src/column.js") as typeof import("hyparquet/src/column.js")),
      ...(req("hyparquet/src/assemble.js") as typeof import("hyparquet/src/assemble.js")),
      ...(req("hyparquet/src/schema.js") as typeof import("hyparquet/src/schema.js")),
      ...(req("hyparquet/src/convert.js") as typeof import("hyparquet/src/convert.js")),
    };
  }
  return hyparquet;
}

type Zlib = typeof import("node:zlib") & { zstdDecompressSync?: (b: Uint8Array) => Uint8Array };
let zlib: Zlib | undefined;
const z = (): Zlib => {
  zlib ??= process.getBuiltinModule("node:zlib") as Zlib;
  return zlib;
};

/** The codecs parquet-go reads besides snappy (which hyparquet has): gzip, brotli, zstd, lz4. */
const COMPRESSORS: NonNullable<ColumnDecoder["compressors"]> = {
  GZIP: (b) => z().gunzipSync(b),
  BROTLI: (b) => z().brotliDecompressSync(b),
  ZSTD: (b) => {
    const zstd = z().zstdDecompressSync;
    if (zstd === undefined)
      throw new Error("parquet zstd pages need Node.js 22.15 or later (zlib zstd support)");
    return zstd(b);
  },
  LZ4_RAW: (b, size) => lz4BlockDecompress(b, size),
};

/** An LZ4 block (the LZ4_RAW codec): literal runs and back references, no frame. */
export function lz4BlockDecompress(src: Uint8Array, size: number): Uint8Array {
  const out = lz4Block(src, size);
  if (out === undefined) throw new Error("lz4: corrupt input");
  return out;
}

// Not value.ts's decoder: a leading byte order mark is kept, as Go's string(bytes) keeps it.
const text = new TextDecoder("utf-8", { ignoreBOM: true });

function fail(message: string): QueryError {
  return new QueryError("FAILED", message);
}

/** Go's `%q` of bytes read as a string. */
function quoteBytes(b: Uint8Array): string {
  return goQuote(text.decode(b));
}

/** `parquet.OpenFile`'s checks of the magic bytes, panicking (and recovered) as parquet-go does. */
function checkFile(b: Uint8Array): void {
  if (b.length < 4) throw fail("parquet read panic: reading magic header of parquet file: EOF");
  if (text.decode(b.subarray(0, 4)) !== "PAR1")
    throw fail(`parquet read panic: invalid magic header of parquet file: ${quoteBytes(b.subarray(0, 4))}`);
  if (b.length < 8)
    throw fail(
      "parquet read panic: reading magic footer of parquet file: bytes.Reader.ReadAt: negative offset (read: 0)",
    );
  const footer = b.subarray(b.length - 4);
  if (text.decode(footer) !== "PAR1")
    throw fail(`parquet read panic: invalid magic footer of parquet file: ${quoteBytes(footer)}`);
  const size = new DataView(b.buffer, b.byteOffset + b.length - 8, 4).getUint32(0, true);
  if (size > b.length - 8)
    throw fail("parquet read panic: reading footer of parquet file: bytes.Reader.ReadAt: negative offset");
}

type Leaf = (v: unknown) => Value;

/** A two's complement big-endian integer. */
function signedBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return b.length > 0 && (b[0] as number) & 0x80 ? v - (1n << BigInt(b.length * 8)) : v;
}

/**
 * A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY decimal: parquet-go gives a `*big.Float`, which prints
 * (and marshals to JSON) as `Text('g', -1)`; here that text.
 */
function bigDecimal(b: Uint8Array, scale: number): string {
  const v = signedBytes(b);
  if (v === 0n) return "0";
  let digits = (v < 0n ? -v : v).toString();
  let exp = digits.length - 1 - scale;
  digits = digits.replace(/0+$/, "");
  const sign = v < 0n ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const a = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  exp += 1;
  return digits.length <= exp
    ? sign + digits + "0".repeat(exp - digits.length)
    : `${sign}${digits.slice(0, exp)}.${digits.slice(exp)}`;
}

function isUnsigned(el: SchemaElement): boolean {
  const c = el.converted_type;
  if (c === "UINT_8" || c === "UINT_16" || c === "UINT_32" || c === "UINT_64") return true;
  const l = el.logical_type as { type: string; isSigned?: boolean } | undefined;
  return l?.type === "INTEGER" && l.isSigned === false;
}

function decimalScale(el: SchemaElement): number | undefined {
  if (el.converted_type === "DECIMAL") return el.scale ?? 0;
  const l = el.logical_type;
  return l?.type === "DECIMAL" ? l.scale : undefined;
}

/** An INT96 is a Go `[3]uint32` (little-endian words), which marshals as three numbers. */
function int96Words(v: bigint): Value {
  return [BigInt.asUintN(32, v), BigInt.asUintN(32, v >> 32n), BigInt.asUintN(32, v >> 64n)];
}

/**
 * How parquet-go assigns a leaf value to an `any`: by physical type, except decimals (floats, or
 * big decimals as text), unsigned integers and JSON. Timestamps, dates and times stay numbers,
 * strings of any annotation become strings, and fixed-length values (UUIDs too) stay bytes.
 */
function logicalLeaf(el: SchemaElement, field: string): Leaf {
  const scale = decimalScale(el);
  switch (el.type) {
    case "BOOLEAN":
      return (v) => v as boolean;
    case "INT32":
      if (scale !== undefined) {
        const div = Math.fround(Number(`1e${scale}`));
        return (v) => new GoFloat(shortestFloat32(Math.fround(v as number) / div));
      }
      return isUnsigned(el) ? (v) => BigInt((v as number) >>> 0) : (v) => BigInt(v as number);
    case "INT64":
      if (scale !== undefined) {
        const div = Number(`1e${scale}`);
        return (v) => new GoFloat(Number(v as bigint) / div);
      }
      return isUnsigned(el) ? (v) => BigInt.asUintN(64, v as bigint) : (v) => v as bigint;
    case "INT96":
      return (v) => int96Words(v as bigint);
    case "FLOAT":
      return (v) => new GoFloat(shortestFloat32(v as number));
    case "DOUBLE":
      return (v) => new GoFloat(v as number);
    case "BYTE_ARRAY":
    case "FIXED_LEN_BYTE_ARRAY":
      if (scale !== undefined) return (v) => bigDecimal(v as Uint8Array, scale);
      if (el.converted_type === "JSON" || el.logical_type?.type === "JSON")
        return (v) => {
          const r = parseJSONValue(text.decode(v as Uint8Array));
          if (!r.ok) throw fail(`${field} → ${r.error}`);
          return numbersToFloat(r.value);
        };
      if (el.type === "BYTE_ARRAY") return (v) => text.decode(v as Uint8Array);
      return (v) => (v as Uint8Array).slice();
    default:
      return (v) => v as Value;
  }
}

/** The element without logical annotations, and without its physical type unless `withType`. */
function physical(el: SchemaElement, withType: boolean): SchemaElement {
  const out: SchemaElement = { name: el.name };
  if (withType && el.type !== undefined) out.type = el.type;
  if (el.type_length !== undefined) out.type_length = el.type_length;
  if (el.repetition_type !== undefined) out.repetition_type = el.repetition_type;
  return out;
}

/** Go's type name of a value read into a map key, for the conversion panic. */
function goKeyType(el: SchemaElement): string {
  switch (el.type) {
    case "BOOLEAN":
      return "bool";
    case "FLOAT":
      return "float32";
    case "DOUBLE":
      return "float64";
    case "INT96":
      return "deprecated.Int96";
    default:
      return `[${el.type_length ?? 0}]uint8`;
  }
}

/**
 * Inside a MAP parquet-go reads into Go types made from the physical types: keys convert to
 * strings (an integer as the character with that code, as Go's `string(rune)` does), values keep
 * their physical form (bytes for any BYTE_ARRAY).
 */
function mapLeaf(el: SchemaElement, isKey: boolean): Leaf {
  if (isKey) {
    switch (el.type) {
      case "BYTE_ARRAY":
        return (v) => text.decode(v as Uint8Array);
      case "INT32":
      case "INT64":
        return (v) => {
          const n = Number(v);
          return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff)
            ? String.fromCodePoint(n)
            : "\ufffd";
        };
      default:
        return () => {
          throw fail(
            `decoding panic: reflect.Value.Convert: value of type ${goKeyType(el)} cannot be converted to type string`,
          );
        };
    }
  }
  switch (el.type) {
    case "INT32":
      return (v) => BigInt(v as number);
    case "BYTE_ARRAY":
      return (v) => (v as Uint8Array).slice();
    case "FIXED_LEN_BYTE_ARRAY":
      return (v) => Array.from(v as Uint8Array, (x) => BigInt(x));
    default:
      return logicalLeaf(physical(el, true), "");
  }
}

/** Applies `leaf` to every value of a column, through the lists its repetition made. */
function convertColumn(chunks: DecodedArray[], leaf: Leaf): unknown[] {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    return x === null || x === undefined ? null : leaf(x);
  };
  const out: unknown[] = [];
  for (const chunk of chunks) for (let i = 0; i < chunk.length; i++) out.push(walk(chunk[i]));
  return out;
}

/** hyparquet's assembled objects (plain `{}`) as query values (no prototype), `undefined` as null. */
function toValue(x: unknown): Value {
  if (x === undefined || x === null) return null;
  if (Array.isArray(x)) return x.map(toValue);
  if (isObject(x as Value)) {
    const o = newObject();
    for (const k of Object.keys(x as object)) o[k] = toValue((x as Record<string, unknown>)[k]);
    return o;
  }
  return x as Value;
}

/** The schema tree without VARIANT annotations: parquet-go reads a variant as a plain group. */
function plainTree(t: SchemaTree): SchemaTree {
  const element =
    t.element.logical_type?.type === "VARIANT" ? { ...t.element, logical_type: undefined } : t.element;
  return { ...t, element: element as SchemaElement, children: t.children.map(plainTree) };
}

function columnStart(meta: { dictionary_page_offset?: bigint; data_page_offset: bigint }): number {
  const dict = meta.dictionary_page_offset;
  return Number(dict && dict < meta.data_page_offset ? dict : meta.data_page_offset);
}

function readRowGroups(b: Uint8Array, metadata: FileMetaData, out: Value[]): void {
  const h = lib();
  const tree = h.parquetSchema(metadata);
  const top = tree.children.map(plainTree);
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const columns = new Map<string, DecodedArray>();
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined) throw new Error("parquet column chunk has no metadata");
      const path = meta.path_in_schema;
      const schemaPath = h.getTreePath(tree, path);
      const el = (schemaPath[schemaPath.length - 1] as SchemaTree).element;
      const mapAt = schemaPath.findIndex((node) => h.isMapLike(node));
      // schemaPath is root, the map, its key_value group, then the key or value.
      const leaf =
        mapAt >= 0
          ? mapLeaf(el, schemaPath.length === mapAt + 3 && el.name === "key")
          : logicalLeaf(el, path.join(" → "));
      const start = columnStart(meta);
      const length = Number(meta.total_compressed_size);
      if (start + length > b.length) throw new Error("parquet column chunk extends past the end of the file");
      const decoder: ColumnDecoder = {
        pathInSchema: path,
        type: meta.type,
        // No annotations and no type (hyparquet converts INT96 by it): the conversions are
        // parquet-go's, in `leaf`.
        element: physical(el, false),
        schemaPath,
        codec: meta.codec,
        parsers: h.DEFAULT_PARSERS,
        compressors: COMPRESSORS,
        utf8: false,
      };
      const reader = { view: new DataView(b.buffer, b.byteOffset + start, length), offset: 0 };
      const { data } = h.readColumn(
        reader,
        { groupStart: 0, selectStart: 0, selectEnd: rows, groupRows: rows },
        decoder,
      );
      columns.set(path.join("."), convertColumn(data, leaf));
    }
    for (const child of top)
      if (child.children.length > 0) h.assembleNested(columns, child, h.DEFAULT_PARSERS);
    for (let i = 0; i < rows; i++) {
      const row = newObject();
      for (const child of top) row[child.element.name] = toValue(columns.get(child.element.name)?.[i]);
      out.push(row);
    }
  }
}

/**
 * `parse_parquet`: the rows of a parquet file, each an object of every column. Reading errors
 * carry parquet-go's text where the file's framing is wrong, hyparquet's inside pages.
 */
export function parseParquet(b: Uint8Array): Value[] {
  checkFile(b);
  let metadata: FileMetaData;
  try {
    metadata = lib().parquetMetadata(b);
  } catch (e) {
    throw fail(`parquet read panic: reading parquet file metadata: ${(e as Error).message}`);
  }
  const out: Value[] = [];
  try {
    readRowGroups(b, metadata, out);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw fail((e as Error).message);
  }
  return out;
}
