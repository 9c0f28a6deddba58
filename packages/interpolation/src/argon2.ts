import { goBase64Decode, STD_ALPHABET } from "./gobase64.js";
import { createRequire } from "./node-builtins.js";
import { QueryError } from "./query-error.js";
import { utf8Encode } from "./value.js";

// Redpanda Connect's `compare_argon2` (internal/impl/crypto/argon2.go): the hash string is read
// with `fmt.Sscanf`, whose acceptance and error texts are reproduced here, and the key is derived
// with @noble/hashes, loaded on first use.

type Noble = typeof import("@noble/hashes/argon2.js");
let noble: Noble | undefined;

function argon2(): Noble {
  noble ??= createRequire(import.meta.url)("@noble/hashes/argon2.js") as Noble;
  return noble;
}

const INVALID = "invalid argon2 hash";

/** A `fmt.Sscanf` failure, with Go's text. */
class ScanError {
  constructor(readonly message: string) {}
}

// Go's fmt `isSpace` table.
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** The parts of `fmt.Sscanf` that the two formats of argon2.go use. */
class Scanner {
  private pos = 0;
  private readonly runes: string[];

  constructor(input: string) {
    this.runes = [...input];
  }

  /** A literal byte of the format (`advance`). */
  literal(c: string): void {
    const r = this.runes[this.pos];
    if (r === undefined) throw new ScanError("unexpected EOF");
    if (r !== c) throw new ScanError("input does not match format");
    this.pos++;
  }

  /** `SkipSpace` as `Sscanf` runs it: a newline is not a space there. */
  private skipSpace(): void {
    for (;;) {
      const r = this.runes[this.pos];
      if (r === undefined) return;
      if (r === "\r" && this.runes[this.pos + 1] === "\n") {
        this.pos++;
        continue;
      }
      if (r === "\n") throw new ScanError("unexpected newline");
      if (!SPACE.test(r)) return;
      this.pos++;
    }
  }

  /** `%s`, or `%1s` with `width` 1: a run of non-space runes. */
  word(width = Number.POSITIVE_INFINITY): string {
    this.skipSpace();
    if (this.pos >= this.runes.length) throw new ScanError("EOF");
    let out = "";
    for (let n = 0; n < width; n++) {
      const r = this.runes[this.pos];
      if (r === undefined || SPACE.test(r)) break;
      out += r;
      this.pos++;
    }
    return out;
  }

  /** `%d` into an unsigned integer of `bits` bits (`scanUint`). */
  uint(bits: number): number {
    this.skipSpace();
    if (this.pos >= this.runes.length) throw new ScanError("EOF");
    let tok = "";
    while (/^[0-9]$/.test(this.runes[this.pos] ?? "")) tok += this.runes[this.pos++];
    if (tok === "") throw new ScanError("expected integer");
    const v = BigInt(tok);
    if (v >= 2n ** 64n) throw new ScanError(`strconv.ParseUint: parsing "${tok}": value out of range`);
    if (v >= 2n ** BigInt(bits)) throw new ScanError(`unsigned integer overflow on token ${tok}`);
    return Number(v);
  }
}

function scan<T>(what: string, input: string, read: (s: Scanner) => T): T {
  try {
    return read(new Scanner(input));
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    // multierr.Combine(fmt.Errorf("%w: parsing …", errInvalidArgon2Hash), err)
    throw new QueryError("FAILED", `${INVALID}: parsing ${what}; ${e.message}`);
  }
}

function decodeBase64(what: string, text: string): Uint8Array {
  try {
    return goBase64Decode(utf8Encode(text), STD_ALPHABET, false);
  } catch (e) {
    throw new QueryError("FAILED", `${INVALID}: parsing base64 ${what}; ${(e as QueryError).message}`);
  }
}

interface Argon2Hash {
  readonly id: boolean;
  readonly memory: number;
  readonly iterations: number;
  readonly parallelism: number;
  readonly salt: Uint8Array;
  readonly key: Uint8Array;
}

/** `decodeArgon2Hash`: `$argon2id$v=19$m=4096,t=3,p=1$<salt>$<key>`, base64 without padding. */
function decodeArgon2Hash(hashed: string): Argon2Hash {
  const parts = hashed.split("$");
  if (parts.length !== 6) throw new QueryError("FAILED", INVALID);
  const [, format, version, params, salt, key] = parts as [string, string, string, string, string, string];
  if (format !== "argon2i" && format !== "argon2id")
    throw new QueryError("FAILED", `${INVALID}: unrecognised argon2 format`);
  // The version is read but not used: every hash is computed as version 0x13.
  scan("version", version, (s) => {
    s.literal("v");
    s.literal("=");
    s.word();
  });
  // The `$` appended to the segment must be all that is left after the parameters.
  const p = scan("parameters", `${params}$`, (s) => {
    s.literal("m");
    s.literal("=");
    const memory = s.uint(32);
    s.literal(",");
    s.literal("t");
    s.literal("=");
    const iterations = s.uint(32);
    s.literal(",");
    s.literal("p");
    s.literal("=");
    const parallelism = s.uint(8);
    return { memory, iterations, parallelism, rest: s.word(1) };
  });
  if (p.rest !== "$") throw new QueryError("FAILED", `${INVALID}: excess characters in parameters segment`);
  return { id: format === "argon2id", ...p, salt: decodeBase64("salt", salt), key: decodeBase64("key", key) };
}

/**
 * `compare_argon2`: whether `input` hashes to the key in `hashed`. An empty input is `false`
 * before the hash is read; a malformed hash is a {@link QueryError} with the reference's text.
 */
export function compareArgon2(hashed: string, input: Uint8Array): boolean {
  if (input.length === 0) return false;
  const h = decodeArgon2Hash(hashed);
  // Go's argon2 panics on these; a panic is no answer, so they are errors with its text.
  if (h.iterations < 1) throw new QueryError("FAILED", "argon2: number of rounds too small");
  if (h.parallelism < 1) throw new QueryError("FAILED", "argon2: parallelism degree too low");
  const lib = argon2();
  let derived: Uint8Array;
  try {
    derived = (h.id ? lib.argon2id : lib.argon2i)(input, h.salt, {
      t: h.iterations,
      m: h.memory,
      p: h.parallelism,
      dkLen: h.key.length,
      version: 0x13,
    });
  } catch (e) {
    // RFC 9106's lower bounds (salt of 8 bytes, key of 4, 8 KiB of memory per lane), which Go
    // does not check, and a 1 GiB memory ceiling.
    throw new QueryError("FAILED", `argon2: ${(e as Error).message}`);
  }
  if (derived.length !== h.key.length) return false;
  let diff = 0;
  for (let i = 0; i < derived.length; i++) diff |= (derived[i] as number) ^ (h.key[i] as number);
  return diff === 0;
}
