import { InvalidKeyError } from "./errors.js";

/** How caller keys become NATS KV keys. */
export type KeyCodecName = "none" | "base64url";

/**
 * Longest stored key, in characters after encoding. The key is part of the subject of every
 * request, and a protocol line over the server's `max_control_line` (4 KiB by default) makes
 * the server drop the whole connection, failing every operation in flight.
 */
export const MAX_ENCODED_KEY_LENGTH = 2048;

const VALID = /^[-/_=.a-zA-Z0-9]+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const KEY_RULES =
  "keys may contain only [-/_=.a-zA-Z0-9], must not start or end with '.', and must not contain '..'";

/** Turns a caller's key into the stored key, or throws {@link InvalidKeyError}. */
export interface KeyCodec {
  readonly name: KeyCodecName;
  encode(key: string): string;
  /** The caller's key for a stored key (watch events); `undefined` if it cannot be one of ours. */
  decode(stored: string): string | undefined;
}

function checkType(key: unknown): asserts key is string {
  if (typeof key !== "string") throw new InvalidKeyError(String(key), `expected a string, got ${typeof key}`);
}

function checkLength(key: string, encoded: string): void {
  if (encoded.length > MAX_ENCODED_KEY_LENGTH) {
    throw new InvalidKeyError(
      key,
      `too long: ${encoded.length} characters stored, at most ${MAX_ENCODED_KEY_LENGTH} are allowed`,
    );
  }
}

/**
 * Keys are stored as they are. The client misses some invalid keys (`a..b` reaches the server
 * and fails with a misleading "jetstream is not enabled"; `*` and `>` are wildcards that
 * `delete` would apply to every key), so every key is checked here first.
 */
export const plainKeys: KeyCodec = {
  name: "none",
  encode(key) {
    checkType(key);
    if (key === "") throw new InvalidKeyError(key, "must not be empty");
    if (!VALID.test(key) || key.startsWith(".") || key.endsWith(".") || key.includes("..")) {
      throw new InvalidKeyError(key, `${KEY_RULES} (set key_codec: base64url to use any string as a key)`);
    }
    checkLength(key, key);
    return key;
  },
  decode(stored) {
    return stored;
  },
};

/**
 * Any non-empty string is a key: its UTF-8 bytes are stored as unpadded base64url, which only
 * uses valid key characters and has no dots. Keys written this way are not readable by
 * clients that do not encode the same way.
 */
export const base64urlKeys: KeyCodec = {
  name: "base64url",
  encode(key) {
    checkType(key);
    if (key === "") throw new InvalidKeyError(key, "must not be empty");
    if (LONE_SURROGATE.test(key))
      throw new InvalidKeyError(key, "contains a lone surrogate (not valid unicode)");
    const encoded = Buffer.from(key, "utf8").toString("base64url");
    checkLength(key, encoded);
    return encoded;
  },
  decode(stored) {
    if (!/^[-_a-zA-Z0-9]+$/.test(stored)) return undefined;
    const key = Buffer.from(stored, "base64url").toString("utf8");
    // Only the canonical encoding of a key maps back; anything else was not written by us.
    return Buffer.from(key, "utf8").toString("base64url") === stored ? key : undefined;
  },
};

export function keyCodec(name: KeyCodecName): KeyCodec {
  return name === "base64url" ? base64urlKeys : plainKeys;
}
