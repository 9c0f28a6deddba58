import { QueryError } from "./query-error.js";

type Zlib = typeof import("node:zlib");
let zlib: Zlib | undefined;
// Taken on first use: most environments never compress, and node:zlib costs import time.
const z = (): Zlib => {
  zlib ??= process.getBuiltinModule("node:zlib");
  return zlib;
};

const NEEDS_LIBRARY = (alg: string) =>
  new QueryError(
    "INVALID_ARGUMENT",
    `compression algorithm '${alg}' is not supported in natskit: it needs a ${alg} codec that Node.js does not ship`,
  );

type Codec = {
  compress?: (b: Uint8Array, level: number) => Uint8Array;
  decompress?: (b: Uint8Array) => Uint8Array;
};

const CODECS: Record<string, () => Codec> = {
  flate: () => ({
    compress: (b, level) => z().deflateRawSync(b, { level }),
    decompress: (b) => wrapErr("flate", () => z().inflateRawSync(b)),
  }),
  gzip: () => ({
    compress: (b, level) => z().gzipSync(b, { level }),
    decompress: (b) => wrapErr("gzip", () => z().gunzipSync(b)),
  }),
  zlib: () => ({
    compress: (b, level) => z().deflateSync(b, { level }),
    decompress: (b) => wrapErr("zlib", () => z().inflateSync(b)),
  }),
  zstd: () => {
    const lib = z() as Zlib & {
      zstdCompressSync?: (b: Uint8Array, o?: object) => Uint8Array;
      zstdDecompressSync?: (b: Uint8Array) => Uint8Array;
    };
    const { zstdCompressSync, zstdDecompressSync } = lib;
    if (zstdCompressSync === undefined || zstdDecompressSync === undefined)
      throw new QueryError(
        "INVALID_ARGUMENT",
        "compression algorithm 'zstd' needs Node.js 22.15 or later (zlib zstd support)",
      );
    return {
      compress: (b, level) =>
        zstdCompressSync(
          b,
          level < 0
            ? {}
            : {
                params: {
                  [(lib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel as number]:
                    level,
                },
              },
        ),
      decompress: (b) => wrapErr("zstd", () => zstdDecompressSync(b)),
    };
  },
};
CODECS.pgzip = CODECS.gzip as () => Codec;

function wrapErr(alg: string, fn: () => Uint8Array): Uint8Array {
  try {
    return fn();
  } catch (e) {
    const msg = (e as Error).message;
    if (/incorrect header check|unknown compression method/.test(msg))
      throw new QueryError("FAILED", `${alg}: invalid header`);
    if (/unexpected end of file/.test(msg)) throw new QueryError("FAILED", "unexpected EOF");
    throw new QueryError("FAILED", `${alg}: ${msg}`);
  }
}

/** The reference's `strToCompressFunc`: unknown names fail when the mapping is compiled. */
export function compressor(alg: string, level: number): (b: Uint8Array) => Uint8Array {
  const codec = CODECS[alg];
  if (codec === undefined) {
    if (alg === "lz4" || alg === "snappy") throw NEEDS_LIBRARY(alg);
    throw new QueryError("INVALID_ARGUMENT", `compression type not recognised: ${alg}`);
  }
  const c = codec().compress as NonNullable<Codec["compress"]>;
  return (b) => {
    try {
      return c(b, level);
    } catch (e) {
      throw new QueryError("FAILED", (e as Error).message);
    }
  };
}

export function decompressor(alg: string): (b: Uint8Array) => Uint8Array {
  const codec = CODECS[alg];
  if (codec === undefined) {
    if (alg === "lz4" || alg === "snappy" || alg === "bzip2") throw NEEDS_LIBRARY(alg);
    throw new QueryError("INVALID_ARGUMENT", `decompression type not recognised: ${alg}`);
  }
  return codec().decompress as NonNullable<Codec["decompress"]>;
}
