import { type Cache, MemoryCache, OutcomeUnknownError, UnavailableError } from "@natskit/kv-cache";
import { describe, expect, it } from "vitest";
import { type ClaimOptions, claimKey, DONE_VALUE, parseClaim, pendingValue } from "./dedupe.js";

/** A cache whose first `n` adds fail: "applied" ones store the value and then lose the answer. */
function flaky(n: number, mode: "applied" | "unavailable" | "fatal", inner = new MemoryCache()): Cache {
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
    set: (key: string, value: string) => inner.set(key, value),
  });
}

const alive: ClaimOptions["liveness"] = async () => true;
const gone: ClaimOptions["liveness"] = async () => false;
const run = (owner: string, extra: Partial<ClaimOptions> = {}): ClaimOptions => ({
  owner,
  liveness: gone,
  ...extra,
});

describe("dedupe", () => {
  it("demo - claims read back: pending names owner and message, anything else means seen", () => {
    expect(parseClaim(pendingValue("ab12", 7))).toEqual({ kind: "pending", owner: "ab12", seq: 7 });
    expect(parseClaim(DONE_VALUE)).toEqual({ kind: "done" });
    // Values of earlier versions, of Redpanda Connect's dedupe, or written by hand.
    for (const v of ["t", "abc-1", "natskit:pending:", "natskit:pending:x:y", ""])
      expect(parseClaim(v)).toEqual({ kind: "done" });
  });

  it("demo - the first add of a key wins; a later message of the same run is a duplicate", async () => {
    const cache = new MemoryCache();
    expect(await claimKey(cache, "k", 1, run("r1"))).toBe("new");
    expect(await claimKey(cache, "k", 2, run("r1"))).toBe("duplicate");
  });

  it("demo - a key whose message was stored is a duplicate for every run", async () => {
    const cache = new MemoryCache();
    await cache.set("k", DONE_VALUE);
    expect(await claimKey(cache, "k", 1, run("r2"))).toBe("duplicate");
  });

  it("demo - a pending claim of a run that is gone is taken over", async () => {
    const cache = new MemoryCache();
    expect(await claimKey(cache, "k", 1, run("crashed"))).toBe("new");
    expect(await claimKey(cache, "k", 9, run("rerun"))).toBe("taken-over");
    expect(parseClaim(await cache.get("k"))).toEqual({ kind: "pending", owner: "rerun", seq: 9 });
    // Later copies in the rerun are duplicates of the one that took it over.
    expect(await claimKey(cache, "k", 10, run("rerun"))).toBe("duplicate");
  });

  it("demo - a pending claim of a live run is waited for: done means duplicate", async () => {
    const cache = new MemoryCache();
    await claimKey(cache, "k", 1, run("other"));
    setTimeout(() => void cache.set("k", DONE_VALUE), 150);
    expect(await claimKey(cache, "k", 1, run("me", { liveness: alive }))).toBe("duplicate");
  });

  it("demo - a pending claim of a live run that is given back is claimed", async () => {
    const cache = new MemoryCache();
    await claimKey(cache, "k", 1, run("other"));
    setTimeout(() => void cache.delete("k"), 150);
    expect(await claimKey(cache, "k", 1, run("me", { liveness: alive }))).toBe("new");
  });

  it("demo - a live run's claim that never finishes is taken over after the wait", async () => {
    const cache = new MemoryCache();
    await claimKey(cache, "k", 1, run("stuck"));
    expect(await claimKey(cache, "k", 1, run("me", { liveness: alive, liveWaitMs: 200 }))).toBe("taken-over");
  });

  it("demo - when liveness cannot be told, the claim is waited for like a live one", async () => {
    const cache = new MemoryCache();
    await claimKey(cache, "k", 1, run("unknown"));
    const started = performance.now();
    expect(
      await claimKey(cache, "k", 1, run("me", { liveness: async () => undefined, liveWaitMs: 200 })),
    ).toBe("taken-over");
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("demo - a write whose answer was lost is recognised as this message's own on retry", async () => {
    const inner = new MemoryCache();
    expect(await claimKey(flaky(2, "applied", inner), "k", 1, run("r1"))).toBe("new");
    expect(await claimKey(inner, "k", 2, run("r1"))).toBe("duplicate");
  });

  it("demo - unavailable caches are retried until they answer", async () => {
    expect(await claimKey(flaky(3, "unavailable"), "k", 1, run("r1"))).toBe("new");
  });

  it("demo - errors no retry can fix, and an exhausted budget, are thrown", async () => {
    await expect(claimKey(flaky(1, "fatal"), "k", 1, run("r1"))).rejects.toThrow("boom");
    await expect(claimKey(flaky(100, "unavailable"), "k", 1, run("r1", { budgetMs: 120 }))).rejects.toThrow(
      "no stream answered",
    );
    await expect(
      claimKey(flaky(100, "unavailable"), "k", 1, run("r1", { giveUp: () => true })),
    ).rejects.toThrow();
  });

  it("demo - a read that lags the write (exists, then not found) is retried, not called a duplicate", async () => {
    // What a replica that has not caught up answers: the add says the key exists, the first read
    // says it does not. The old code returned "duplicate" there and dropped a unique message.
    const inner = new MemoryCache();
    let lost = 1;
    let lag = 1;
    const lagging = Object.assign(Object.create(inner) as Cache, {
      add: async (key: string, value: string) => {
        await inner.add(key, value);
        if (lost-- > 0) throw new OutcomeUnknownError("answer lost");
      },
      get: async (key: string) => inner.get(lag-- > 0 ? `${key}-not-there` : key),
      set: (key: string, value: string) => inner.set(key, value),
    });
    expect(await claimKey(lagging, "k", 1, run("r1"))).toBe("new");
  });
});
