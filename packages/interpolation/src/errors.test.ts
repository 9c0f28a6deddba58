// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import {
  EnvVarError,
  InterpolationBaseError,
  InterpolationError,
  InterpolationParseError,
} from "./errors.js";

const parseInit = {
  source: "src",
  char: 2,
  line: 1,
  column: 2,
  reason: "required: expected query",
  got: "rc",
};
const evalInit = { expression: "json()", part: 0, line: 1, column: 1 };

describe("interpolation - error classes", () => {
  it("interpolation - names equal class names and codes are stable", () => {
    const p = new InterpolationParseError("EXPECTED_QUERY", parseInit);
    const e = new InterpolationError("THROWN", "why", evalInit);
    const v = new EnvVarError("BASE64_DECODE", "X", "X: bad");
    expect([p.name, p.code, p.message]).toEqual([
      "InterpolationParseError",
      "EXPECTED_QUERY",
      "char 2: required: expected query",
    ]);
    expect([e.name, e.code, e.message]).toEqual(["InterpolationError", "THROWN", "why"]);
    expect([v.name, v.code]).toEqual(["EnvVarError", "BASE64_DECODE"]);
    expect(p).toBeInstanceOf(Error);
  });

  it("interpolation - isInstance tells the classes apart", () => {
    const p = new InterpolationParseError("SYNTAX", parseInit);
    const e = new InterpolationError("FAILED", "x", evalInit);
    expect(InterpolationParseError.isInstance(p)).toBe(true);
    expect(InterpolationParseError.isInstance(e)).toBe(false);
    expect(InterpolationError.isInstance(e)).toBe(true);
    expect(InterpolationError.isInstance(p)).toBe(false);
    expect(InterpolationBaseError.isInstance(p) && InterpolationBaseError.isInstance(e)).toBe(true);
    expect(InterpolationBaseError.isInstance(new Error("plain"))).toBe(false);
    expect(InterpolationBaseError.isInstance(null)).toBe(false);
    expect(InterpolationBaseError.isInstance("string")).toBe(false);
  });

  it("interpolation - isInstance works for an error from another copy of the package", () => {
    // A second copy has its own classes but the same Symbol.for marker.
    const foreign = Object.assign(new Error("from elsewhere"), {
      name: "InterpolationError",
      code: "THROWN",
      [Symbol.for("natskit.interpolation.error")]: true,
    });
    expect(foreign instanceof InterpolationError).toBe(false);
    expect(InterpolationError.isInstance(foreign)).toBe(true);
    expect(InterpolationBaseError.isInstance(foreign)).toBe(true);
  });

  it("interpolation - cause is kept", () => {
    const cause = new Error("root cause");
    expect(new InterpolationError("FAILED", "x", evalInit, { cause }).cause).toBe(cause);
  });

  it("interpolation - render handles tabs and later lines", () => {
    const p = new InterpolationParseError("SYNTAX", {
      source: "one\n\tab ${! x y }",
      char: 14,
      line: 2,
      column: 10,
      reason: "required: expected end of expression",
      got: "y }",
    });
    expect(p.render()).toBe(
      [
        "line 2 char 10: required: expected end of expression",
        "  |",
        "2 | \tab ${! x y }",
        "  | \t        ^---",
      ].join("\n"),
    );
  });
});
