import { describe, expect, it } from "vitest";
import { processCpuSeconds } from "./process.js";

describe("process CPU", () => {
  it("process - CPU seconds of a process grow while it computes", () => {
    const before = processCpuSeconds(process.pid);
    const own0 = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(own0).user < 300_000) x += Math.sqrt(x + 1);
    const after = processCpuSeconds(process.pid);
    expect(Number.isFinite(before)).toBe(true);
    // 0.3 s of user time by Node's own count; /proc ticks are 10 ms.
    expect(after - before).toBeGreaterThanOrEqual(0.25);
    expect(x).toBeGreaterThan(0);
  });
});
