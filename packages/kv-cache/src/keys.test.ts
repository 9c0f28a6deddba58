import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidKeyError } from "./errors.js";
import { base64urlKeys, MAX_ENCODED_KEY_LENGTH, plainKeys } from "./keys.js";

const fails = (f: () => unknown): InvalidKeyError => {
  try {
    f();
  } catch (e) {
    if (InvalidKeyError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected InvalidKeyError");
};

describe("kv-cache keys", () => {
  it("kv-cache - plain keys reject what the client lets through (a..b, wildcards)", () => {
    for (const k of ["a..b", "*", ">", "a.*", "a.>"]) {
      const e = fails(() => plainKeys.encode(k));
      expect(e.message).toContain("[-/_=.a-zA-Z0-9]");
      expect(e.key).toBe(k);
    }
    expect(fails(() => plainKeys.encode("")).message).toBe("invalid key '': must not be empty");
    expect(fails(() => plainKeys.encode("a b")).message).toBe(
      "invalid key 'a b': keys may contain only [-/_=.a-zA-Z0-9], must not start or end with '.', and must not contain '..' (set key_codec: base64url to use any string as a key)",
    );
    expect(fails(() => plainKeys.encode(5 as unknown as string)).message).toContain("expected a string");
  });

  it("kv-cache - plain keys accept the valid alphabet unchanged", () => {
    for (const k of ["a", "a.b", "a/b", "a=b", "A-Z_0-9", "x.y.z"]) expect(plainKeys.encode(k)).toBe(k);
  });

  it("kv-cache - keys longer than the stored limit are rejected with the limit named", () => {
    expect(plainKeys.encode("k".repeat(MAX_ENCODED_KEY_LENGTH))).toHaveLength(MAX_ENCODED_KEY_LENGTH);
    expect(fails(() => plainKeys.encode("k".repeat(MAX_ENCODED_KEY_LENGTH + 1))).message).toContain(
      `at most ${MAX_ENCODED_KEY_LENGTH}`,
    );
    // base64url grows keys by 4/3: the limit applies to what is stored.
    expect(fails(() => base64urlKeys.encode("k".repeat(1600))).message).toContain("2134 characters stored");
  });

  it("kv-cache - plain key validation never throws anything but InvalidKeyError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (k) => {
        try {
          const out = plainKeys.encode(k);
          expect(out).toBe(k);
          expect(out).toMatch(/^[-/_=.a-zA-Z0-9]+$/);
          expect(out.includes("..") || out.startsWith(".") || out.endsWith(".")).toBe(false);
        } catch (e) {
          expect(InvalidKeyError.isInstance(e)).toBe(true);
        }
      }),
    );
  });

  it("kv-cache - base64url keys: any non-empty string round-trips to a valid plain key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }), (k) => {
        const stored = base64urlKeys.encode(k);
        expect(plainKeys.encode(stored)).toBe(stored);
        expect(base64urlKeys.decode(stored)).toBe(k);
      }),
    );
    expect(base64urlKeys.encode("https://x.io/a b?c")).toBe("aHR0cHM6Ly94LmlvL2EgYj9j");
  });

  it("kv-cache - base64url rejects empty keys and lone surrogates, and decodes only its own encoding", () => {
    expect(fails(() => base64urlKeys.encode("")).message).toContain("must not be empty");
    expect(fails(() => base64urlKeys.encode("a\uD800b")).message).toContain("lone surrogate");
    expect(base64urlKeys.decode("a.b")).toBeUndefined();
    expect(base64urlKeys.decode("YQ")).toBe("a");
    expect(base64urlKeys.decode("YR")).toBeUndefined(); // not canonical
  });
});
