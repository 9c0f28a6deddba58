// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg } from "../test/helpers.js";
import { compileInterpolation, createEnvironment, defaultEnvironment } from "./environment.js";
import { InterpolationBaseError, InterpolationError, InterpolationParseError } from "./errors.js";
import { createBatch } from "./message.js";

describe("interpolation - environments", () => {
  it("interpolation - the default environment is shared and built on first use", () => {
    expect(defaultEnvironment()).toBe(defaultEnvironment());
    expect(compileInterpolation('x-${! "y" }').evaluate(msg())).toBe("x-y");
  });

  it("interpolation - environments list their functions and methods", () => {
    const env = createEnvironment();
    for (const f of [
      "content",
      "json",
      "meta",
      "metadata",
      "batch_index",
      "batch_size",
      "error",
      "errored",
      "deleted",
      "count",
      "counter",
      "hostname",
      "env",
      "file",
      "now",
      "timestamp_unix",
      "timestamp_unix_milli",
      "timestamp_unix_micro",
      "timestamp_unix_nano",
      "uuid_v4",
      "uuid_v7",
      "nanoid",
      "ksuid",
      "random_int",
      "tracing_id",
      "tracing_span",
      "throw",
    ]) {
      expect(env.hasFunction(f), f).toBe(true);
    }
    for (const m of ["uppercase", "from", "from_all", "ts_format", "hash", "encode", "catch", "or"]) {
      expect(env.hasMethod(m), m).toBe(true);
    }
    expect(env.functionNames()).toContain("json");
    expect(env.methodNames()).toContain("uppercase");
  });

  it("interpolation - builtins: false gives an empty environment", () => {
    const env = createEnvironment({ builtins: false });
    expect(env.functionNames()).toEqual([]);
    expect(env.tryCompile('${! json("a") }').ok).toBe(false);
    expect(env.compile('${! "literal" }').evaluate(msg())).toBe("literal");
  });

  it("interpolation - tryCompile returns a result instead of throwing", () => {
    const env = createEnvironment();
    const good = env.tryCompile("ok");
    expect(good.ok).toBe(true);
    const bad = env.tryCompile("${! nope() }");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe("UNKNOWN_FUNCTION");
      expect(InterpolationParseError.isInstance(bad.error)).toBe(true);
    }
  });

  it("interpolation - plugins extend one environment only", () => {
    const env = createEnvironment();
    env.registerFunction("shout", {
      params: [{ name: "text", type: "string" }],
      create:
        ({ text }) =>
        () =>
          `${String(text).toUpperCase()}!`,
    });
    expect(env.compile('${! shout("hi") }').evaluate(msg())).toBe("HI!");
    expect(env.compile('${! shout(text: meta("k")) }').evaluate(msg("", { metadata: { k: "dyn" } }))).toBe(
      "DYN!",
    );
    expect(createEnvironment().hasFunction("shout")).toBe(false);
    expect(defaultEnvironment().hasFunction("shout")).toBe(false);
  });

  it("interpolation - plugin functions see the message and batch", () => {
    const env = createEnvironment().registerFunction("where", {
      create: () => (ctx) => `${ctx.batchIndex}/${ctx.batchSize}:${ctx.message.text}`,
    });
    const b = createBatch(["a", "b"]);
    expect(env.compile("${! where() }").evaluateAt(b, 1)).toBe("1/2:b");
    expect(env.compile("${! where().from(0) }").evaluateAt(b, 1)).toBe("0/2:a");
  });

  it("interpolation - plugin methods receive plain values and return typed ones", () => {
    const env = createEnvironment()
      .registerMethod("double", { create: () => (v) => (typeof v === "bigint" ? v * 2n : Number(v) * 2) })
      .registerMethod("suffix", {
        params: [{ name: "s", type: "string", default: "!" }],
        create:
          ({ s }) =>
          (v) =>
            `${String(v)}${String(s)}`,
      })
      .registerMethod("when", { create: () => (v) => (v instanceof Date ? v.toISOString() : "no") });
    expect(env.compile("${! 21.double() }").evaluate(msg())).toBe("42");
    expect(env.compile("${! this.n.double() }").evaluate(msg('{"n":1.25}'))).toBe("2.5");
    expect(env.compile('${! "a".suffix() }${! "b".suffix("?") }').evaluate(msg())).toBe("a!b?");
    expect(
      env
        .compile('${! "2020-01-01T00:00:00Z".ts_parse("2006-01-02T15:04:05Z07:00").when() }')
        .evaluate(msg()),
    ).toBe("2020-01-01T00:00:00.000Z");
  });

  it("interpolation - plugin errors become typed errors", () => {
    const env = createEnvironment()
      .registerFunction("boom", {
        create: () => () => {
          throw new Error("plugin exploded");
        },
      })
      .registerFunction("picky", {
        params: [{ name: "n", type: "int" }],
        create: ({ n }) => {
          if (n === 0n) throw new Error("n must not be zero");
          return () => String(n);
        },
      });
    const r = env.compile("${! boom() }").tryString(msg());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("FAILED");
      expect(r.error.message).toBe("plugin exploded");
      expect(r.error.cause).toBeInstanceOf(Error);
    }
    expect(env.compile('${! boom().catch("safe") }').evaluate(msg())).toBe("safe");
    const pe = env.tryCompile("${! picky(0) }");
    expect(pe.ok).toBe(false);
    if (!pe.ok) {
      expect(pe.error.code).toBe("INVALID_ARGUMENTS");
      expect(pe.error.reason).toBe("n must not be zero");
    }
    expect(env.compile("${! picky(3) }").evaluate(msg())).toBe("3");
  });

  it("interpolation - invalid plugin names are refused", () => {
    const env = createEnvironment();
    expect(() => env.registerFunction("Bad-Name", { create: () => () => null })).toThrow(/does not match/);
    try {
      env.registerMethod("_x", { create: () => (v) => v });
    } catch (e) {
      expect(InterpolationBaseError.isInstance(e)).toBe(true);
      expect((e as InterpolationBaseError).code).toBe("INVALID_PLUGIN");
    }
  });

  it("interpolation - clone and without give independent environments", () => {
    const env = createEnvironment();
    const copy = env.clone().registerFunction("extra", { create: () => () => 1 });
    expect(copy.hasFunction("extra")).toBe(true);
    expect(env.hasFunction("extra")).toBe(false);
    const locked = env.withoutFunctions("env", "file", "file_rel", "hostname");
    expect(locked.tryCompile('${! env("HOME") }').ok).toBe(false);
    expect(env.tryCompile('${! env("HOME") }').ok).toBe(true);
    const noUpper = env.withoutMethods("uppercase");
    const r = noUpper.tryCompile('${! "a".uppercase() }');
    expect(r.ok ? "" : r.error.code).toBe("UNKNOWN_METHOD");
  });

  it("interpolation - evaluation errors are InterpolationError everywhere", () => {
    const c = createEnvironment().compile('${! json("a") }');
    expect(() => c.evaluate(msg("bad"))).toThrow(InterpolationError);
    expect(() => c.evaluateBytes(msg("bad"))).toThrow(InterpolationError);
    expect(() => c.evaluateAt(createBatch(["bad"]), 0)).toThrow(InterpolationError);
  });
});
