// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { substituteEnvVars } from "./env-vars.js";
import { EnvVarError } from "./errors.js";

const env = { HOST: "nats.example", EMPTY: "", MULTI: "a\nb", B64: Buffer.from("secret").toString("base64") };

describe("interpolation - environment variable substitution", () => {
  it.each([
    ["url: ${HOST}", "url: nats.example"],
    ["url: ${HOST:localhost}", "url: nats.example"],
    ["url: ${NOPE:localhost}", "url: localhost"],
    ["url: ${EMPTY:fallback}", "url: fallback"],
    ["url: ${EMPTY}", "url: "],
    ["url: ${NOPE:}", "url: "],
    ["both ${HOST} ${HOST}", "both nats.example nats.example"],
    ["escaped: ${{HOST}}", "escaped: ${HOST}"],
    ["escaped default: ${{HOST:x}}", "escaped default: ${HOST:x}"],
    ['interp: ${! meta("k") }', 'interp: ${! meta("k") }'],
    ["no var: ${}", "no var: ${}"],
    ["dots: ${A.B:d}", "dots: d"],
    ["nested default: ${NOPE:${HOST}}", "nested default: ${HOST}"],
    ["multi: ${MULTI}", "multi: a\\nb"],
    ["decoded: ${B64|base64decode}", "decoded: secret"],
    ["decoded default: ${NOPE:c2VjcmV0|base64decode}", "decoded default: secret"],
    ["pipe in default: ${NOPE:a|b}", "pipe in default: a|b"],
  ])("interpolation - %j becomes %j", (input, expected) => {
    const r = substituteEnvVars(input, env);
    expect(r.text).toBe(expected);
    expect(r.missing).toEqual([]);
  });

  it("interpolation - originalOffset maps positions in the result back to the config text", () => {
    const text = "a: ${X}\nb: ${Y:def} tail ${{Z}} end ${W}!";
    const r = substituteEnvVars(text, { X: "a-long-value", W: "" });
    expect(r.text).toBe("a: a-long-value\nb: def tail ${Z} end !");
    // Text outside the substitutions maps to the same character.
    for (const s of ["\nb: ", " tail ", " end ", "!"]) {
      const at = r.text.indexOf(s);
      expect(text.slice(r.originalOffset(at), r.originalOffset(at) + s.length)).toBe(s);
    }
    // Inside a value: the `$` of its reference.
    expect(r.originalOffset(r.text.indexOf("long"))).toBe(text.indexOf("${X}"));
    expect(r.originalOffset(r.text.indexOf("def"))).toBe(text.indexOf("${Y:def}"));
    expect(r.originalOffset(r.text.indexOf("${Z}") + 2)).toBe(text.indexOf("${{Z}}"));
    expect(r.originalOffset(r.text.length)).toBe(text.length);
  });

  it("interpolation - unset variables without default are reported once, in order", () => {
    const r = substituteEnvVars("a: ${FIRST}\nb: ${SECOND}\nc: ${FIRST}\nd: ${WITH:default}", env);
    expect(r.text).toBe("a: \nb: \nc: \nd: default");
    expect(r.missing).toEqual(["FIRST", "SECOND"]);
  });

  it("interpolation - a lookup function can be given", () => {
    expect(substituteEnvVars("${X}", (n) => (n === "X" ? "from fn" : undefined)).text).toBe("from fn");
  });

  it("interpolation - reads process.env by default", () => {
    process.env.NATSKIT_INTERP_TEST = "set";
    try {
      expect(substituteEnvVars("${NATSKIT_INTERP_TEST}").text).toBe("set");
    } finally {
      delete process.env.NATSKIT_INTERP_TEST;
    }
  });

  it("interpolation - an undecodable base64 value is a typed error", () => {
    try {
      substituteEnvVars("${BAD|base64decode}", { BAD: "%%%" });
      expect.unreachable();
    } catch (e) {
      expect(EnvVarError.isInstance(e)).toBe(true);
      expect((e as EnvVarError).code).toBe("BASE64_DECODE");
      expect((e as EnvVarError).variable).toBe("BAD");
    }
  });

  it("interpolation - an unknown filter is a typed error", () => {
    expect(() => substituteEnvVars("${HOST|rot13}", env)).toThrow(EnvVarError);
  });
});
