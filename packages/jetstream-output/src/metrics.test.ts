import { loadMeter } from "@natskit/nats-connection/internal";
import { metrics } from "@opentelemetry/api";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";

afterEach(() => metrics.disable());

describe("jetstream-output metrics setup", () => {
  it("jetstream-output - no global meter provider: no meter, so no instruments and no per-message clock reads", async () => {
    expect(await loadMeter("@natskit/jetstream-output", "")).toBeUndefined();
  });

  it("jetstream-output - a global meter provider, or one passed in, gives a real meter", async () => {
    const given = new MeterProvider();
    expect(await loadMeter("@natskit/jetstream-output", "", given)).toBeDefined();
    metrics.setGlobalMeterProvider(new MeterProvider());
    const meter = await loadMeter("@natskit/jetstream-output", "");
    expect(meter).toBeDefined();
    expect(meter?.constructor.name).not.toBe("NoopMeter");
  });
});
