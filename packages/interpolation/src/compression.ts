import { bzip2Decompress } from "./bzip2.js";
import { lz4Compress, lz4Decompress } from "./lz4.js";
import { QueryError } from "./query-error.js";
import { snappyDecode, snappyEncode } from "./snappy.js";

type Zlib = typeof import("node:zlib");
let zlib: Zlib | undefined;
// Taken on first use: most environments never compress, and node:zlib costs import time.
const z = (): Zlib => {
  zlib ??= process.getBuiltinModule("node:zlib");
  return zlib;
};

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
// Ported from the reference's Go codecs, byte for byte (see each file). Go has no bzip2
// compressor, so the reference's `compress("bzip2")` is an unknown algorithm, as here.
CODECS.lz4 = () => ({ compress: lz4Compress, decompress: lz4Decompress });
CODECS.snappy = () => ({ compress: snappyEncode, decompress: snappyDecode });
CODECS.bzip2 = () => ({ decompress: bzip2Decompress });

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
  const c = CODECS[alg]?.().compress;
  if (c === undefined) throw new QueryError("INVALID_ARGUMENT", `compression type not recognised: ${alg}`);
  return (b) => failing(() => c(b, level));
}

/** `strToDecompressFunc`: bzip2 decompresses only, as in Go. */
export function decompressor(alg: string): (b: Uint8Array) => Uint8Array {
  const d = CODECS[alg]?.().decompress;
  if (d === undefined) throw new QueryError("INVALID_ARGUMENT", `decompression type not recognised: ${alg}`);
  return (b) => failing(() => d(b));
}

/** A codec's own failure (an allocation past the platform's limit, say) as an evaluation error. */
function failing(fn: () => Uint8Array): Uint8Array {
  try {
    return fn();
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw new QueryError("FAILED", (e as Error).message);
  }
}
