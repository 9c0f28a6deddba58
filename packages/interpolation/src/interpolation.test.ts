// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, q, qError, run, runError, testEnv } from "../test/helpers.js";
import { InterpolationBaseError, InterpolationError } from "./errors.js";
import { createBatch } from "./message.js";

describe("interpolation - value to string", () => {
  const m = msg(
    '{"n":1.50,"i":10,"e":1e3,"neg":-0,"arr":[1,2.0],"obj":{"b":1,"a":"<&>"},"big":12345678901234567890}',
  );
  it.each([
    ['"s"', "s"],
    ["5", "5"],
    ["-5", "-5"],
    ["2.5", "2.5"],
    ["1000000.0 * 1000000000000000.0", "1e+21"],
    ["0.0000001 * 1.0", "1e-07"],
    ["1.0 / 3", "0.3333333333333333"],
    ["true", "true"],
    ["null", "null"],
    ["deleted()", "null"],
    ["nothing()", "null"],
    ["this.n", "1.50"],
    ['json("n")', "1.5"],
    ["this.n + 0", "1.5"],
    ["this.e", "1e3"],
    ['json("e")', "1000"],
    ["this.neg", "-0"],
    ["this.i", "10"],
    ["this.arr", "[1,2.0]"],
    ["this.obj", '{"a":"\\u003c\\u0026\\u003e","b":1}'],
    ["this.big", "12345678901234567890"],
    ['"x".bytes()', "x"],
    ['["a".bytes()]', '["YQ=="]'],
    ['"2020-01-01T00:00:00Z".ts_parse("2006-01-02T15:04:05Z07:00")', "2020-01-01T00:00:00Z"],
    ['["2020-01-01T00:00:00.5Z".ts_parse("2006-01-02T15:04:05Z07:00")]', '["2020-01-01T00:00:00.5Z"]'],
  ])("interpolation - %s prints %j", (query, expected) => {
    expect(q(query, m)).toBe(expected);
  });

  it("interpolation - binary values are raw bytes in tryBytes", () => {
    const c = testEnv.compile('${! "x".hash("sha256") }');
    const r = c.tryBytes(msg());
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.length).toBe(32);
      expect(Buffer.from(r.value).toString("hex")).toBe(
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
      );
    }
  });

  it("interpolation - bytes output concatenates text and binary parts", () => {
    const out = testEnv.compile('a${! "AAEC".decode("base64") }b').evaluateBytes(msg());
    expect([...out]).toEqual([0x61, 0x00, 0x01, 0x02, 0x62]);
  });

  it("interpolation - static strings evaluate to the same string and bytes without work", () => {
    const c = testEnv.compile("static");
    expect(c.evaluate(msg())).toBe("static");
    expect(c.evaluateBytes(msg())).toBe(c.evaluateBytes(msg("other")));
    expect(new TextDecoder().decode(c.evaluateBytes(msg()))).toBe("static");
  });
});

describe("interpolation - errors abort the whole string", () => {
  it("interpolation - the first failing part fails the string and names itself", () => {
    const c = testEnv.compile('ok ${! meta("a") } then ${! json("x") } and ${! throw("never") }');
    const r = c.tryString(msg("not json", { metadata: { a: "1" } }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe("invalid character 'o' in literal null (expecting 'u')");
      expect(r.error.code).toBe("INVALID_BODY");
      expect(r.error.expression).toBe('json("x")');
      expect(r.error.part).toBe(1);
      expect(r.error.line).toBe(1);
      expect(r.error.column).toBe(25);
      expect(InterpolationError.isInstance(r.error)).toBe(true);
      expect(InterpolationBaseError.isInstance(r.error)).toBe(true);
    }
  });

  it("interpolation - evaluate throws the typed error and tryBytes returns it", () => {
    const c = testEnv.compile('${! throw("why") }');
    expect(() => c.evaluate(msg())).toThrow(InterpolationError);
    const r = c.tryBytes(msg());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("THROWN");
      expect(r.error.message).toBe("why");
    }
  });

  it.each([
    ['json("a")', "not json", "invalid character 'o' in literal null (expecting 'u')", "INVALID_BODY"],
    ['json("a")', "", "target message part does not exist", "INVALID_BODY"],
    ["json()", "{} {}", "message contains multiple valid documents", "INVALID_BODY"],
    ["this", "", "context was undefined", "NO_CONTEXT"],
    [
      "this.n.uppercase()",
      '{"n":5}',
      "expected string value, got number from field `this.n` (5)",
      "TYPE_MISMATCH",
    ],
    ["this.a.not_null()", "{}", "field `this.a`: value is null", "NULL_VALUE"],
    ["this.a.not_empty()", '{"a":""}', "field `this.a`: string value is empty", "EMPTY_VALUE"],
    ['throw("why")', "", "why", "THROWN"],
    ["[1].index(5)", "", "array literal: index '5' was out of bounds for array size: 1", "OUT_OF_BOUNDS"],
    [
      '[1, 2].join(",")',
      "",
      "array literal: failed to join element 0: expected string value, got number (1)",
      "TYPE_MISMATCH",
    ],
    [
      'this.a.join(",")',
      '{"a":["x",2]}',
      "field `this.a`: failed to join element 1: expected string value, got number (2)",
      "TYPE_MISMATCH",
    ],
  ])("interpolation - %s on %j fails with %j", (query, content, message, code) => {
    const e = qError(query, msg(content));
    expect(e.message).toBe(message);
    expect(e.code).toBe(code);
  });

  it("interpolation - missing fields are null, not errors", () => {
    expect(q("this.nope", msg("{}"))).toBe("null");
    expect(q('json("nope")', msg("{}"))).toBe("null");
  });

  it("interpolation - recovery with catch, or and coalesce", () => {
    const bad = msg("not json");
    expect(q('json("x") | "fallback"', bad)).toBe("fallback");
    expect(q('json("x").catch("c")', bad)).toBe("c");
    expect(q('json("x").or("o")', bad)).toBe("o");
    expect(q('throw("bad").catch(e -> e)', bad)).toBe("bad");
    expect(q('throw("bad").catch(this)', bad)).toBe("bad");
    expect(q('null.or("o")', bad)).toBe("o");
    expect(q('null.catch("c")', bad)).toBe("null");
    expect(q('"v".catch("c")', bad)).toBe("v");
  });

  it("interpolation - a catch fallback that fails propagates its own error", () => {
    expect(qError('throw("a").catch(throw("b"))').message).toBe("b");
  });
});

describe("interpolation - batches", () => {
  const batch = createBatch([
    msg('{"v":"zero"}', { metadata: { k: "m0" } }),
    msg('{"v":"one"}', { metadata: { k: "m1" } }),
    msg('{"v":"two"}', { metadata: { k: "m2" } }),
  ]);
  const at = (text: string, i: number) => testEnv.compile(text).evaluateAt(batch, i);

  it.each([
    ["${! batch_index() }", 1, "1"],
    ["${! batch_size() }", 0, "3"],
    ['${! json("v") }', 2, "two"],
    ['${! json("v").from(0) }', 2, "zero"],
    ['${! json("v").from(-1) }', 0, "two"],
    ['${! meta("k").from(1) }', 0, "m1"],
    ['${! metadata("k").from(2) }', 0, "m2"],
    ["${! content().from(1) }", 0, '{"v":"one"}'],
    ["${! batch_index().from(2) }", 0, "2"],
    ['${! json("v").from_all() }', 1, '["zero","one","two"]'],
    ['${! meta("k").from_all() }', 0, '["m0","m1","m2"]'],
    ["${! this.v.from(1) }", 0, "zero"],
    ["${! @k.from(1) }", 0, "m0"],
    ['${! json("v").from(7) }', 0, "target message part does not exist"],
  ])("interpolation - %s at index %i gives %j", (text, index, expected) => {
    if (expected === "target message part does not exist") {
      expect(() => at(text, index)).toThrow(expected);
    } else expect(at(text, index)).toBe(expected);
  });

  it("interpolation - a message evaluated on its own uses its batch", () => {
    const m = batch.at(2);
    expect(m).toBeDefined();
    if (m) {
      expect(testEnv.compile("${! batch_index() }/${! batch_size() }").evaluate(m)).toBe("2/3");
      expect(testEnv.compile('${! json("v").from(0) }').evaluate(m)).toBe("zero");
    }
  });

  it("interpolation - a lone message is a batch of one that answers every index", () => {
    const m = msg('{"v":"solo"}', { metadata: { k: "x" } });
    expect(run("${! batch_index() } ${! batch_size() }", m)).toBe("0 1");
    expect(run('${! json("v").from(5) }', m)).toBe("solo");
    expect(run('${! json("v").from_all() }', m)).toBe('["solo"]');
  });

  it("interpolation - an index outside the batch evaluates an empty message", () => {
    expect(at("${! content() }", 9)).toBe("");
    expect(at('${! meta("k") }', 9)).toBe("null");
    expect(at("static", 9)).toBe("static");
  });
});

describe("interpolation - structured body is parsed once", () => {
  it("interpolation - many queries share one parse of the body", () => {
    const m = msg('{"a":{"b":1}}');
    const first = m.structured();
    expect(run('${! json("a.b") } ${! this.a.b } ${! json() }', m)).toBe('1 1 {"a":{"b":1}}');
    const again = m.structured();
    expect(first.ok && again.ok && first.value === again.value).toBe(true);
  });

  it("interpolation - runErrors for a broken body reuse the cached failure", () => {
    const m = msg("{broken");
    const e1 = runError('${! json("a") }', m);
    const e2 = runError("${! this.a }", m);
    expect(e1.message).toBe("invalid character 'b' looking for beginning of object key string");
    expect(e2.message).toBe("context was undefined, unable to reference `a`");
  });
});
