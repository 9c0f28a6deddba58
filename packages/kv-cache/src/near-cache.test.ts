import { describe, expect, it } from "vitest";
import { NearCache } from "./near-cache.js";

const v = (s: string) => new TextEncoder().encode(s);
const s = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

function live(max = 3, maxAge = 60_000) {
  const n = new NearCache(max, maxAge);
  n.goLive();
  return n;
}

function fill(n: NearCache, key: string, value: string, revision: number) {
  n.endFetch(n.beginFetch(key), { value: v(value), revision });
}

describe("kv-cache near-cache", () => {
  it("kv-cache - serves what a fetch brought, as a copy", () => {
    const n = live();
    fill(n, "a", "1", 1);
    const got = n.get("a");
    expect(s(got)).toBe("1");
    got![0] = 0x7a;
    expect(s(n.get("a"))).toBe("1");
    expect(n.stats()).toMatchObject({ hits: 2, size: 1, live: true });
  });

  it("kv-cache - evicts the least recently used beyond max entries", () => {
    const n = live(2);
    fill(n, "a", "1", 1);
    fill(n, "b", "2", 2);
    n.get("a"); // a is now more recent than b
    fill(n, "c", "3", 3);
    expect(s(n.get("a"))).toBe("1");
    expect(n.get("b")).toBeUndefined();
    expect(s(n.get("c"))).toBe("3");
    expect(n.stats().evictions).toBe(1);
  });

  it("kv-cache - an event newer than the entry drops it; a late event for what was read does not", () => {
    const n = live();
    fill(n, "a", "1", 5);
    n.invalidate("a", 5);
    expect(s(n.get("a"))).toBe("1");
    n.invalidate("a", 6);
    expect(n.get("a")).toBeUndefined();
  });

  it("kv-cache - a fetch that read a value older than a change seen meanwhile does not fill the cache", () => {
    const n = live();
    const t = n.beginFetch("a");
    n.invalidate("a", 7); // the write that supersedes what the fetch will return
    n.endFetch(t, { value: v("old"), revision: 6 });
    expect(n.get("a")).toBeUndefined();
    // The next fetch, begun after the change, fills it.
    fill(n, "a", "new", 7);
    expect(s(n.get("a"))).toBe("new");
  });

  it("kv-cache - a fetch that read the change it overlapped (or newer) fills the cache", () => {
    const n = live();
    const t = n.beginFetch("a");
    n.invalidate("a", 7);
    n.endFetch(t, { value: v("seven"), revision: 7 });
    expect(s(n.get("a"))).toBe("seven");
    // A change of unknown revision (an own write being sent) always wins.
    const u = n.beginFetch("b");
    n.invalidate("b");
    n.endFetch(u, { value: v("x"), revision: 100 });
    expect(n.get("b")).toBeUndefined();
  });

  it("kv-cache - a fetch begun before a reset never fills the cache", () => {
    const n = live();
    const t = n.beginFetch("a");
    n.reset();
    n.goLive();
    n.endFetch(t, { value: v("stale"), revision: 1 });
    expect(n.get("a")).toBeUndefined();
  });

  it("kv-cache - serves nothing while not live, and forgets everything on reset", () => {
    const n = new NearCache(10, 60_000);
    expect(n.beginFetch("a")).toBeUndefined();
    n.goLive();
    fill(n, "a", "1", 1);
    n.reset();
    expect(n.get("a")).toBeUndefined();
    n.goLive();
    expect(n.get("a")).toBeUndefined();
    expect(n.stats().resets).toBe(1);
  });

  it("kv-cache - entries expire after max age or their ttl, whichever is first", () => {
    let clock = 1_000;
    const n = new NearCache(10, 40, () => clock);
    n.goLive();
    fill(n, "a", "1", 1);
    n.endFetch(n.beginFetch("b"), { value: v("2"), revision: 2, ttlLeftMs: 10 });
    n.endFetch(n.beginFetch("c"), { value: v("3"), revision: 3, ttlLeftMs: -1 });
    expect(s(n.get("a"))).toBe("1");
    expect(n.get("c")).toBeUndefined();
    clock += 9;
    expect(s(n.get("b"))).toBe("2");
    clock += 1;
    expect(n.get("b")).toBeUndefined();
    clock += 29;
    expect(s(n.get("a"))).toBe("1");
    clock += 1;
    expect(n.get("a")).toBeUndefined();
  });

  it("kv-cache - an own write drops the entry at send, and anything older at its ack", () => {
    const n = live();
    fill(n, "a", "1", 1);
    n.invalidate("a"); // write sent
    expect(n.get("a")).toBeUndefined();
    fill(n, "a", "1", 1); // a read raced the write and saw the old value
    n.invalidate("a", 2); // write acknowledged at revision 2
    expect(n.get("a")).toBeUndefined();
  });
});
