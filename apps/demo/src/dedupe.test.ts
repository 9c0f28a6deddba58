import { type Cache, MemoryCache, OutcomeUnknownError, UnavailableError } from "@natskit/kv-cache";
import { describe, expect, it } from "vitest";
import { claimKey } from "./dedupe.js";

/** A cache whose first `n` adds fail: "applied" ones store the value and then lose the answer. */
function flaky(n: number, mode: "applied" | "unavailable" | "fatal"): Cache {
  const inner = new MemoryCache();
  let left = n;
  return Object.assign(Object.create(inner) as Cache, {
    add: async (key: string, value: string) => {
      if (left-- > 0) {
        if (mode === "applied") {
          await inner.add(key, value);
          throw new OutcomeUnknownError("connection lost before the answer");
        }
        if (mode === "unavailable") throw new UnavailableError("no stream answered");
        throw new Error("boom");
      }
      return inner.add(key, value);
    },
    get: (key: string) => inner.get(key),
  });
}

describe("dedupe", () => {
  it("demo - the first add of a key wins, later ones are duplicates", async () => {
    const cache = new MemoryCache();
    expect(await claimKey(cache, "k", "a")).toBe("new");
    expect(await claimKey(cache, "k", "b")).toBe("duplicate");
  });

  it("demo - a write whose answer was lost is recognised as our own on retry", async () => {
    const cache = flaky(2, "applied");
    expect(await claimKey(cache, "k", "mine")).toBe("new");
    expect(await claimKey(cache, "k", "other")).toBe("duplicate");
  });

  it("demo - unavailable caches are retried until they answer", async () => {
    expect(await claimKey(flaky(3, "unavailable"), "k", "t")).toBe("new");
  });

  it("demo - errors no retry can fix, and an exhausted budget, are thrown", async () => {
    await expect(claimKey(flaky(1, "fatal"), "k", "t")).rejects.toThrow("boom");
    await expect(claimKey(flaky(100, "unavailable"), "k", "t", { budgetMs: 120 })).rejects.toThrow(
      "no stream answered",
    );
    await expect(claimKey(flaky(100, "unavailable"), "k", "t", { giveUp: () => true })).rejects.toThrow();
  });
});
