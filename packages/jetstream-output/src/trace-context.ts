import type * as OtelApi from "@opentelemetry/api";

export type TraceApi = typeof OtelApi;

/**
 * Loads `@opentelemetry/api` (an optional peer dependency) for `inject_tracing_map`. Without it
 * no message carries a trace context, so the mapping never runs.
 */
export async function loadTracing(): Promise<TraceApi | undefined> {
  try {
    return (await import("@opentelemetry/api")) as TraceApi;
  } catch {
    return undefined;
  }
}

/**
 * The propagation carrier of the caller's active OpenTelemetry context: what the registered
 * propagator writes, or W3C `traceparent` / `tracestate` built from the active span when no
 * propagator is registered. `undefined` when there is no valid span context, or the propagator
 * throws.
 */
export function traceCarrier(api: TraceApi): Record<string, string> | undefined {
  const ctx = api.context.active();
  const carrier: Record<string, string> = {};
  try {
    api.propagation.inject(ctx, carrier);
  } catch {
    // As the reference does with a failing injection: the message goes out without it.
    return undefined;
  }
  for (const k of Object.keys(carrier)) if (typeof carrier[k] !== "string") delete carrier[k];
  if (Object.keys(carrier).length > 0) return carrier;
  const span = api.trace.getSpanContext(ctx);
  if (!span || !api.isSpanContextValid(span)) return undefined;
  carrier.traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
  const state = span.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}
