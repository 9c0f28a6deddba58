import { describe, expect, it } from "vitest";
import { serverAtLeast } from "./server-version.js";

describe("nats-connection server version", () => {
  it("nats-connection - serverAtLeast: compares major, then minor, not the patch level", () => {
    expect(serverAtLeast("2.11.0", 2, 11)).toBe(true);
    expect(serverAtLeast("2.12.3", 2, 11)).toBe(true);
    expect(serverAtLeast("3.0.0", 2, 14)).toBe(true);
    expect(serverAtLeast("2.10.29", 2, 11)).toBe(false);
    expect(serverAtLeast("1.99.0", 2, 0)).toBe(false);
    expect(serverAtLeast("2.14.0-RC.1", 2, 14)).toBe(true);
  });

  it("nats-connection - serverAtLeast: an unknown version is older than any feature", () => {
    expect(serverAtLeast(undefined, 2, 11)).toBe(false);
    expect(serverAtLeast(undefined, 0, 0)).toBe(true);
    expect(serverAtLeast("", 2, 11)).toBe(false);
  });
});
