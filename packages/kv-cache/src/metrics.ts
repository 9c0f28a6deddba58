import type { NatsClient } from "@natskit/nats-connection";
import {
  BatchCallback,
  ConnectionTally,
  LatencySampler,
  latencyHistogram,
} from "@natskit/nats-connection/internal";
import type { Attributes, BatchObservableResult, Meter, Observable } from "@opentelemetry/api";
import { KeyExistsError, KeyNotFoundError, KvCacheError } from "./errors.js";
import type { NearCacheStats } from "./near-cache.js";

/** An OpenTelemetry `MeterProvider` (typed loosely: `@opentelemetry/api` is an optional peer). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): unknown;
}

/** Where the cache's metrics go. */
export interface CacheMetricsOptions {
  /** `false`: no metrics even when a global meter provider is installed. Default `true`. */
  enabled?: boolean;
  /** The provider to use instead of `@opentelemetry/api`'s global one. */
  meterProvider?: MeterProviderLike;
  /** The `label` attribute of every series; default the component label, else `nats_kv`. */
  label?: string;
}

/** The `operation` attribute of each cache method. */
export type CacheOperation = "get" | "set" | "add" | "delete" | "get_multi" | "set_multi";

type Outcome = "success" | "not_found" | "key_already_exists" | string;

/**
 * The cache's instruments. Results are counted in plain counters the instruments observe at
 * collection time (a near-cache hit must stay a map lookup); latency is sampled (see
 * {@link LatencySampler}).
 */
export class CacheMetrics {
  readonly attributes: Attributes;
  readonly #tally = new ConnectionTally();
  readonly #latency: LatencySampler;
  readonly #opAttributes = new Map<CacheOperation, Attributes>();
  /** `operation` → outcome (success, not_found, key_already_exists, or an error code) → count. */
  readonly #counts = new Map<CacheOperation, Map<Outcome, number>>();
  readonly #batch: BatchCallback<BatchObservableResult, Observable>;
  #detach: () => void;

  constructor(meter: Meter, label: string, bucket: string, client: NatsClient, near: () => NearCacheStats) {
    this.attributes = { label, bucket, "messaging.system": "nats" };
    const a = this.attributes;
    const counter = (name: string, description: string) =>
      meter.createObservableCounter(name, { description });
    const success = counter("cache_success", "operations that succeeded, by operation");
    const notFound = counter("cache_not_found", "reads of a key that has no value, by operation");
    const exists = counter("cache_key_already_exists", "adds of a key that has a value");
    const error = counter("cache_error", "operations that failed, by operation and error_code");
    const nearHit = counter("cache_near_hit", "reads answered by the near-cache");
    const nearMiss = counter("cache_near_miss", "reads the near-cache sent to the server");
    const nearInvalidation = counter("cache_near_invalidation", "near-cache entries dropped by a change");
    const connected = meter.createObservableGauge("cache_connected", {
      description: "1 while connected, else 0",
    });
    this.#latency = new LatencySampler(
      latencyHistogram(meter, "cache_latency_ns", "operation latency, sampled at most every 0.1 ms"),
    );
    const observables = [success, notFound, exists, error, nearHit, nearMiss, nearInvalidation, connected];
    this.#batch = new BatchCallback(meter, observables, (r) => {
      for (const [op, outcomes] of this.#counts) {
        const oa = this.#attributesOf(op);
        for (const [outcome, n] of outcomes) {
          if (outcome === "success") r.observe(success, n, oa);
          else if (outcome === "not_found") r.observe(notFound, n, oa);
          else if (outcome === "key_already_exists") r.observe(exists, n, oa);
          else r.observe(error, n, { ...oa, error_code: outcome });
        }
      }
      const s = near();
      r.observe(nearHit, s.hits, a);
      r.observe(nearMiss, s.misses, a);
      r.observe(nearInvalidation, s.invalidations, a);
      r.observe(connected, this.#tally.connected, a);
    });
    this.#detach = this.#tally.attach(client);
  }

  /** Counts one finished operation that started at `startMs` (`performance.now()`). */
  done(op: CacheOperation, startMs: number, error?: unknown): void {
    const outcome =
      error === undefined
        ? "success"
        : KeyNotFoundError.isInstance(error)
          ? "not_found"
          : KeyExistsError.isInstance(error)
            ? "key_already_exists"
            : KvCacheError.isInstance(error)
              ? error.code
              : "UNKNOWN";
    let outcomes = this.#counts.get(op);
    if (!outcomes) {
      outcomes = new Map();
      this.#counts.set(op, outcomes);
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.#latency.record(startMs, this.#attributesOf(op));
  }

  /**
   * Stops following the connection. The next collection still reports the final values, then
   * the callback is removed; without a collection within a minute it is removed anyway.
   */
  close(): void {
    if (this.#batch.closed) return;
    this.#batch.close();
    this.#detach();
  }

  #attributesOf(op: CacheOperation): Attributes {
    let a = this.#opAttributes.get(op);
    if (!a) {
      a = { ...this.attributes, operation: op };
      this.#opAttributes.set(op, a);
    }
    return a;
  }
}
