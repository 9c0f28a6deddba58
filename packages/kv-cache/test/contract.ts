import { afterEach, describe, expect, it } from "vitest";
import {
  type Cache,
  CacheClosedError,
  type Duration,
  InvalidKeyError,
  KeyExistsError,
  KeyNotFoundError,
  KvCacheError,
  TtlNotSupportedError,
} from "../src/index.js";

/** How the implementation under test treats TTLs. */
export type TtlBehaviour =
  /** Entries written with `ttl` read as missing once `waitMs` has passed. */
  | { kind: "expires"; ttl: Duration; waitMs: number }
  /** Writes with a TTL fail with TTL_NOT_SUPPORTED and write nothing. */
  | { kind: "rejected" };

export interface CacheContractOptions {
  ttl: TtlBehaviour;
}

const te = new TextEncoder();
const td = new TextDecoder();
const str = (b: Uint8Array) => td.decode(b);

let seq = 0;
/** Keys unique to one test, so implementations may share a bucket between tests. */
function keys(test: string) {
  const p = `c${process.pid}-${Date.now().toString(36)}-${seq++}-${test}`;
  return (k: string) => `${p}-${k}`;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * The cache contract suite (after Benthos' `integration.CacheTests` and unstorage's
 * `testDriver`): every implementation of `Cache` must pass it. `factory` returns a fresh,
 * open cache; each test closes it.
 */
export function testCacheContract(
  name: string,
  factory: () => Promise<Cache>,
  options: CacheContractOptions,
): void {
  describe(`${name} contract`, () => {
    const open: Cache[] = [];
    const make = async () => {
      const c = await factory();
      open.push(c);
      return c;
    };
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((c) => c.close()));
    });

    it(`${name} - can open and close`, async () => {
      const c = await make();
      const k = keys("open");
      await c.add(k("foo"), "bar");
      expect(str(await c.get(k("foo")))).toBe("bar");
      await c.close();
      await c.close(); // idempotent
      const e = await rejection(c.get(k("foo")));
      expect(CacheClosedError.isInstance(e)).toBe(true);
      expect((e as KvCacheError).code).toBe("CLOSED");
    });

    it(`${name} - a missing key fails with 'key does not exist'`, async () => {
      const c = await make();
      const k = keys("missing");
      const e = await rejection(c.get(k("missingkey")));
      expect(KeyNotFoundError.isInstance(e)).toBe(true);
      expect((e as KeyNotFoundError).message).toBe("key does not exist");
      expect((e as KeyNotFoundError).code).toBe("KEY_NOT_FOUND");
      expect((e as KeyNotFoundError).key).toBe(k("missingkey"));
      expect((e as KeyNotFoundError).retryable).toBe(false);
    });

    it(`${name} - add with a duplicate key fails and keeps the first value`, async () => {
      const c = await make();
      const k = keys("dup");
      await c.add(k("addkey"), "first");
      const e = await rejection(c.add(k("addkey"), "second"));
      expect(KeyExistsError.isInstance(e)).toBe(true);
      expect((e as KeyExistsError).message).toBe("key already exists");
      expect((e as KeyExistsError).code).toBe("KEY_EXISTS");
      expect(str(await c.get(k("addkey")))).toBe("first");
    });

    it(`${name} - add fails over a value written by set`, async () => {
      const c = await make();
      const k = keys("addset");
      await c.set(k("a"), "by-set");
      expect(KeyExistsError.isInstance(await rejection(c.add(k("a"), "by-add")))).toBe(true);
      expect(str(await c.get(k("a")))).toBe("by-set");
    });

    it(`${name} - set then delete then get is not found`, async () => {
      const c = await make();
      const k = keys("del");
      await c.add(k("key"), "first");
      expect(str(await c.get(k("key")))).toBe("first");
      await c.delete(k("key"));
      const e = await rejection(c.get(k("key")));
      expect((e as Error).message).toBe("key does not exist");
    });

    it(`${name} - 50 sets then 50 gets return every value`, async () => {
      const c = await make();
      const k = keys("fifty");
      for (let i = 0; i < 50; i++) await c.set(k(`key${i}`), `value${i}`);
      for (let i = 0; i < 50; i++) expect(str(await c.get(k(`key${i}`)))).toBe(`value${i}`);
    });

    it(`${name} - add over a deleted key succeeds`, async () => {
      const c = await make();
      const k = keys("readd");
      await c.add(k("k"), "one");
      await c.delete(k("k"));
      await c.add(k("k"), "two");
      expect(str(await c.get(k("k")))).toBe("two");
      // And the re-added value is protected again.
      expect(KeyExistsError.isInstance(await rejection(c.add(k("k"), "three")))).toBe(true);
    });

    it(`${name} - deleting a key that does not exist is not an error`, async () => {
      const c = await make();
      const k = keys("delmissing");
      await expect(c.delete(k("never"))).resolves.toBeUndefined();
      expect(KeyNotFoundError.isInstance(await rejection(c.get(k("never"))))).toBe(true);
    });

    it(`${name} - set replaces a value`, async () => {
      const c = await make();
      const k = keys("replace");
      await c.set(k("k"), "one");
      await c.set(k("k"), "two");
      expect(str(await c.get(k("k")))).toBe("two");
    });

    it(`${name} - values are bytes: every byte value and the empty value round-trip`, async () => {
      const c = await make();
      const k = keys("bytes");
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await c.set(k("all"), all);
      await c.set(k("empty"), new Uint8Array(0));
      await c.set(k("utf8"), "héllo ✓");
      expect([...(await c.get(k("all")))]).toEqual([...all]);
      expect((await c.get(k("empty"))).length).toBe(0);
      expect(str(await c.get(k("utf8")))).toBe("héllo ✓");
      expect(await c.get(k("utf8"))).toEqual(te.encode("héllo ✓"));
    });

    it(`${name} - values are copied in and out`, async () => {
      const c = await make();
      const k = keys("copy");
      const v = te.encode("abc");
      await c.set(k("k"), v);
      v[0] = 0x7a;
      const out = await c.get(k("k"));
      out[1] = 0x7a;
      expect(str(await c.get(k("k")))).toBe("abc");
    });

    it(`${name} - invalid keys fail with INVALID_KEY before anything is written`, async () => {
      const c = await make();
      for (const bad of ["", "a..b", "*", ">", "a.*", ".a", "a.", "a b", "ünï", "tab\tkey"]) {
        const e = await rejection(c.set(bad, "x"));
        expect(InvalidKeyError.isInstance(e), `key ${JSON.stringify(bad)}`).toBe(true);
        expect((e as InvalidKeyError).code).toBe("INVALID_KEY");
        if (bad !== "") expect((e as Error).message).toContain("[-/_=.a-zA-Z0-9]");
        expect(InvalidKeyError.isInstance(await rejection(c.get(bad)))).toBe(true);
        expect(InvalidKeyError.isInstance(await rejection(c.delete(bad)))).toBe(true);
      }
      const k = keys("validkeys");
      for (const good of ["a/b", "a=b", "A-Z_0.9", "x.y.z"]) {
        await c.set(k(good), good);
        expect(str(await c.get(k(good)))).toBe(good);
      }
    });

    it(`${name} - concurrent adds of one key: exactly one wins`, async () => {
      const c = await make();
      const k = keys("race");
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => c.add(k("k"), `v${i}`)));
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === "rejected") expect(KeyExistsError.isInstance(r.reason)).toBe(true);
      expect(str(await c.get(k("k")))).toBe(`v${won[0]}`);
    });

    it(`${name} - setMulti then getMulti returns the values and leaves out missing keys`, async () => {
      const c = await make();
      const k = keys("multi");
      const entries = Array.from({ length: 100 }, (_, i) => ({ key: k(`m${i}`), value: `v${i}` }));
      await c.setMulti(entries);
      const wanted = [...entries.map((e) => e.key), k("absent"), k("m0")];
      const got = await c.getMulti(wanted);
      expect(got.size).toBe(100);
      expect(got.has(k("absent"))).toBe(false);
      for (let i = 0; i < 100; i++) expect(str(got.get(k(`m${i}`)) ?? new Uint8Array())).toBe(`v${i}`);
      expect((await c.getMulti([])).size).toBe(0);
    });

    it(`${name} - setMulti with one invalid key writes nothing`, async () => {
      const c = await make();
      const k = keys("multibad");
      const e = await rejection(
        c.setMulti([
          { key: k("ok1"), value: "1" },
          { key: "bad..key", value: "2" },
        ]),
      );
      expect(InvalidKeyError.isInstance(e)).toBe(true);
      expect(KeyNotFoundError.isInstance(await rejection(c.get(k("ok1"))))).toBe(true);
    });

    it(`${name} - getMulti with an invalid key fails with INVALID_KEY`, async () => {
      const c = await make();
      expect(InvalidKeyError.isInstance(await rejection(c.getMulti(["ok", "a..b"])))).toBe(true);
    });

    it(`${name} - a non-positive or malformed ttl is an INVALID_ARGUMENT`, async () => {
      const c = await make();
      const k = keys("badttl");
      for (const ttl of [0, -5, "abc", "5 parsecs"] as Duration[]) {
        const e = await rejection(c.set(k("k"), "v", { ttl }));
        expect((e as KvCacheError).code, String(ttl)).toBe("INVALID_ARGUMENT");
      }
      expect(KeyNotFoundError.isInstance(await rejection(c.get(k("k"))))).toBe(true);
    });

    const ttl = options.ttl;
    if (ttl.kind === "expires") {
      it(`${name} - an entry set with a ttl expires; one without stays`, async () => {
        const c = await make();
        const k = keys("ttl");
        await c.set(k("short"), "v", { ttl: ttl.ttl });
        await c.add(k("added"), "v", { ttl: ttl.ttl });
        await c.set(k("forever"), "v");
        expect(str(await c.get(k("short")))).toBe("v");
        await new Promise((r) => setTimeout(r, ttl.waitMs));
        expect(KeyNotFoundError.isInstance(await rejection(c.get(k("short"))))).toBe(true);
        expect(KeyNotFoundError.isInstance(await rejection(c.get(k("added"))))).toBe(true);
        expect(str(await c.get(k("forever")))).toBe("v");
        // An expired key can be added again.
        await c.add(k("short"), "again");
        expect(str(await c.get(k("short")))).toBe("again");
      });
    } else {
      it(`${name} - set/add with a ttl fail with TTL_NOT_SUPPORTED and write nothing`, async () => {
        const c = await make();
        const k = keys("ttl");
        for (const write of [
          () => c.set(k("k"), "v", { ttl: "10s" }),
          () => c.add(k("k"), "v", { ttl: 10_000 }),
        ]) {
          const e = await rejection(write());
          expect(TtlNotSupportedError.isInstance(e)).toBe(true);
          expect((e as KvCacheError).code).toBe("TTL_NOT_SUPPORTED");
          expect((e as Error).message).toMatch(/ttl/);
        }
        expect(KeyNotFoundError.isInstance(await rejection(c.get(k("k"))))).toBe(true);
        const se = await rejection(c.setMulti([{ key: k("m"), value: "v", ttl: "1m" }]));
        expect(TtlNotSupportedError.isInstance(se)).toBe(true);
        expect(KeyNotFoundError.isInstance(await rejection(c.get(k("m"))))).toBe(true);
      });
    }

    it(`${name} - errors carry the cross-copy marker`, async () => {
      const c = await make();
      const k = keys("marker");
      const e = await rejection(c.get(k("x")));
      expect(KvCacheError.isInstance(e)).toBe(true);
      expect(KvCacheError.isInstance(new Error("key does not exist"))).toBe(false);
      expect((e as Error).name).toBe("KeyNotFoundError");
    });
  });
}
