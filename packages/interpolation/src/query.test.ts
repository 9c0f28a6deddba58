import { describe, expect, it } from "vitest";
import { defaultEnvironment } from "./environment.js";
import { InterpolationError, InterpolationParseError } from "./errors.js";
import { createMessage } from "./message.js";

const env = defaultEnvironment();

describe("interpolation queries", () => {
  it("interpolation - a query sees the given context as this", () => {
    const q = env.compileQuery("this.traceparent.uppercase()");
    expect(q.evaluate(createMessage("{}"), { traceparent: "00-ab" })).toBe("00-AB");
  });

  it("interpolation - without a context this is the message body", () => {
    expect(env.compileQuery("this.a + 1").evaluate(createMessage('{"a":2}'))).toBe(3n);
  });

  it("interpolation - @.merge(this) merges metadata with the context", () => {
    const msg = createMessage("{}", { metadata: { k: "v" } });
    expect(env.compileQuery("@.merge(this)").evaluate(msg, { traceparent: "t" })).toEqual({
      k: "v",
      traceparent: "t",
    });
  });

  it("interpolation - a failing query throws an InterpolationError", () => {
    expect(() => env.compileQuery("this.a.number()").evaluate(createMessage('{"a":"x"}'))).toThrow(
      InterpolationError,
    );
  });

  it("interpolation - a broken query is a parse error positioned in its own text", () => {
    const r = env.tryCompileQuery("this.a +");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(InterpolationParseError.isInstance(r.error)).toBe(true);
      expect(r.error.source).toBe("this.a +");
      expect(r.error.char).toBeLessThanOrEqual(9);
    }
  });

  it("interpolation - text after the query is rejected", () => {
    expect(env.tryCompileQuery('this.a } literal ${! "x"').ok).toBe(false);
  });

  it("interpolation - metaStringEntries stringifies like meta()", () => {
    const msg = createMessage("", { metadata: { s: "x", n: 42, f: 1.5, b: true, o: { z: 1, a: [1, "b"] } } });
    expect(msg.metaStringEntries()).toEqual([
      ["s", "x"],
      ["n", "42"],
      ["f", "1.5"],
      ["b", "true"],
      ["o", '{"a":[1,"b"],"z":1}'],
    ]);
  });
});
