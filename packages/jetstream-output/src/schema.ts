import { connectionFields } from "@natskit/nats-connection/internal";
import { z } from "zod";
import type { RawBackoff, RawMetadataFilter, RawOutputConfig } from "./config.js";

/** The `metadata` include filter (Benthos `metadata.include_*`). */
export const metadataFilterSchema = z.strictObject({
  include_prefixes: z.array(z.string()).optional(),
  include_patterns: z.array(z.string()).optional(),
});

export const backoffSchema = z.strictObject({
  initial_interval: z.string().optional(),
  max_interval: z.string().optional(),
});

/**
 * The `nats_jetstream` output, field for field as in Redpanda Connect, plus natskit's additions
 * (`msg_id`, `allow_empty_msg_id`, `ack_timeout`, `max_retries`, `backoff`).
 */
export const outputConfigSchema = z.strictObject({
  ...connectionFields,
  subject: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  metadata: metadataFilterSchema.optional(),
  max_in_flight: z.int().optional(),
  inject_tracing_map: z.string().optional(),
  msg_id: z.string().optional(),
  allow_empty_msg_id: z.boolean().optional(),
  ack_timeout: z.string().optional(),
  max_retries: z.int().optional(),
  backoff: backoffSchema.optional(),
});

// The public types are plain interfaces (config.ts), so zod stays out of the published API; this
// type-level check keeps their field names in step with the schemas.
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Check<T extends true> = T;
export type SchemaInStep = Check<
  | SameKeys<RawOutputConfig, z.input<typeof outputConfigSchema>>
  | SameKeys<RawMetadataFilter, z.input<typeof metadataFilterSchema>>
  | SameKeys<RawBackoff, z.input<typeof backoffSchema>>
>;
