import { describe, expect, it } from "vitest";
import { testCacheContract } from "../test/contract.js";
import { KeyExistsError, KeyNotFoundError } from "./errors.js";
import { MemoryCache } from "./memory.js";

testCacheContract("kv-cache MemoryCache", async () => new MemoryCache(), {
  ttl: { kind: "expires", ttl: 50, waitMs: 80 },
});

describe("kv-cache MemoryCache", () => {
  it("kv-cache - MemoryCache ttls follow the injected clock", async () => {
    let now = 1_000;
    const c = new MemoryCache({ now: () => now });
    await c.set("k", "v", { ttl: "2s" });
    now += 1_999;
    expect(new TextDecoder().decode(await c.get("k"))).toBe("v");
    now += 1;
    await expect(c.get("k")).rejects.toSatisfy(KeyNotFoundError.isInstance);
    expect(c.size).toBe(0);
  });

  it("kv-cache - MemoryCache add fails only while the entry is live", async () => {
    let now = 0;
    const c = new MemoryCache({ now: () => now });
    await c.add("k", "a", { ttl: 100 });
    await expect(c.add("k", "b")).rejects.toSatisfy(KeyExistsError.isInstance);
    now = 100;
    await c.add("k", "c");
    expect(new TextDecoder().decode(await c.get("k"))).toBe("c");
  });

  it("kv-cache - MemoryCache base64url keys accept any string", async () => {
    const c = new MemoryCache({ keyCodec: "base64url" });
    for (const k of ["https://example.com/a?b=c d", "ünï ✓", "a..b", "*", ">"]) {
      await c.set(k, k);
      expect(new TextDecoder().decode(await c.get(k))).toBe(k);
    }
    const got = await c.getMulti(["*", "nope"]);
    expect([...got.keys()]).toEqual(["*"]);
  });
});
