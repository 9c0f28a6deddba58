import { describe, expect, it } from "vitest";
import { formatMs, toWholeSeconds } from "./duration.js";

describe("kv-cache duration", () => {
  it("kv-cache - duration: formats whole seconds for ttl headers, rounding up", () => {
    expect(toWholeSeconds(1)).toBe("1s");
    expect(toWholeSeconds(1000)).toBe("1s");
    expect(toWholeSeconds(1001)).toBe("2s");
    expect(formatMs(250)).toBe("250ms");
    expect(formatMs(1500)).toBe("1.5s");
    expect(formatMs(90_000)).toBe("1.5m");
  });
});
