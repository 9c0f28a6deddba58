import { describe, expect, it } from "vitest";
import {
  BatchError,
  BucketNotFoundError,
  CacheClosedError,
  InvalidKeyError,
  KeyExistsError,
  KeyNotFoundError,
  KvCacheError,
  NatsServerError,
  OutcomeUnknownError,
  TimeoutError,
  TtlNotSupportedError,
  UnavailableError,
} from "./errors.js";

describe("kv-cache errors", () => {
  it("kv-cache - reference texts and stable codes", () => {
    const nf = new KeyNotFoundError("k");
    expect([nf.name, nf.code, nf.message, nf.retryable]).toEqual([
      "KeyNotFoundError",
      "KEY_NOT_FOUND",
      "key does not exist",
      false,
    ]);
    const ex = new KeyExistsError("k");
    expect([ex.name, ex.code, ex.message]).toEqual(["KeyExistsError", "KEY_EXISTS", "key already exists"]);
    const bnf = new BucketNotFoundError("x");
    expect(bnf.message).toBe(
      "bucket 'x' does not exist: create it first, or set create_bucket: true to create it at connect",
    );
    expect(bnf.code).toBe("BUCKET_NOT_FOUND");
  });

  it("kv-cache - retryable says whether a retry can help", () => {
    expect(new UnavailableError("x").retryable).toBe(true);
    expect(new UnavailableError("x", { retryable: false }).retryable).toBe(false);
    expect(new TimeoutError("x").retryable).toBe(true);
    expect(new OutcomeUnknownError("x").retryable).toBe(true);
    expect(new TtlNotSupportedError("x", "2.9.10").retryable).toBe(false);
    expect(new CacheClosedError().retryable).toBe(false);
  });

  it("kv-cache - isInstance works across copies (marker), and tells the classes apart", () => {
    const e = new KeyNotFoundError("k");
    // What a second copy of the package would produce: same marker, different class.
    const foreign = Object.assign(new Error("key does not exist"), {
      [Symbol.for("natskit.kv-cache.error")]: true,
      name: "KeyNotFoundError",
      code: "KEY_NOT_FOUND",
    });
    expect(KeyNotFoundError.isInstance(e)).toBe(true);
    expect(KeyNotFoundError.isInstance(foreign)).toBe(true);
    expect(KvCacheError.isInstance(foreign)).toBe(true);
    expect(KeyExistsError.isInstance(e)).toBe(false);
    expect(KvCacheError.isInstance(new Error("key does not exist"))).toBe(false);
    expect(KvCacheError.isInstance(null)).toBe(false);
    expect(e instanceof KvCacheError && e instanceof Error).toBe(true);
  });

  it("kv-cache - server errors keep the numeric code and the cause", () => {
    const cause = new Error("boom");
    const e = new NatsServerError(
      "set 'k'",
      { code: 400, err_code: 10077, description: "maximum bytes exceeded" },
      { cause },
    );
    expect(e.serverCode).toBe(10077);
    expect(e.status).toBe(400);
    expect(e.cause).toBe(cause);
    expect(e.message).toBe(
      "set 'k': the server refused it: maximum bytes exceeded (status 400, err_code 10077)",
    );
  });

  it("kv-cache - invalid keys are shown escaped and shortened", () => {
    expect(new InvalidKeyError("a\tb", "bad").message).toBe("invalid key 'a\\x09b': bad");
    expect(new InvalidKeyError("k".repeat(100), "bad").message).toBe(
      `invalid key '${"k".repeat(61)}...': bad`,
    );
  });

  it("kv-cache - a batch error lists what succeeded and why each other failed", () => {
    const e = new BatchError(
      "setMulti",
      ["a"],
      [
        { key: "b", error: new OutcomeUnknownError("set 'b': lost") },
        { key: "c", error: new UnavailableError("set 'c': down") },
      ],
    );
    expect(e.message).toBe("setMulti: 2 of 3 failed (first: 'b': set 'b': lost)");
    expect(e.retryable).toBe(true);
    expect(e.succeeded).toEqual(["a"]);
    const fatal = new BatchError("setMulti", [], [{ key: "b", error: new CacheClosedError() }]);
    expect(fatal.retryable).toBe(false);
  });
});
