import { connectionFields, type Infer, v } from "@natskit/nats-connection/internal";
import type { RawBackoff, RawMetadataFilter, RawOutputConfig } from "./config.js";

/** The `metadata` include filter (Benthos `metadata.include_*`). */
export const metadataFilterSchema = v.object({
  include_prefixes: v.optional(v.array(v.string())),
  include_patterns: v.optional(v.array(v.string())),
});

export const backoffSchema = v.object({
  initial_interval: v.optional(v.string()),
  max_interval: v.optional(v.string()),
});

/**
 * The `nats_jetstream` output, field for field as in Redpanda Connect, plus natskit's additions
 * (`msg_id`, `allow_empty_msg_id`, `ack_timeout`, `max_retries`, `backoff`).
 */
export const outputConfigSchema = v.object({
  ...connectionFields,
  subject: v.string(),
  headers: v.optional(v.record(v.string())),
  metadata: v.optional(metadataFilterSchema),
  max_in_flight: v.optional(v.int()),
  inject_tracing_map: v.optional(v.string()),
  msg_id: v.optional(v.string()),
  allow_empty_msg_id: v.optional(v.boolean()),
  ack_timeout: v.optional(v.string()),
  max_retries: v.optional(v.int()),
  backoff: v.optional(backoffSchema),
  fast_ingest: v.optional(v.enum(["off", "auto"] as const)),
  ttl: v.optional(v.string()),
  atomic_batches: v.optional(v.boolean()),
});

// The public types are plain interfaces (config.ts), so the schemas stay out of the published API;
// this type-level check keeps their field names in step with the schemas.
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Check<T extends true> = T;
export type SchemaInStep = Check<
  | SameKeys<RawOutputConfig, Infer<typeof outputConfigSchema>>
  | SameKeys<RawMetadataFilter, Infer<typeof metadataFilterSchema>>
  | SameKeys<RawBackoff, Infer<typeof backoffSchema>>
>;
