import { createHash, createHmac } from "./node-builtins.js";
import { QueryError, typeError } from "./query-error.js";
import { utf8Encode, type Value } from "./value.js";

export function bytesOf(v: Value): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return utf8Encode(v);
  throw typeError(v, "string");
}

export function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

// ---------------------------------------------------------------------------------------------
// base64 (strict, like Go's decoders)

const B64_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function base64Decode(input: string, alphabet: string, padded: boolean): Uint8Array {
  // Go ignores \r and \n anywhere in the input.
  const s = input.replace(/[\r\n]/g, "");
  const fail = (i: number): never => {
    throw new QueryError("FAILED", `illegal base64 data at input byte ${i}`);
  };
  let dataLen = s.length;
  if (padded) {
    if (s.length % 4 !== 0) {
      // The reference decodes with Go's streaming decoder: the full quanta first, then a partial
      // one at the end is io.ErrUnexpectedEOF.
      const full = s.length - (s.length % 4);
      for (let i = 0; i < full; i++) if (!alphabet.includes(s[i] as string) && s[i] !== "=") fail(i);
      throw new QueryError("FAILED", "unexpected EOF");
    }
    while (dataLen > 0 && s[dataLen - 1] === "=" && s.length - dataLen < 2) dataLen--;
  }
  for (let i = 0; i < dataLen; i++) if (!alphabet.includes(s[i] as string)) fail(i);
  if (!padded && dataLen % 4 === 1) fail(dataLen);
  if (padded && dataLen % 4 === 1) fail(dataLen);
  const normal = s.slice(0, dataLen).replaceAll("-", "+").replaceAll("_", "/");
  return new Uint8Array(Buffer.from(normal, "base64"));
}

// ---------------------------------------------------------------------------------------------
// ascii85 (Go encoding/ascii85: no delimiters, `z` for zero groups)

function ascii85Encode(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 4) {
    const n = Math.min(4, b.length - i);
    let v = (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
    if (v === 0 && n === 4) {
      out += "z";
      continue;
    }
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode((v % 85) + 33));
      v = Math.floor(v / 85);
    }
    out += digits.slice(0, n + 1).join("");
  }
  return out;
}

function ascii85Decode(s: string): Uint8Array {
  const out: number[] = [];
  let group: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x0b) continue;
    if (c === 0x7a && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    if (c < 33 || c > 117) throw new QueryError("FAILED", `illegal ascii85 data at input byte ${i}`);
    group.push(c - 33);
    if (group.length === 5) {
      let v = 0;
      for (const d of group) v = v * 85 + d;
      if (v > 0xffffffff) throw new QueryError("FAILED", `illegal ascii85 data at input byte ${i}`);
      out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
      group = [];
    }
  }
  if (group.length > 0) {
    if (group.length === 1) throw new QueryError("FAILED", `illegal ascii85 data at input byte ${s.length}`);
    const n = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const d of group) v = v * 85 + d;
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, n - 1));
  }
  return new Uint8Array(out);
}

// ---------------------------------------------------------------------------------------------
// Z85 (ZeroMQ)

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

function z85Encode(b: Uint8Array): string {
  if (b.length % 4 !== 0)
    throw new QueryError("FAILED", "z85: invalid input length (multiple of 4 bytes only)");
  let out = "";
  for (let i = 0; i < b.length; i += 4) {
    let v =
      (((b[i] as number) << 24) |
        ((b[i + 1] as number) << 16) |
        ((b[i + 2] as number) << 8) |
        (b[i + 3] as number)) >>>
      0;
    const d: string[] = [];
    for (let k = 0; k < 5; k++) {
      d.unshift(Z85[v % 85] as string);
      v = Math.floor(v / 85);
    }
    out += d.join("");
  }
  return out;
}

function z85Decode(s: string): Uint8Array {
  if (s.length % 5 !== 0)
    throw new QueryError("FAILED", "z85: invalid input length (multiple of 5 bytes only)");
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 5) {
    let v = 0;
    for (let k = 0; k < 5; k++) {
      const d = Z85.indexOf(s[i + k] as string);
      if (d < 0) throw new QueryError("FAILED", `z85: illegal character at index ${i + k}`);
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new QueryError("FAILED", `z85: illegal data at index ${i}`);
    out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  return new Uint8Array(out);
}

// ---------------------------------------------------------------------------------------------

const SCHEMES = ["base64", "base64url", "base64rawurl", "hex", "ascii85", "z85"] as const;

export function checkScheme(scheme: string): void {
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new QueryError("INVALID_ARGUMENT", `unrecognized encoding type: ${scheme}`);
  }
}

export function encode(scheme: string, b: Uint8Array): string {
  switch (scheme) {
    case "base64":
      return buf(b).toString("base64");
    case "base64url":
      return buf(b).toString("base64").replaceAll("+", "-").replaceAll("/", "_");
    case "base64rawurl":
      return buf(b).toString("base64url");
    case "hex":
      return buf(b).toString("hex");
    case "ascii85":
      return ascii85Encode(b);
    case "z85":
      return z85Encode(b);
  }
  throw new QueryError("INVALID_ARGUMENT", `unrecognized encoding type: ${scheme}`);
}

export function decode(scheme: string, s: string): Uint8Array {
  switch (scheme) {
    case "base64":
      return base64Decode(s, B64_STD, true);
    case "base64url":
      return base64Decode(s, B64_URL, true);
    case "base64rawurl":
      return base64Decode(s, B64_URL, false);
    case "hex": {
      if (s.length % 2 === 1) {
        // Go's streaming decoder: a bad byte anywhere is reported first; otherwise the lone last
        // digit is io.ErrUnexpectedEOF.
        const bad = [...s].findIndex((c) => !/[0-9a-fA-F]/.test(c));
        if (bad >= 0)
          throw new QueryError(
            "FAILED",
            `encoding/hex: invalid byte: U+${s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(s[bad]).replaceAll('"', "'")}`,
          );
        throw new QueryError("FAILED", "unexpected EOF");
      }
      for (let i = 0; i < s.length; i++) {
        if (!/[0-9a-fA-F]/.test(s[i] as string)) {
          const c = s[i] as string;
          throw new QueryError(
            "FAILED",
            `encoding/hex: invalid byte: U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} '${c}'`,
          );
        }
      }
      return new Uint8Array(Buffer.from(s, "hex"));
    }
    case "ascii85":
      return ascii85Decode(s);
    case "z85":
      return z85Decode(s);
  }
  throw new QueryError("INVALID_ARGUMENT", `unrecognized encoding type: ${scheme}`);
}

// ---------------------------------------------------------------------------------------------
// hashes

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

export const CRC_POLYS: Record<string, number> = {
  IEEE: 0xedb88320,
  Castagnoli: 0x82f63b78,
  Koopman: 0xeb31d82e,
};
const crcTables = new Map<string, Uint32Array>();

function crc32(b: Uint8Array, polyName: string): Uint8Array {
  let table = crcTables.get(polyName);
  if (!table) {
    const poly = CRC_POLYS[polyName];
    if (poly === undefined)
      throw new QueryError("INVALID_ARGUMENT", `unsupported crc32 hash key ${polyName}`);
    table = crcTable(poly);
    crcTables.set(polyName, table);
  }
  let c = 0xffffffff;
  for (const x of b) c = (table[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  c = (c ^ 0xffffffff) >>> 0;
  return new Uint8Array([(c >>> 24) & 0xff, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]);
}

const M64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function round64(acc: bigint, input: bigint): bigint {
  acc = (acc + input * P2) & M64;
  acc = rotl(acc, 31n);
  return (acc * P1) & M64;
}

function mergeRound(acc: bigint, val: bigint): bigint {
  acc ^= round64(0n, val);
  return (acc * P1 + P4) & M64;
}

function readU64(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k] as number);
  return v;
}

function readU32(b: Uint8Array, i: number): bigint {
  return BigInt(
    ((b[i] as number) |
      ((b[i + 1] as number) << 8) |
      ((b[i + 2] as number) << 16) |
      ((b[i + 3] as number) << 24)) >>>
      0,
  );
}

/** xxHash64 with seed 0 (`github.com/cespare/xxhash`). */
export function xxhash64(b: Uint8Array): bigint {
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & M64;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & M64;
    for (; i + 32 <= n; i += 32) {
      v1 = round64(v1, readU64(b, i));
      v2 = round64(v2, readU64(b, i + 8));
      v3 = round64(v3, readU64(b, i + 16));
      v4 = round64(v4, readU64(b, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & M64;
  for (; i + 8 <= n; i += 8) {
    h ^= round64(0n, readU64(b, i));
    h = (rotl(h, 27n) * P1 + P4) & M64;
  }
  for (; i + 4 <= n; i += 4) {
    h ^= (readU32(b, i) * P1) & M64;
    h = (rotl(h, 23n) * P2 + P3) & M64;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i] as number) * P5) & M64;
    h = (rotl(h, 11n) * P1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  h ^= h >> 32n;
  return h;
}

/** FNV-1 32-bit (`hash/fnv.New32`). */
export function fnv32(b: Uint8Array): number {
  let h = 2166136261;
  for (const x of b) h = (Math.imul(h, 16777619) ^ x) >>> 0;
  return h >>> 0;
}

export const NODE_HASH: Record<string, string> = {
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha512: "sha512",
  sha3_256: "sha3-256",
  sha3_512: "sha3-512",
};

export function hash(alg: string, b: Uint8Array, key: string | undefined, poly: string): Uint8Array {
  const direct = NODE_HASH[alg];
  if (direct) return new Uint8Array(createHash(direct).update(b).digest());
  switch (alg) {
    case "hmac_sha1":
    case "hmac_sha256":
    case "hmac_sha512": {
      if (key === undefined) throw new QueryError("INVALID_ARGUMENT", `missing key for ${alg} algorithm`);
      return new Uint8Array(createHmac(alg.slice(5), key).update(b).digest());
    }
    case "crc32":
      return crc32(b, poly);
    case "xxhash64":
      return utf8Encode(xxhash64(b).toString());
    case "fnv32":
      return utf8Encode(String(fnv32(b)));
  }
  throw new QueryError("INVALID_ARGUMENT", `unrecognized hash type: ${alg}`);
}
