import { describe, expect, it } from "vitest";
import { reserveFreePorts } from "./ports.js";

describe("ports", () => {
  it("ports - reserves distinct free ports, never the same twice in a process", async () => {
    const a = await reserveFreePorts(3);
    const b = await reserveFreePorts(3);
    expect(new Set([...a, ...b]).size).toBe(6);
    for (const p of [...a, ...b]) expect(p).toBeGreaterThan(0);
  });
});
