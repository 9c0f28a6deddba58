import { buf, bytesOf, CRC_POLYS, checkScheme, decode, encode, hash, NODE_HASH } from "../encoding.js";
import type { Args } from "../params.js";
import { QueryError } from "../query-error.js";
import { inCategory, type MethodImpl, simpleMethod } from "../registry.js";

/** Encoding, decoding and hashing: `encode`, `decode`, `hash`. */
export function encodingMethods(): MethodImpl[] {
  return inCategory("Encoding and Encryption", [
    simpleMethod("encode", { params: [{ name: "scheme", type: "string" }] }, (args: Args) => {
      const scheme = args.str("scheme");
      checkScheme(scheme);
      return (v) => encode(scheme, bytesOf(v));
    }),
    simpleMethod("decode", { params: [{ name: "scheme", type: "string" }] }, (args: Args) => {
      const scheme = args.str("scheme");
      checkScheme(scheme);
      return (v) => {
        return decode(scheme, buf(bytesOf(v)).toString("latin1"));
      };
    }),
    simpleMethod(
      "hash",
      {
        params: [
          { name: "algorithm", type: "string" },
          { name: "key", type: "string", optional: true },
          { name: "polynomial", type: "string", default: "IEEE" },
        ],
      },
      (args: Args) => {
        const alg = args.str("algorithm");
        const key = args.optStr("key");
        const poly = args.str("polynomial");
        if (
          !NODE_HASH[alg] &&
          !["hmac_sha1", "hmac_sha256", "hmac_sha512", "crc32", "xxhash64", "fnv32"].includes(alg)
        ) {
          throw new QueryError("INVALID_ARGUMENT", `unrecognized hash type: ${alg}`);
        }
        if (alg.startsWith("hmac_") && key === undefined) {
          throw new QueryError("INVALID_ARGUMENT", `missing key for ${alg} algorithm`);
        }
        if (alg === "crc32" && CRC_POLYS[poly] === undefined) {
          throw new QueryError("INVALID_ARGUMENT", `unsupported crc32 hash key ${poly}`);
        }
        return (v) => hash(alg, bytesOf(v), key, poly);
      },
    ),
  ]);
}
