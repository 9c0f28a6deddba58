import { type Attributes, type Meter, metrics } from "@opentelemetry/api";
import {
  DataPointType,
  MeterProvider,
  type MetricData,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";

/** A reader that exports nothing by itself: `/metrics` collects on each scrape. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The meter provider of a run and the Prometheus text of what it holds. */
export interface RunMetrics {
  /** The CLI's own instruments (`input_received`). */
  meter: Meter;
  /** Collects every instrument now (observable callbacks run) and renders Prometheus text. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * Installs an OpenTelemetry `MeterProvider` as `@opentelemetry/api`'s global one, so the
 * packages' meters (`@natskit/jetstream-output`, `@natskit/kv-cache`) record into it. Must run
 * before the output and the caches are created: the API hands out no-op meters until a provider
 * is installed, and those stay no-op.
 */
export function installMetrics(): RunMetrics {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    meter: provider.getMeter("natskit"),
    async scrape() {
      const { resourceMetrics } = await reader.collect();
      return toPrometheus(resourceMetrics);
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}

interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram";
  help: string;
  lines: string[];
}

/**
 * Prometheus text format 0.0.4, with Redpanda Connect's names: an instrument's name as it is (no
 * `_total` after counters, no unit suffix), attribute names with every character Prometheus does
 * not allow turned into `_` (`messaging.system` → `messaging_system`). Monotonic sums are
 * counters, other sums and gauges are gauges, explicit-bucket histograms give `_bucket{le}`,
 * `_sum` and `_count`. No `target_info` or scope labels: Redpanda Connect has none.
 */
export function toPrometheus(rm: ResourceMetrics): string {
  const families = new Map<string, Family>();
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = metricName(metric.descriptor.name);
      const type = familyType(metric);
      if (!type) continue;
      let family = families.get(name);
      if (!family) {
        family = { name, type, help: metric.descriptor.description, lines: [] };
        families.set(name, family);
      } else if (family.type !== type) continue; // the same name as another kind: the first wins
      appendSamples(family, metric);
    }
  }
  let out = "";
  for (const f of [...families.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (f.help) out += `# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const l of f.lines) out += `${l}\n`;
  }
  return out;
}

function familyType(m: MetricData): Family["type"] | undefined {
  switch (m.dataPointType) {
    case DataPointType.SUM:
      return m.isMonotonic ? "counter" : "gauge";
    case DataPointType.GAUGE:
      return "gauge";
    case DataPointType.HISTOGRAM:
      return "histogram";
    default:
      // Exponential histograms have no Prometheus text form; natskit's instruments use none.
      return undefined;
  }
}

function appendSamples(f: Family, m: MetricData): void {
  if (m.dataPointType === DataPointType.HISTOGRAM) {
    for (const p of m.dataPoints) {
      const labels = labelPairs(p.attributes);
      const { boundaries, counts } = p.value.buckets;
      let cumulative = 0;
      for (const [i, bound] of boundaries.entries()) {
        cumulative += counts[i] ?? 0;
        f.lines.push(`${f.name}_bucket${braces([...labels, `le="${number(bound)}"`])} ${cumulative}`);
      }
      f.lines.push(`${f.name}_bucket${braces([...labels, 'le="+Inf"'])} ${p.value.count}`);
      f.lines.push(`${f.name}_sum${braces(labels)} ${number(p.value.sum ?? 0)}`);
      f.lines.push(`${f.name}_count${braces(labels)} ${p.value.count}`);
    }
    return;
  }
  if (m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return;
  for (const p of m.dataPoints)
    f.lines.push(`${f.name}${braces(labelPairs(p.attributes))} ${number(p.value)}`);
}

function labelPairs(attributes: Attributes): string[] {
  return Object.entries(attributes)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]): [string, string] => [labelName(k), Array.isArray(v) ? v.join(",") : String(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`);
}

function braces(pairs: readonly string[]): string {
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*`: any other character becomes `_`. */
export function metricName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** `[a-zA-Z_][a-zA-Z0-9_]*`: `messaging.destination.template` → `messaging_destination_template`. */
export function labelName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(s) || s === "" ? `_${s}` : s;
}

function number(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}
