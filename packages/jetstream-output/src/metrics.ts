import {
  BatchCallback,
  ConnectionTally,
  LatencySampler,
  latencyHistogram,
} from "@natskit/nats-connection/internal";
import type { Attributes, BatchObservableResult, Meter, Observable } from "@opentelemetry/api";

/** An OpenTelemetry `MeterProvider` (typed loosely: `@opentelemetry/api` is an optional peer). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): unknown;
}

/** Where the output's metrics go. */
export interface OutputMetricsOptions {
  /** `false`: no metrics even when a global meter provider is installed. Default `true`. */
  enabled?: boolean;
  /** The provider to use instead of `@opentelemetry/api`'s global one. */
  meterProvider?: MeterProviderLike;
  /** The `label` attribute of every series; default the component label (`options.label`), else `nats_jetstream`. */
  label?: string;
}

/** What the metrics read at collection time. */
export interface OutputCounts {
  accepted: number;
  acked: number;
  duplicates: number;
  retries: number;
  inflight: number;
  held: number;
  errors: ReadonlyMap<string, number>;
}

/**
 * The output's instruments. Counters and gauges are observed from counts the output keeps anyway,
 * so a message costs nothing extra; only the latency histogram is recorded as messages are acked
 * (sampled: see {@link LatencySampler}).
 */
export class OutputMetrics {
  readonly tally = new ConnectionTally();
  readonly latency: LatencySampler;
  readonly attributes: Attributes;
  readonly #batch: BatchCallback<BatchObservableResult, Observable>;
  #detach: (() => void) | undefined;

  constructor(meter: Meter, label: string, subject: string, read: () => OutputCounts) {
    this.attributes = {
      label,
      "messaging.system": "nats",
      "messaging.destination.template": subject,
    };
    const a = this.attributes;
    const counter = (name: string, description: string) =>
      meter.createObservableCounter(name, { description });
    const gauge = (name: string, description: string) => meter.createObservableGauge(name, { description });
    const received = counter("output_received", "messages given to the output");
    const sent = counter("output_sent", "messages the stream acknowledged (duplicates included)");
    const duplicate = counter("output_duplicate", "acknowledged messages the stream reported as duplicates");
    const error = counter("output_error", "messages reported failed, by error_code");
    const retry = counter("output_retry", "publishes repeated after a retryable failure");
    const up = counter("output_connection_up", "connects and reconnects");
    const lost = counter("output_connection_lost", "disconnects");
    const failed = counter("output_connection_failed", "connect attempts that found no server");
    const inflight = gauge("output_in_flight", "messages published and awaiting their ack");
    const held = gauge("output_held", "messages accepted and not yet published (outage, window, backoff)");
    const connected = gauge("output_connected", "1 while connected, else 0");
    this.latency = new LatencySampler(
      latencyHistogram(
        meter,
        "output_latency_ns",
        "first publish to ack, of one message in 8, at most one every 0.1 ms",
      ),
    );
    const observables = [
      received,
      sent,
      duplicate,
      error,
      retry,
      up,
      lost,
      failed,
      inflight,
      held,
      connected,
    ];
    this.#batch = new BatchCallback(meter, observables, (r) => {
      const c = read();
      r.observe(received, c.accepted, a);
      r.observe(sent, c.acked, a);
      r.observe(duplicate, c.duplicates, a);
      r.observe(retry, c.retries, a);
      for (const [code, n] of c.errors) r.observe(error, n, { ...a, error_code: code });
      r.observe(up, this.tally.up, a);
      r.observe(lost, this.tally.lost, a);
      r.observe(failed, this.tally.failed, a);
      r.observe(inflight, c.inflight, a);
      r.observe(held, c.held, a);
      r.observe(connected, this.tally.connected, a);
    });
  }

  /** Starts following the connection (up, lost, connected). */
  attach(client: Parameters<ConnectionTally["attach"]>[0]): void {
    this.#detach = this.tally.attach(client);
  }

  /**
   * Stops following the connection. The next collection still reports the final values
   * (disconnected, nothing in flight), then the callback is removed; without a collection within
   * a minute it is removed anyway.
   */
  close(): void {
    if (this.#batch.closed) return;
    this.#batch.close();
    this.#detach?.();
  }
}
