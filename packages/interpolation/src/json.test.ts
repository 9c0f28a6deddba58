import { describe, expect, it } from "vitest";
import { decodeJSON, parseJSONValue } from "./json.js";
import type { JsonNumber } from "./value.js";

describe("interpolation - body decoding", () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ["[1,2]", [1, 2]],
    ['"s"', "s"],
    ["  true  ", true],
    ["null", null],
    ["-5", -5],
  ])("interpolation - %s decodes", (text, value) => {
    expect(decodeJSON(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["1.50", "1.50"],
    ["1e3", "1e3"],
    ["2.0", "2.0"],
    ["-0", "-0"],
    ["12345678901234567890", "12345678901234567890"],
    ["0.0000001", "0.0000001"],
  ])("interpolation - the number text %s is kept", (text, kept) => {
    const r = decodeJSON(`{"n":${text}}`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(((r.value as Record<string, unknown>).n as JsonNumber).text).toBe(kept);
  });

  it("interpolation - numbers inside strings do not disturb canonical numbers", () => {
    const r = decodeJSON('{"id":"550e8400-e29b","at":"2020-01-01T00:00:00.000Z","n":1.5}');
    expect(r).toEqual({ ok: true, value: { id: "550e8400-e29b", at: "2020-01-01T00:00:00.000Z", n: 1.5 } });
  });

  it.each([
    ["nope", "invalid character 'o' in literal null (expecting 'u')"],
    ["x", "invalid character 'x' looking for beginning of value"],
    ["{", "unexpected EOF"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["{1:2}", "invalid character '1' looking for beginning of object key string"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
    ["-a", "invalid character 'a' in numeric literal"],
    ["1.a", "invalid character 'a' after decimal point in numeric literal"],
    ["1ea", "invalid character 'a' in exponent of numeric literal"],
    ["tru", "unexpected EOF"],
    ["{} {}", "message contains multiple valid documents"],
    ["1 2 3", "message contains multiple valid documents"],
    ["01", "message contains multiple valid documents"],
    ["{} x", "invalid character 'x' looking for beginning of value"],
    ["{} {} x", "invalid character 'x' looking for beginning of value"],
    ["   ", "EOF"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
  ])("interpolation - %j fails with %j", (text, error) => {
    expect(decodeJSON(text)).toEqual({ ok: false, error });
  });

  it("interpolation - escapes decode like Go, lone surrogates become U+FFFD", () => {
    expect(decodeJSON('"\\u00e9\\ud83d\\ude00\\ud800"')).toEqual({ ok: true, value: "é😀\ufffd" });
  });

  it("interpolation - __proto__ keys are plain data", () => {
    const r = decodeJSON('{"__proto__":{"polluted":1},"n":1.0}');
    expect(r.ok).toBe(true);
    if (r.ok) {
      const v = r.value as Record<string, unknown>;
      expect(Object.keys(v)).toEqual(["__proto__", "n"]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it("interpolation - parse_json rejects trailing data", () => {
    expect(parseJSONValue("{} x")).toEqual({
      ok: false,
      error: "invalid character 'x' after top-level value",
    });
    expect(parseJSONValue("")).toEqual({ ok: false, error: "unexpected end of JSON input" });
    expect(parseJSONValue("[1")).toEqual({ ok: false, error: "unexpected end of JSON input" });
    expect(parseJSONValue(" [1] ")).toEqual({ ok: true, value: [1] });
  });
});
