export type { Duration } from "@natskit/nats-connection";
export { parseDuration } from "@natskit/nats-connection/internal";

/** Formats ms as a Go duration in whole seconds, rounding up (`1500` → `"2s"`); NATS TTL headers take this. */
export function toWholeSeconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** Short human form for messages: `1500` → `1.5s`, `250` → `250ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  if (ms < 60_000) return `${Math.round(ms) / 1000}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 1000) / 60}m`;
  return `${Math.round(ms / 60_000) / 60}h`;
}
