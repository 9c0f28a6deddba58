import { aesCipher, uuidV5 } from "../aes.js";
import { compressor, decompressor } from "../compression.js";
import { buf, bytesOf, CRC_POLYS, checkScheme, decode, encode, hash, NODE_HASH } from "../encoding.js";
import type { Args } from "../params.js";
import { QueryError } from "../query-error.js";
import { inCategory, type MethodImpl, p, simpleMethod } from "../registry.js";

function aesMethod(direction: "encrypt" | "decrypt"): MethodImpl {
  return simpleMethod(
    `${direction}_aes`,
    p([
      { name: "scheme", type: "string" },
      { name: "key", type: "any" },
      { name: "iv", type: "any" },
    ]),
    (args) => {
      const fn = aesCipher(
        direction,
        args.str("scheme"),
        bytesOf(args.value("key")),
        bytesOf(args.value("iv")),
      );
      return (v) => fn(bytesOf(v));
    },
  );
}

/** Encoding, decoding and hashing: `encode`, `decode`, `hash`. */
export function encodingMethods(): MethodImpl[] {
  return inCategory("Encoding and Encryption", [
    simpleMethod(
      "compress",
      p([
        { name: "algorithm", type: "string" },
        { name: "level", type: "int", default: -1n },
      ]),
      (args) => {
        const fn = compressor(args.str("algorithm"), Number(args.int("level")));
        return (v) => fn(bytesOf(v));
      },
    ),
    simpleMethod("decompress", p([{ name: "algorithm", type: "string" }]), (args) => {
      const fn = decompressor(args.str("algorithm"));
      return (v) => fn(bytesOf(v));
    }),
    aesMethod("encrypt"),
    aesMethod("decrypt"),
    simpleMethod("uuid_v5", p([{ name: "ns", type: "string", optional: true }]), (args) => {
      const ns = args.optStr("ns");
      return (v) => (v === null ? null : uuidV5(ns, bytesOf(v)));
    }),
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
