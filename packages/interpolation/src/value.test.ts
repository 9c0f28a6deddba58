import { describe, expect, it } from "vitest";
import { formatGoFloat, goQuote, goUnquote } from "./gofmt.js";
import { goSprintf } from "./gosprintf.js";
import { compareUTF8, GoFloat, JsonNumber, toJSON, toText, utf8Length } from "./value.js";

describe("interpolation - Go number formatting", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [2.5, "2.5"],
    [100000, "100000"],
    [123456, "123456"],
    [1000000, "1e+06"],
    [1234567, "1.234567e+06"],
    [1e21, "1e+21"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1e-7, "1e-07"],
    [0.1 + 0.2, "0.30000000000000004"],
    [-1.5e-10, "-1.5e-10"],
    [1e100, "1e+100"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
  ])("interpolation - %s prints %j", (f, text) => {
    expect(formatGoFloat(f)).toBe(text);
  });

  it("interpolation - value kinds print as the reference prints them", () => {
    expect(toText(new GoFloat(3))).toBe("3");
    expect(toText(new JsonNumber("3.0"))).toBe("3.0");
    expect(toText(3)).toBe("3");
    expect(toText(9007199254740993n)).toBe("9007199254740993");
    expect(toText(new Uint8Array([104, 105]))).toBe("hi");
  });
});

describe("interpolation - Go JSON encoding", () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ "<": "&" }, '{"\\u003c":"\\u0026"}'],
    [["\u2028"], '["\\u2028"]'],
    [[new Uint8Array([1, 2, 3])], '["AQID"]'],
    [[new GoFloat(1e21), new GoFloat(1e-7), new GoFloat(2)], "[1e+21,1e-7,2]"],
    [[new GoFloat(Number.NaN)], "null"],
    [{ "\u{1F600}": 1, "\uFFFF": 2 }, '{"\uFFFF":2,"\u{1F600}":1}'],
    [["a\nb\t\b\f"], '["a\\nb\\t\\b\\f"]'],
  ])("interpolation - %j encodes as %s", (v, json) => {
    expect(toJSON(v as never)).toBe(json);
  });

  it("interpolation - keys sort by UTF-8 bytes, not UTF-16 units", () => {
    expect(["\u{1F600}", "\uFFFF", "a"].sort(compareUTF8)).toEqual(["a", "\uFFFF", "\u{1F600}"]);
  });

  it("interpolation - UTF-8 length counts bytes", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
  });
});

describe("interpolation - Go quoting", () => {
  it.each([
    ["plain", '"plain"'],
    ['q"b\\', '"q\\"b\\\\"'],
    ["\n\t\x07\x7f", '"\\n\\t\\a\\x7f"'],
    ["é😀", '"é😀"'],
    ["\u200b", '"\\u200b"'],
  ])("interpolation - %j quotes as %s", (s, quoted) => {
    expect(goQuote(s)).toBe(quoted);
    expect(goUnquote(quoted)).toBe(s);
  });

  it.each([['"a\nb"'], ['"\\q"'], ['"\\x4"'], ['"\\ud800"'], ['"a"b"'], ["noquotes"]])(
    "interpolation - %s does not unquote",
    (s) => {
      expect(goUnquote(s)).toBeUndefined();
    },
  );
});

describe("interpolation - Go Sprintf", () => {
  it.each([
    ["%v %v %v", [1n, "s", true], "1 s true"],
    ["%d|%5d|%-5d|%05d", [42n, 42n, 42n, -42n], "42|   42|42   |-0042"],
    ["%x %X %o %b %c", [255n, 255n, 8n, 5n, 65n], "ff FF 10 101 A"],
    [
      "%.2f %e %g",
      [new GoFloat(3.14659), new GoFloat(1234.5), new GoFloat(0.00001)],
      "3.15 1.234500e+03 1e-05",
    ],
    ["%s", [new Uint8Array([104, 105])], "hi"],
    ["%q", ['a"b'], '"a\\"b"'],
    ["%v", [new JsonNumber("1.50")], "1.50"],
    ["%d", [new GoFloat(1.5)], "%!d(float64=1.5)"],
    ["%s %s", ["one"], "one %!s(MISSING)"],
    ["%", [], "%!(NOVERB)"],
    ["%%", [], "%"],
  ])("interpolation - Sprintf %s gives %s", (fmt, args, out) => {
    expect(goSprintf(fmt, args as never)).toBe(out);
  });
});
