import { describe, expect, it } from "vitest";
import {
  compareVersions,
  NATS_SERVER_FEATURES,
  parseNatsServerVersion,
  skipReason,
  supports,
} from "./version.js";

describe("version", () => {
  it("version - parses nats-server --version output", () => {
    expect(parseNatsServerVersion("nats-server: v2.9.10\n")).toBe("2.9.10");
    expect(parseNatsServerVersion("nats-server: v2.11.0-RC.2")).toBe("2.11.0-RC.2");
    expect(parseNatsServerVersion("2.10.1")).toBe("2.10.1");
    expect(parseNatsServerVersion("garbage")).toBeUndefined();
  });

  it("version - compares numerically, not as text", () => {
    expect(compareVersions("2.9.10", "2.10.0")).toBeLessThan(0);
    expect(compareVersions("2.10.0", "2.9.10")).toBeGreaterThan(0);
    expect(compareVersions("2.10.0", "2.10.0")).toBe(0);
    expect(compareVersions("2.11.0-RC.1", "2.11.0")).toBe(0);
  });

  it("version - supports and skipReason follow the feature table", () => {
    expect(supports("2.9.10", "handshakeFirst")).toBe(false);
    expect(supports("2.10.0", "handshakeFirst")).toBe(true);
    expect(supports("2.10.29", "perKeyTtl")).toBe(false);
    expect(supports("2.11.0", "perKeyTtl")).toBe(true);
    expect(skipReason("handshakeFirst", "2.9.10")).toBe(
      "nats-server 2.9.10 lacks tls handshake_first (needs >= 2.10.0)",
    );
    expect(skipReason("perKeyTtl", "2.12.1")).toBeUndefined();
    for (const [feature, f] of Object.entries(NATS_SERVER_FEATURES)) {
      expect(supports(f.minVersion, feature as keyof typeof NATS_SERVER_FEATURES)).toBe(true);
    }
  });
});
