import { describe, expect, it } from "vitest";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

import { HeaderBuilder, headerNameProblem, headerValueProblem, subjectProblem } from "./headers.js";

describe("jetstream-output subjects", () => {
  it.each(["a", "a.b.c", "events.click", "a-b_c.d$e", "x.y*z", "ünï.code"])(
    "jetstream-output - %j is a valid subject",
    (s) => {
      expect(subjectProblem(s)).toBeUndefined();
    },
  );

  it.each([
    ["", "subject is empty"],
    ["a b", "contains whitespace"],
    ["a\tb", "contains whitespace"],
    ["a\r\nb", "contains whitespace"],
    ["a..b", "has an empty token"],
    [".a", "has an empty token"],
    ["a.", "has an empty token"],
    ["a.*", "contains a wildcard token"],
    ["*.a", "contains a wildcard token"],
    [">", "contains a wildcard token"],
    ["a.>", "contains a wildcard token"],
  ])("jetstream-output - %j is rejected", (s, problem) => {
    expect(subjectProblem(s)).toContain(problem);
  });

  it("jetstream-output - subject problems show control characters escaped", () => {
    expect(subjectProblem("a\nb")).toBe("subject 'a\\nb' contains whitespace");
  });
});

describe("jetstream-output headers", () => {
  it.each(["Content-Type", "X-Trace", "kafka_key", "Nats-Msg-Id", "a.b~c"])(
    "jetstream-output - %j is a valid header name",
    (n) => {
      expect(headerNameProblem(n)).toBeUndefined();
    },
  );

  it.each(["", "a b", "a:b", "a\r\nb", "ü"])("jetstream-output - %j is not a header name", (n) => {
    expect(headerNameProblem(n)).toBeDefined();
  });

  it("jetstream-output - header values may not contain CR or LF", () => {
    expect(headerValueProblem("ok value: with colon")).toBeUndefined();
    expect(headerValueProblem("a\rb")).toBe("header value contains CR or LF");
    expect(headerValueProblem("a\nb")).toBe("header value contains CR or LF");
  });

  it("jetstream-output - the builder writes the NATS/1.0 header block in order, repeating names", () => {
    const b = new HeaderBuilder("Static: 1\r\n");
    b.begin();
    b.add("X-A", "one");
    b.add("X-A", "two");
    expect(text(b.end())).toBe("NATS/1.0\r\nStatic: 1\r\nX-A: one\r\nX-A: two\r\n\r\n");
    expect(text(b.staticBlock())).toBe("NATS/1.0\r\nStatic: 1\r\n\r\n");
    const empty = new HeaderBuilder();
    expect(empty.staticBlock()).toBeUndefined();
    empty.begin();
    expect(empty.end()).toBeUndefined();
    empty.begin();
    empty.add("ü", "ñ");
    expect(text(empty.end())).toBe("NATS/1.0\r\nü: ñ\r\n\r\n");
  });

  it("jetstream-output - text of any length and script is written as UTF-8 (ASCII fast path and fallback)", () => {
    const b = new HeaderBuilder();
    const values = ["plain", "mixé", "x".repeat(64), "y".repeat(65), `${"a".repeat(63)}é`, "€uro", ""];
    b.begin();
    for (const v of values) b.add("K", v);
    expect(text(b.end())).toBe(`NATS/1.0\r\n${values.map((v) => `K: ${v}\r\n`).join("")}\r\n`);
  });

  it("jetstream-output - addCounter writes the id prefix and the counter in base 36", () => {
    const head = Buffer.from("Nats-Msg-Id: abc-");
    const b = new HeaderBuilder("S: 1\r\n");
    for (const n of [0, 1, 9, 10, 35, 36, 1295, 1296, 123456789, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      b.begin();
      b.addCounter(head, n);
      expect(text(b.end())).toBe(`NATS/1.0\r\nS: 1\r\nNats-Msg-Id: abc-${n.toString(36)}\r\n\r\n`);
    }
  });

  it("jetstream-output - blocks never overwrite earlier ones, across slab boundaries", () => {
    const b = new HeaderBuilder("S: 1\r\n");
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) {
      b.begin();
      b.add("Nats-Msg-Id", `id-${i}`);
      if (i % 7 === 0) b.add("Big", "x".repeat(3000));
      blocks.push(b.end() as Uint8Array);
    }
    blocks.forEach((block, i) => {
      const t = text(block);
      expect(t.startsWith(`NATS/1.0\r\nS: 1\r\nNats-Msg-Id: id-${i}\r\n`)).toBe(true);
      expect(t.endsWith("\r\n\r\n")).toBe(true);
    });
  });
});
