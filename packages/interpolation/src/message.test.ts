import { describe, expect, it } from "vitest";
import { createBatch, createMessage, Message, MessageBatch } from "./message.js";

describe("interpolation - message model", () => {
  it("interpolation - string content is kept as text and encoded to bytes on demand", () => {
    const m = createMessage("héllo");
    expect(m.text).toBe("héllo");
    expect([...m.content]).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
    expect(m.isEmpty).toBe(false);
  });

  it("interpolation - byte content is decoded to text on demand", () => {
    const m = createMessage(new Uint8Array([0x68, 0x69]));
    expect(m.text).toBe("hi");
    expect(m.content.length).toBe(2);
    expect(createMessage().isEmpty).toBe(true);
    expect(createMessage(new Uint8Array()).text).toBe("");
  });

  it("interpolation - the structured body is parsed lazily, once, and errors are cached", () => {
    const m = createMessage('{"a":[1,2]}');
    const first = m.structured();
    const second = m.structured();
    expect(first.ok && second.ok && first.value === second.value).toBe(true);
    expect(first).toEqual({ ok: true, value: { a: [1, 2] } });
    const exact = createMessage('{"n":1.50,"xs":[2.0]}').structured();
    expect(exact).toEqual({ ok: true, value: { n: 1.5, xs: [2] } });
    expect(createMessage("").structured()).toEqual({
      ok: false,
      error: "target message part does not exist",
    });
    expect(createMessage("{} {}").structured()).toEqual({
      ok: false,
      error: "message contains multiple valid documents",
    });
  });

  it("interpolation - setContent drops the cached body; setStructured replaces it", () => {
    const m = createMessage('{"a":1}');
    m.structured();
    m.setContent('{"a":2}');
    expect(m.structured()).toEqual({ ok: true, value: { a: 2 } });
    m.setStructured({ b: [true], big: 2n ** 63n - 1n, html: "<" });
    expect(m.text).toBe('{"b":[true],"big":9223372036854775807,"html":"<"}');
    expect(m.structured()).toEqual({ ok: true, value: { b: [true], big: 2n ** 63n - 1n, html: "<" } });
  });

  it("interpolation - metadata keeps types and can be changed", () => {
    const m = createMessage("", { metadata: { s: "x", n: 1, b: false, d: new Date(0), arr: [1, "a"] } });
    expect(m.getMeta("s")).toBe("x");
    expect(m.getMeta("n")).toBe(1);
    expect(m.getMeta("b")).toBe(false);
    expect(m.getMeta("d")).toEqual(new Date(0));
    expect(m.getMeta("arr")).toEqual([1, "a"]);
    expect(m.hasMeta("missing")).toBe(false);
    m.setMeta("s", "y");
    m.deleteMeta("n");
    expect(m.getMeta("s")).toBe("y");
    expect(m.hasMeta("n")).toBe(false);
    expect(m.metaKeys()).toEqual(["s", "b", "d", "arr"]);
  });

  it("interpolation - metadata can be given as a Map", () => {
    const m = createMessage("", { metadata: new Map([["k", "v"]]) });
    expect(m.getMeta("k")).toBe("v");
  });

  it("interpolation - metadata from an object never reads inherited keys", () => {
    const proto = { inherited: "no" };
    const meta = Object.create(proto) as Record<string, string>;
    meta.own = "yes";
    const m = createMessage("", { metadata: meta });
    expect(m.metaKeys()).toEqual(["own"]);
  });

  it("interpolation - a processing error can be set, read and cleared", () => {
    const m = createMessage("", { error: "boom" });
    expect(m.error?.message).toBe("boom");
    m.setError(new Error("other"));
    expect(m.error?.message).toBe("other");
    m.setError(undefined);
    expect(m.error).toBeUndefined();
  });

  it("interpolation - a batch sets each message's index and size", () => {
    const b = createBatch(["a", new Uint8Array([98]), createMessage("c")]);
    expect(b).toBeInstanceOf(MessageBatch);
    expect(b.length).toBe(3);
    expect(b.messages.map((m) => [m.text, m.batchIndex, m.batchSize])).toEqual([
      ["a", 0, 3],
      ["b", 1, 3],
      ["c", 2, 3],
    ]);
    expect(b.at(-1)?.text).toBe("c");
    expect(b.at(3)).toBeUndefined();
    expect([...b].length).toBe(3);
    expect(b.messages[1]?.batch).toBe(b);
  });

  it("interpolation - a lone message is index 0 of a batch of 1", () => {
    const m = new Message("x");
    expect(m.batchIndex).toBe(0);
    expect(m.batchSize).toBe(1);
    expect(m.batch).toBeUndefined();
  });

  it("interpolation - clone copies content, metadata and error but not the batch", () => {
    const b = createBatch([createMessage("x", { metadata: { k: "v" }, error: "e" })]);
    const original = b.messages[0] as Message;
    const c = original.clone();
    c.setMeta("k", "changed");
    expect(original.getMeta("k")).toBe("v");
    expect(c.text).toBe("x");
    expect(c.error?.message).toBe("e");
    expect(c.batch).toBeUndefined();
  });
});
