// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, parseError, q, qError, run, testEnv } from "../test/helpers.js";
import { createEnvironment } from "./environment.js";
import { createBatch } from "./message.js";

const m = msg('{"user":{"name":"ada","tags":["a","b"]},"items":[{"id":1},{"id":2}],"n":1.50,"s.k":"dot"}', {
  metadata: {
    topic: "orders",
    empty: "",
    num: 7,
    flag: true,
    bin: new Uint8Array([104, 105]),
    obj: { b: 1 },
  },
});

describe("interpolation - message functions", () => {
  it.each([
    [
      "content()",
      '{"user":{"name":"ada","tags":["a","b"]},"items":[{"id":1},{"id":2}],"n":1.50,"s.k":"dot"}',
    ],
    ['json("user.name")', "ada"],
    ['json("user.tags")', '["a","b"]'],
    ['json("user.tags.1")', "b"],
    ['json("items.*.id")', "[1,2]"],
    ['json("s~1k")', "dot"],
    ['json("nope")', "null"],
    ['json("user.name.deeper")', "null"],
    ['json("n")', "1.5"],
    ["json().user.name", "ada"],
    ['json("user").name', "ada"],
    ['meta("topic")', "orders"],
    ['meta("empty")', "null"],
    ['meta("missing")', "null"],
    ['meta("num")', "7"],
    ['meta("flag")', "true"],
    ['meta("bin")', "hi"],
    ['meta("obj")', '{"b":1}'],
    ['meta("num").type()', "string"],
    ["meta()", '{"bin":"hi","empty":"","flag":"true","num":"7","obj":"{\\"b\\":1}","topic":"orders"}'],
    ['metadata("topic")', "orders"],
    ['metadata("empty")', ""],
    ['metadata("missing")', "null"],
    ['metadata("num") + 1', "8"],
    ['metadata("num").type()', "number"],
    ['metadata("flag").type()', "bool"],
    ['metadata("bin").type()', "bytes"],
    ['metadata("obj").b', "1"],
    ['root_meta("topic")', "orders"],
    ['root_meta("empty")', "null"],
    ["batch_index()", "0"],
    ["batch_size()", "1"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query, m)).toBe(expected);
  });

  it("interpolation - content().length() counts bytes", () => {
    expect(q("content().length()", m)).toBe(String(m.content.length));
    expect(q("content().length()", msg("héllo"))).toBe("6");
  });

  it("interpolation - content() of an empty message is empty, its length 0", () => {
    expect(q("content()", msg(""))).toBe("");
    expect(q("content().length()", msg(""))).toBe("0");
  });

  it("interpolation - content() keeps binary bytes verbatim", () => {
    const bin = new Uint8Array([0, 255, 1]);
    expect([...testEnv.compile("${! content() }").evaluateBytes(msg(bin))]).toEqual([0, 255, 1]);
  });

  it("interpolation - json() fails on bodies that are not one JSON document", () => {
    expect(qError('json("a")', msg("nope")).message).toBe(
      "invalid character 'o' in literal null (expecting 'u')",
    );
    expect(qError("json()", msg("[1,")).message).toBe("unexpected EOF");
    expect(qError("json()", msg("{} x")).message).toBe(
      "invalid character 'x' looking for beginning of value",
    );
    expect(qError("json()", msg("   ")).message).toBe("EOF");
  });
});

describe("interpolation - error functions", () => {
  it.each([
    ["error()", undefined, "null"],
    ["errored()", undefined, "false"],
    ["error()", "it broke", "it broke"],
    ["errored()", "it broke", "true"],
    ["error_source_name()", undefined, "null"],
    ["error_source_label()", undefined, "null"],
    ["error_source_path()", undefined, "null"],
    ['error().or("fine")', undefined, "fine"],
  ])("interpolation - %s with error %j gives %j", (query, error, expected) => {
    const mm = msg("{}", error === undefined ? {} : { error });
    expect(q(query, mm)).toBe(expected);
  });

  it("interpolation - error sources come from the processing error", () => {
    const mm = msg("{}", {
      error: {
        message: "bad",
        source: { name: "mapping", label: "lbl", path: ["pipeline", "processors", "0"] },
      },
    });
    expect(q("error_source_name()", mm)).toBe("mapping");
    expect(q("error_source_label()", mm)).toBe("lbl");
    expect(q("error_source_path()", mm)).toBe("pipeline.processors.0");
    expect(q("error()", msg("{}", { error: new Error("from an Error") }))).toBe("from an Error");
  });
});

describe("interpolation - tracing functions", () => {
  const W3C = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  it.each([
    [undefined, "tracing_id()", ""],
    [undefined, "tracing_span()", "null"],
    [{}, "tracing_span()", "null"],
    [{ traceparent: W3C }, "tracing_id()", "4bf92f3577b34da6a3ce929d0e0e4736"],
    [
      { traceparent: W3C, tracestate: "k=v" },
      "tracing_span()",
      `{"traceparent":"${W3C}","tracestate":"k=v"}`,
    ],
    [{ traceparent: W3C }, 'tracing_span().traceparent.split("-").index(2)', "00f067aa0ba902b7"],
    [{ Traceparent: W3C.toUpperCase() }, "tracing_id()", "4bf92f3577b34da6a3ce929d0e0e4736"],
    [
      { b3: "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1" },
      "tracing_id()",
      "80f198ee56343ba864fe8b2a57d3eff7",
    ],
    [{ b3: "a3ce929d0e0e4736-00f067aa0ba902b7" }, "tracing_id()", "a3ce929d0e0e4736"],
    [
      { "X-B3-TraceId": "463ac35c9f6413ad48485a3953bb6124" },
      "tracing_id()",
      "463ac35c9f6413ad48485a3953bb6124",
    ],
    [{ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }, "tracing_id()", ""],
    [{ traceparent: "garbage" }, "tracing_id()", ""],
    [{ b3: "0" }, "tracing_id()", ""],
  ])("interpolation - with trace context %j, %s gives %j", (tracing, query, expected) => {
    expect(q(query, msg("{}", tracing === undefined ? {} : { tracing }))).toBe(expected);
  });

  it("interpolation - the trace context is copied in, kept by clone and cleared with undefined", () => {
    const carrier: Record<string, string> = { traceparent: W3C };
    const m = msg("{}", { tracing: carrier });
    carrier.traceparent = "changed";
    expect(m.tracing).toEqual({ traceparent: W3C });
    expect(q("tracing_id()", m.clone())).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    m.setTracing(undefined);
    expect(q("tracing_span()", m)).toBe("null");
    expect(() => m.setTracing({ traceparent: 1 } as unknown as Record<string, string>)).toThrow(
      "tracing: value of 'traceparent' must be a string",
    );
  });

  it("interpolation - a batch message's own trace context is read", () => {
    const b = createBatch([msg("a", { tracing: { traceparent: W3C } }), msg("b")]);
    const c = testEnv.compile("${! tracing_id() }|${! tracing_span() }");
    expect(c.evaluateAt(b, 0)).toBe('4bf92f3577b34da6a3ce929d0e0e4736|{"traceparent":"' + W3C + '"}');
    expect(c.evaluateAt(b, 1)).toBe("|null");
  });
});

describe("interpolation - marker and general functions", () => {
  it.each([
    ["deleted()", "null"],
    ["nothing()", "null"],
    ["deleted().type()", "delete"],
    ["range(0, 5)", "[0,1,2,3,4]"],
    ["range(0, 10, 3)", "[0,3,6]"],
    ["range(5, 0, -2)", "[5,3]"],
    ["range(0, 4, 2)", "[0,2]"],
    ["range(start: 1, stop: 3)", "[1,2]"],
    ["bytes(3).length()", "3"],
    ['throw("x").catch("caught")', "caught"],
    ['env("TEST_VAR")', "hello"],
    ['env("EMPTY_VAR")', ""],
    ['env("NOT_SET")', "null"],
    ['env(name: "TEST_VAR", no_cache: true)', "hello"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    ["range(0, 5, 0)", "step must be greater than or less than 0"],
    ["range(0, 5, -1)", "with negative step arg stop (5) must be <= start (0)"],
    ["random_int(min: 5, max: 1)", "min (5) must be smaller or equal than max (1)"],
    ["random_int(min: -1)", "min (-1) must be a positive number"],
    [
      "random_int(max: 9223372036854775807)",
      "max must be smaller than the max allowed for an int64 (9223372036854775807)",
    ],
    ["nanoid(0)", ""],
  ])("interpolation - %s is rejected when compiled with %j", (query, message) => {
    if (message === "") {
      expect(qError(query).message).toBe("size must be positive integer");
      return;
    }
    expect(parseError(`\${! ${query} }`).reason).toBe(message);
  });

  it("interpolation - throw fails with its message", () => {
    const e = qError('throw("custom failure")');
    expect(e.message).toBe("custom failure");
    expect(e.code).toBe("THROWN");
  });

  it("interpolation - env() is cached at compile time unless no_cache", () => {
    const vars: Record<string, string> = { V: "one" };
    const env = createEnvironment({ env: (n) => vars[n] });
    const cached = env.compile('${! env("V") }');
    const live = env.compile('${! env(name: "V", no_cache: true) }');
    vars.V = "two";
    expect(cached.evaluate(msg())).toBe("one");
    expect(live.evaluate(msg())).toBe("two");
  });

  it("interpolation - file() reads at compile time and a missing file is a parse error", () => {
    const files: Record<string, string> = { "/cfg/a.txt": "file body" };
    const env = createEnvironment({
      readFile: (p) => {
        const f = files[p];
        if (f === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return new TextEncoder().encode(f);
      },
    });
    expect(env.compile('${! file("/cfg/a.txt") }').evaluate(msg())).toBe("file body");
    expect(env.compile('${! file("/cfg/a.txt").type() }').evaluate(msg())).toBe("bytes");
    const e = parseError('${! file("/missing") }', env);
    expect(e.reason).toBe("open /missing: no such file or directory");
    expect(e.code).toBe("INVALID_ARGUMENTS");
    const lazy = env.compile('${! file(path: "/missing", no_cache: true).catch("absent") }');
    expect(lazy.evaluate(msg())).toBe("absent");
  });

  it("interpolation - hostname() is the machine's host name", async () => {
    const { hostname } = await import("node:os");
    expect(q("hostname()")).toBe(hostname());
  });
});

describe("interpolation - counters", () => {
  it("interpolation - count() is shared by name across call sites of one environment", () => {
    const env = createEnvironment();
    const a = env.compile('${! count("c1") }');
    const b = env.compile('${! count("c1") }-${! count("c2") }');
    expect(a.evaluate(msg())).toBe("1");
    expect(a.evaluate(msg())).toBe("2");
    expect(b.evaluate(msg())).toBe("3-1");
    expect(createEnvironment().compile('${! count("c1") }').evaluate(msg())).toBe("1");
  });

  it("interpolation - counter() keeps state per call site and wraps after max", () => {
    const c = testEnv.compile("${! counter(min: 2, max: 4) }");
    expect([1, 2, 3, 4].map(() => c.evaluate(msg()))).toEqual(["2", "3", "4", "2"]);
    const d = testEnv.compile("${! counter() }");
    expect([d.evaluate(msg()), d.evaluate(msg())]).toEqual(["1", "2"]);
  });

  it("interpolation - counter(set:) can set, peek and reset", () => {
    const c = testEnv.compile('${! counter(set: if this.s != "inc" { this.s }) }');
    const at = (set: string) => c.tryString(msg(`{"s":${set}}`));
    expect(at('"inc"')).toEqual({ ok: true, value: "1" });
    expect(at('"inc"')).toEqual({ ok: true, value: "2" });
    expect(at("null")).toEqual({ ok: true, value: "2" });
    expect(at("10")).toEqual({ ok: true, value: "10" });
    expect(at('"inc"')).toEqual({ ok: true, value: "11" });
    const bad = at('"x"');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toBe("failed to resolve set argument: expected number value");
    const r = testEnv.compile("${! counter(set: if this.reset { deleted() }) }");
    const ev = (reset: boolean) => r.evaluate(msg(`{"reset":${reset}}`));
    expect([ev(false), ev(false), ev(true), ev(false)]).toEqual(["1", "2", "1", "2"]);
  });
});

describe("interpolation - time and id functions", () => {
  it("interpolation - now() is an RFC 3339 string close to the clock", () => {
    const s = q("now()");
    expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect(Math.abs(Date.parse(s) - Date.now())).toBeLessThan(5000);
  });

  it("interpolation - timestamp_unix functions agree with each other", () => {
    const s = BigInt(q("timestamp_unix()"));
    const ms = BigInt(q("timestamp_unix_milli()"));
    const us = BigInt(q("timestamp_unix_micro()"));
    const ns = BigInt(q("timestamp_unix_nano()"));
    expect(ms / 1000n - s).toBeLessThanOrEqual(1n);
    expect(us / 1000n - ms).toBeLessThanOrEqual(1000n);
    expect(ns / 1000n - us).toBeLessThanOrEqual(1000000n);
    expect(q("timestamp_unix().type()")).toBe("number");
  });

  it("interpolation - uuid_v4() is a lowercase version 4 UUID and unique", () => {
    const a = q("uuid_v4()");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(q("uuid_v4()")).not.toBe(a);
  });

  it("interpolation - uuid_v7() encodes the time and sorts by it", () => {
    const a = q("uuid_v7()");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = Number.parseInt(a.replace(/-/g, "").slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(5000);
    const fixed = q('uuid_v7("2020-01-01T00:00:00Z".ts_parse("2006-01-02T15:04:05Z07:00"))');
    expect(Number.parseInt(fixed.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2020, 0, 1));
  });

  it.each([
    ["nanoid()", /^[A-Za-z0-9_-]{21}$/],
    ["nanoid(54)", /^[A-Za-z0-9_-]{54}$/],
    ['nanoid(10, "ab")', /^[ab]{10}$/],
    ["ksuid()", /^[0-9A-Za-z]{27}$/],
  ])("interpolation - %s matches %s", (query, re) => {
    expect(q(query)).toMatch(re);
  });

  it("interpolation - ksuid() starts with the current time", () => {
    const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let n = 0n;
    for (const c of q("ksuid()")) n = n * 62n + BigInt(BASE62.indexOf(c));
    const secs = Number(n >> 128n) + 1400000000;
    expect(Math.abs(secs - Date.now() / 1000)).toBeLessThan(5);
  });

  it("interpolation - random_int() is deterministic per seed and stays in range", () => {
    const a = testEnv.compile("${! random_int(seed: 42, min: 10, max: 20) }");
    const b = testEnv.compile("${! random_int(42, 10, 20) }");
    const xs = Array.from({ length: 50 }, () => a.evaluate(msg()));
    const ys = Array.from({ length: 50 }, () => b.evaluate(msg()));
    expect(xs).toEqual(ys);
    for (const x of xs) {
      expect(Number(x)).toBeGreaterThanOrEqual(10);
      expect(Number(x)).toBeLessThanOrEqual(20);
    }
    expect(new Set(xs).size).toBeGreaterThan(3);
  });

  it("interpolation - random_int() seeds once from a dynamic seed", () => {
    const c = testEnv.compile("${! random_int(seed: this.s, max: 1000000) }");
    const first = c.evaluate(msg('{"s":1}'));
    const again = testEnv.compile("${! random_int(seed: 1, max: 1000000) }").evaluate(msg());
    expect(first).toBe(again);
    expect(run("${! random_int(max: 0) }")).toBe("0");
  });
});
