import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

describe("nats-connection duration", () => {
  it("nats-connection - duration: parses go durations and numbers of ms", () => {
    expect(parseDuration("5s")).toEqual({ ms: 5000 });
    expect(parseDuration("1m30s")).toEqual({ ms: 90_000 });
    expect(parseDuration("1.5h")).toEqual({ ms: 5_400_000 });
    expect(parseDuration("250ms")).toEqual({ ms: 250 });
    expect(parseDuration("1500us")).toEqual({ ms: 1.5 });
    expect(parseDuration("0")).toEqual({ ms: 0 });
    expect(parseDuration("-2s")).toEqual({ ms: -2000 });
    expect(parseDuration(1234)).toEqual({ ms: 1234 });
  });

  it("nats-connection - duration: rejects what is not a duration, naming the units", () => {
    for (const bad of ["", "5", "5 s", "s", "1x", "1m 30s", "--1s"]) {
      const r = parseDuration(bad);
      expect("error" in r, bad).toBe(true);
    }
    expect(parseDuration("5 parsecs")).toEqual({
      error: "'5 parsecs' is not a duration (use a number with a unit: ns, us, ms, s, m, h, e.g. '1m30s')",
    });
    expect("error" in parseDuration(Number.NaN)).toBe(true);
    expect("error" in parseDuration({} as unknown as string)).toBe(true);
  });

  it("nats-connection - duration: any input gives a value or an error, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.anything()), (x) => {
        const r = parseDuration(x as string);
        expect("ms" in r || "error" in r).toBe(true);
      }),
    );
  });
});
