import type { NatsClient } from "./client.js";

// The parts of `@opentelemetry/api` these helpers use, as shapes: the API is an optional peer,
// so nothing that a consumer type-checks (this file's declarations) may name its types. The
// API's `Meter`, `Histogram` and `MeterProvider` fit them.

/** Metric attributes (OpenTelemetry `Attributes`). */
export type AttributesLike = Readonly<Record<string, unknown>>;

/** An OpenTelemetry `Histogram`. */
export interface HistogramLike {
  record(value: number, attributes?: AttributesLike): void;
}

/** An OpenTelemetry `Meter`, as far as these helpers use it. */
export interface MeterLike {
  createHistogram(
    name: string,
    options?: {
      description?: string;
      unit?: string;
      advice?: { explicitBucketBoundaries?: number[] };
    },
  ): HistogramLike;
}

/**
 * An OpenTelemetry `Meter`'s batch observable callbacks. `R` is the API's
 * `BatchObservableResult`, `O` its `Observable`: both are inferred from the meter.
 */
export interface BatchMeterLike<R, O> {
  addBatchObservableCallback(callback: (result: R) => void, observables: O[]): void;
  removeBatchObservableCallback(callback: (result: R) => void, observables: O[]): void;
}

/** An OpenTelemetry `MeterProvider`. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): unknown;
}

/**
 * The meter of a natskit component: from `provider` when given, else from `@opentelemetry/api`'s
 * global meter provider. `undefined` when the API (an optional peer dependency) is not installed,
 * or no global provider is: the API would hand out a no-op meter (which stays no-op even if a
 * provider is installed later), and without one the component skips its per-message clock reads.
 */
export async function loadMeter(
  scope: string,
  version: string,
  provider?: MeterProviderLike,
): Promise<unknown> {
  if (provider) return provider.getMeter(scope, version);
  try {
    const api = await import("@opentelemetry/api");
    const meter = api.metrics.getMeter(scope, version);
    const noop = api.createNoopMeter().constructor as abstract new (...args: never[]) => unknown;
    return meter instanceof noop ? undefined : meter;
  } catch {
    return undefined;
  }
}

/** Nanosecond buckets from 50 µs to 10 s, for publish-to-ack and request latencies. */
export const LATENCY_NS_BUCKETS = [
  50e3, 100e3, 250e3, 500e3, 1e6, 2.5e6, 5e6, 10e6, 25e6, 50e6, 100e6, 250e6, 500e6, 1e9, 2.5e9, 5e9, 10e9,
];

/** A latency histogram in ns, as Redpanda Connect's `*_latency_ns`. */
export function latencyHistogram(meter: MeterLike, name: string, description: string): HistogramLike {
  return meter.createHistogram(name, {
    description,
    unit: "ns",
    advice: { explicitBucketBoundaries: LATENCY_NS_BUCKETS },
  });
}

/**
 * Records at most one latency per `gapMs` (default 0.1 ms, so at most 10,000 a second). The SDK
 * spends about a microsecond on each recording with attributes, more than a whole publish costs
 * the output at full speed; sampling by time keeps the distribution and bounds that cost. The
 * histogram's count is therefore not a message count: the counters are.
 */
export class LatencySampler {
  #last = Number.NEGATIVE_INFINITY;
  constructor(
    readonly histogram: HistogramLike,
    readonly gapMs = 0.1,
  ) {}

  /** The latency of something that started at `startMs` (`performance.now()`) and ended now. */
  record(startMs: number, attributes: AttributesLike): void {
    const now = performance.now();
    if (now - this.#last < this.gapMs) return;
    this.#last = now;
    this.histogram.record(Math.round((now - startMs) * 1e6), attributes);
  }
}

/**
 * A component's batch observable callback, added to `meter` at once. After {@link close} the
 * next collection still reports the final values (disconnected, nothing in flight), then the
 * callback is removed; without a collection within a minute it is removed anyway.
 */
export class BatchCallback<R, O> {
  readonly #meter: BatchMeterLike<R, O>;
  readonly #observables: O[];
  readonly #callback: (result: R) => void;
  #closed = false;
  #removeTimer: NodeJS.Timeout | undefined;

  constructor(meter: BatchMeterLike<R, O>, observables: O[], observe: (result: R) => void) {
    this.#meter = meter;
    this.#observables = observables;
    this.#callback = (r) => {
      if (this.#closed) this.#remove(); // this collection reports the final values, then no more
      observe(r);
    };
    meter.addBatchObservableCallback(this.#callback, observables);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#removeTimer = setTimeout(() => this.#remove(), 60_000);
    this.#removeTimer.unref();
  }

  #remove(): void {
    clearTimeout(this.#removeTimer);
    // After the current collection: the SDK iterates its callbacks while calling this one.
    queueMicrotask(() => this.#meter.removeBatchObservableCallback(this.#callback, this.#observables));
  }
}

/**
 * Connection counts of one component since it connected, as Redpanda Connect's
 * `*_connection_up` / `_lost` / `_failed`: up counts the first connect and every reconnect,
 * lost every disconnect, failed every attempt that found no server while the first connect waited
 * (count those with {@link ConnectionTally.failedAttempt} from the `connect_wait` event).
 */
export class ConnectionTally {
  up = 0;
  lost = 0;
  failed = 0;
  #client: NatsClient | undefined;
  #off: (() => void)[] = [];

  failedAttempt(): void {
    this.failed++;
  }

  /** Starts counting on a connected client; returns the function that stops (connected is 0 then). */
  attach(client: NatsClient): () => void {
    this.#client = client;
    this.up++;
    this.#off.push(
      client.on("disconnect", () => this.lost++),
      client.on("reconnect", () => this.up++),
    );
    return () => {
      for (const off of this.#off) off();
      this.#off = [];
      this.#client = undefined;
    };
  }

  /** 1 while the client is connected, else 0. */
  get connected(): number {
    return this.#client?.isConnected() ? 1 : 0;
  }
}
