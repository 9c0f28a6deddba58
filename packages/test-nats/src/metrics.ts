import type { Attributes } from "@opentelemetry/api";
import { AggregationTemporality, type DataPoint, MetricReader } from "@opentelemetry/sdk-metrics";

/** All data points of one collection, by metric name. */
export type Scrape = Map<string, DataPoint<unknown>[]>;

/**
 * An OpenTelemetry SDK reader that collects on demand, with cumulative values: what a
 * Prometheus scrape would see. `new MeterProvider({ readers: [reader] })`.
 */
export class ScrapeReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}

  async scrape(): Promise<Scrape> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new AggregateError(errors, "metric collection failed");
    const out: Scrape = new Map();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const m of scope.metrics) {
        out.set(m.descriptor.name, [...(out.get(m.descriptor.name) ?? []), ...m.dataPoints]);
      }
    }
    return out;
  }
}

/** The value of the first point of `name` whose attributes include `match`; undefined if none. */
export function metricValue(scrape: Scrape, name: string, match: Attributes = {}): unknown {
  const point = scrape.get(name)?.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return point?.value;
}
