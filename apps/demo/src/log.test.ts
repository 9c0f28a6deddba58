import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLogger, type LOG_LEVELS, type LoggerOptions, parseLogLevel } from "./log.js";

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger(options, (l) => lines.push(l));
  return { log, lines };
}

/** A logfmt line as key/value pairs (quoted values unescaped as JSON strings). */
function parseLogfmt(line: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)/g;
  let consumed = 0;
  for (const m of line.matchAll(re)) {
    out.push([
      m[1] as string,
      (m[2] as string).startsWith('"') ? JSON.parse(m[2] as string) : (m[2] as string),
    ]);
    consumed += m[0].length + 1;
  }
  expect(consumed - 1).toBe(line.length);
  return out;
}

describe("logger", () => {
  it("demo - logfmt puts level and msg first, then static fields, bound fields and line fields", () => {
    const { log, lines } = capture({ staticFields: { "@service": "redpanda-connect" } });
    log.with({ label: "out", path: "root.output" }).info("Output connected", { held: 3 });
    expect(lines).toEqual([
      'level=info msg="Output connected" @service=redpanda-connect label=out path=root.output held=3\n',
    ]);
  });

  it("demo - logfmt quotes values with spaces, quotes, '=' or newlines and empty values", () => {
    const { log, lines } = capture({ staticFields: {} });
    log.warn("a", { s: 'say "hi"', e: "", eq: "a=b", nl: "x\ny", plain: "x.y-z/1", n: 1.5, b: false });
    expect(lines[0]).toBe(
      'level=warn msg=a s="say \\"hi\\"" e="" eq="a=b" nl="x\\ny" plain=x.y-z/1 n=1.5 b=false\n',
    );
  });

  it("demo - json writes one object per line with the configured field names", () => {
    const { log, lines } = capture({
      format: "json",
      levelName: "severity",
      messageName: "message",
      addTimestamp: true,
      timestampName: "ts",
    });
    log.error("cannot connect", { attempt: 2, skipped: undefined });
    const obj = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual(["ts", "severity", "message", "@service", "attempt"]);
    expect(obj).toMatchObject({
      severity: "error",
      message: "cannot connect",
      "@service": "natskit",
      attempt: 2,
    });
    expect(Number.isNaN(Date.parse(obj.ts as string))).toBe(false);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
  });

  it("demo - json never lets a field replace the level or the message", () => {
    const { log, lines } = capture({ format: "json" });
    log.info("real", { msg: "fake", level: "error" });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: "info", msg: "real" });
  });

  it("demo - a level shows its own messages and the more severe ones; OFF and FATAL show none of natskit's", () => {
    const shown = (level: (typeof LOG_LEVELS)[number]) => {
      const { log, lines } = capture({ level });
      log.error("e");
      log.warn("w");
      log.info("i");
      log.debug("d");
      return lines.map((l) => /level=(\w+)/.exec(l)?.[1]);
    };
    expect(shown("off")).toEqual([]);
    expect(shown("fatal")).toEqual([]);
    expect(shown("error")).toEqual(["error"]);
    expect(shown("warn")).toEqual(["error", "warn"]);
    expect(shown("info")).toEqual(["error", "warn", "info"]);
    expect(shown("debug")).toEqual(["error", "warn", "info", "debug"]);
    expect(shown("trace")).toEqual(["error", "warn", "info", "debug"]);
    expect(shown("all")).toEqual(["error", "warn", "info", "debug"]);
  });

  it("demo - levels are Redpanda Connect's, in any case; anything else is not a level", () => {
    expect(parseLogLevel("INFO")).toBe("info");
    expect(parseLogLevel("Warn")).toBe("warn");
    expect(parseLogLevel("ALL")).toBe("all");
    expect(parseLogLevel("none")).toBe("off");
    expect(parseLogLevel("verbose")).toBeUndefined();
    expect(parseLogLevel("")).toBeUndefined();
  });

  it("demo - any message and fields give exactly one line that parses back, in both formats", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.dictionary(fc.stringMatching(/^[a-z_@.][a-z0-9_.]{0,8}$/), fc.string({ unit: "binary" }), {
          maxKeys: 4,
        }),
        (msg, fields) => {
          const text = capture({ staticFields: {} });
          text.log.info(msg, fields);
          const line = text.lines[0] as string;
          expect(line.indexOf("\n")).toBe(line.length - 1);
          const pairs = parseLogfmt(line.slice(0, -1));
          expect(pairs.slice(0, 2)).toEqual([
            ["level", "info"],
            ["msg", msg],
          ]);
          expect(Object.fromEntries(pairs.slice(2))).toEqual(fields);

          const json = capture({ format: "json", staticFields: {} });
          json.log.info(msg, fields);
          const jl = json.lines[0] as string;
          expect(jl.indexOf("\n")).toBe(jl.length - 1);
          expect(JSON.parse(jl)).toMatchObject({ level: "info", msg });
        },
      ),
    );
  });
});
