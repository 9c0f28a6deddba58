import { metrics } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { installMetrics, labelName, metricName, type RunMetrics } from "./metrics.js";

let installed: RunMetrics | undefined;
afterEach(async () => {
  await installed?.shutdown();
  installed = undefined;
});

const OUT = {
  label: "out",
  "messaging.system": "nats",
  "messaging.destination.template": 'ev.${! meta("t") }',
};
const OUT_LABELS =
  'label="out",messaging_destination_template="ev.${! meta(\\"t\\") }",messaging_system="nats"';

describe("metrics", () => {
  it("demo - the global provider gets the packages' instruments; names stay Redpanda Connect's", async () => {
    installed = installMetrics();
    // As a package does it: through @opentelemetry/api's global provider, after the install.
    const meter = metrics.getMeter("@natskit/jetstream-output");
    meter
      .createObservableCounter("output_sent", { description: "acked" })
      .addCallback((r) => r.observe(42, OUT));
    meter.createObservableGauge("output_connected").addCallback((r) => r.observe(1, OUT));
    const errors = meter.createCounter("output_error");
    errors.add(2, { ...OUT, error_code: "NO_STREAM" });
    const latency = meter.createHistogram("output_latency_ns", {
      unit: "ns",
      advice: { explicitBucketBoundaries: [1e6, 1e9] },
    });
    latency.record(5e5, OUT);
    latency.record(2e6, OUT);
    latency.record(3e9, OUT);
    metrics
      .getMeter("@natskit/kv-cache")
      .createUpDownCounter("cache_pending")
      .add(3, { label: "seen", bucket: "b", "messaging.system": "nats" });

    const text = await installed.scrape();
    expect(text).toContain(
      `# HELP output_sent acked\n# TYPE output_sent counter\noutput_sent{${OUT_LABELS}} 42\n`,
    );
    expect(text).toContain(`# TYPE output_connected gauge\noutput_connected{${OUT_LABELS}} 1\n`);
    expect(text).toContain(
      `# TYPE output_error counter\noutput_error{error_code="NO_STREAM",${OUT_LABELS}} 2\n`,
    );
    expect(text).toContain(
      [
        "# TYPE output_latency_ns histogram",
        `output_latency_ns_bucket{${OUT_LABELS},le="1000000"} 1`,
        `output_latency_ns_bucket{${OUT_LABELS},le="1000000000"} 2`,
        `output_latency_ns_bucket{${OUT_LABELS},le="+Inf"} 3`,
        `output_latency_ns_sum{${OUT_LABELS}} 3002500000`,
        `output_latency_ns_count{${OUT_LABELS}} 3`,
      ].join("\n"),
    );
    // An up-down counter is a gauge; no `_total`, no unit suffix, no target_info.
    expect(text).toContain(
      '# TYPE cache_pending gauge\ncache_pending{bucket="b",label="seen",messaging_system="nats"} 3\n',
    );
    expect(text).not.toMatch(/_total|_nanoseconds|target_info|otel_scope/);
    expect(text).not.toMatch(/messaging\.system/);
  });

  it("demo - the CLI's own meter records input_received; scrapes are cumulative", async () => {
    installed = installMetrics();
    let read = 5;
    installed.meter
      .createObservableCounter("input_received")
      .addCallback((r) => r.observe(read, { label: "" }));
    expect(await installed.scrape()).toContain('input_received{label=""} 5\n');
    read = 12;
    expect(await installed.scrape()).toContain('input_received{label=""} 12\n');
  });

  it("demo - names and label names keep only what Prometheus allows", () => {
    expect(metricName("output_sent")).toBe("output_sent");
    expect(metricName("a.b-c:d")).toBe("a_b_c:d");
    expect(metricName("1x")).toBe("_1x");
    expect(labelName("messaging.destination.template")).toBe("messaging_destination_template");
    expect(labelName("a:b")).toBe("a_b");
    expect(labelName("9")).toBe("_9");
  });
});
