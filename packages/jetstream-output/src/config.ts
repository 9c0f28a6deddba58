import {
  createMessage,
  defaultEnvironment,
  type Environment,
  type Interpolation,
  type Mapping,
} from "@natskit/interpolation";
import type { ConnectionConfig, RawConnectionConfig } from "@natskit/nats-connection";
import {
  ConfigError,
  mergeIssues,
  normalizeConnectionConfig,
  parseDuration,
  parseFields,
  type RawIssue,
  renderIssues,
} from "@natskit/nats-connection/internal";
import type { RE2JS } from "re2js";
import { headerNameProblem, headerValueProblem, subjectProblem } from "./headers.js";
import { createRequire } from "./node-builtins.js";
import { outputConfigSchema } from "./schema.js";

/**
 * The `nats_jetstream` output config as written in YAML (snake_case): Redpanda Connect's fields,
 * plus natskit's additions (`msg_id`, `allow_empty_msg_id`, `ack_timeout`, `max_retries`,
 * `backoff`). The connection fields are `@natskit/nats-connection`'s. A value that is not typed
 * yet (parsed YAML or JSON) goes through {@link parseOutputConfig}, which checks it at runtime.
 *
 * @example
 * ```ts
 * const raw: RawOutputConfig = { urls: ["nats://127.0.0.1:4222"], subject: 'events.${! meta("type") }' };
 * const output = new JetStreamOutput(raw);
 * ```
 */
export interface RawOutputConfig extends RawConnectionConfig {
  /** The subject to publish to; an interpolated string. */
  subject: string;
  /** Headers added to each message: name → interpolated value. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Which metadata keys are sent as headers. @default none */
  metadata?: RawMetadataFilter | undefined;
  /** Most messages awaiting their ack at once. @default 1024 */
  max_in_flight?: number | undefined;
  /** A Bloblang mapping run with `this` = the trace propagation carrier. */
  inject_tracing_map?: string | undefined;
  /** `Nats-Msg-Id` of each message, interpolated; `""` for none. @default a generated id */
  msg_id?: string | undefined;
  /** Publish a message whose `msg_id` evaluates to `""` or `null` instead of failing it. @default false */
  allow_empty_msg_id?: boolean | undefined;
  /** How long to wait for an ack before the outcome counts as unknown. @default "5s" */
  ack_timeout?: string | undefined;
  /** Retries of a retryable failure per message. @default 10 */
  max_retries?: number | undefined;
  /** Exponential backoff between retries, ±25% jitter. */
  backoff?: RawBackoff | undefined;
  /**
   * `auto`: publish bulk traffic in fast-ingest batches (one flow ack per up to 500 messages)
   * where the server (≥ 2.14) and the stream (`allow_batched`) support it, detected per stream;
   * per-message acks otherwise. A message acked in a batch resolves with a `BatchAck` (no stream
   * sequence, no duplicate flag). @default "off"
   */
  fast_ingest?: "off" | "auto" | undefined;
  /**
   * Per-message TTL: the `Nats-TTL` header, interpolated (`1h`, `90s`, seconds as a number, or
   * `never`). Needs nats-server 2.11+ and a stream with `allow_msg_ttl`; otherwise `connect()`
   * or the first write fails with `TTL_NOT_SUPPORTED` (never silently ignored).
   */
  ttl?: string | undefined;
  /**
   * `writeBatch` stores a batch all or nothing (nats-server ≥ 2.12, stream `allow_atomic`; at
   * most 1000 messages, all for one stream). Slower than other writes: use it only when a batch
   * must not be stored in part. @default false
   */
  atomic_batches?: boolean | undefined;
}

/** The `metadata` section: a key is sent when any prefix or any (unanchored, RE2) pattern matches. */
export interface RawMetadataFilter {
  include_prefixes?: readonly string[] | undefined;
  include_patterns?: readonly string[] | undefined;
}

/** The `backoff` section. */
export interface RawBackoff {
  /** @default "100ms" */
  initial_interval?: string | undefined;
  /** @default "5s" */
  max_interval?: string | undefined;
}

/** Which metadata keys become headers: any prefix or any (unanchored, RE2) pattern matches. */
export interface MetadataFilter {
  readonly prefixes: readonly string[];
  readonly patterns: readonly RE2JS[];
}

/** A validated output config, with every interpolation compiled. */
export interface OutputConfig {
  readonly connection: ConnectionConfig;
  readonly subject: Interpolation;
  /** In config order; a name may appear in headers and metadata both (both values are sent). */
  readonly headers: readonly (readonly [name: string, value: Interpolation])[];
  readonly metadata: MetadataFilter | undefined;
  /** @default 1024 */
  readonly maxInFlight: number;
  /** `generate`: a unique id per message (the default); `none`: no `Nats-Msg-Id` (`msg_id: ""`). */
  readonly msgId: Interpolation | "generate" | "none";
  /**
   * An interpolated `msg_id` that evaluates to `""` (no header) or `null` (the text `null`) is
   * published as it is instead of failing the message with `INVALID_MSG_ID`.
   * @default false
   */
  readonly allowEmptyMsgId: boolean;
  /** @default 5000 */
  readonly ackTimeoutMs: number;
  /** @default 10 */
  readonly maxRetries: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** `inject_tracing_map`, run with `this` = the trace propagation carrier. */
  readonly tracing: Mapping | undefined;
  /** @default "off" */
  readonly fastIngest: "off" | "auto";
  /** `ttl`: sent as the `Nats-TTL` header (it is also the last entry of `headers`). */
  readonly ttl: Interpolation | undefined;
  /** @default false */
  readonly atomicBatches: boolean;
}

export interface ParseOutputOptions {
  /** The component label: it becomes the connection name. */
  label?: string;
  /** Where interpolation functions come from. @default the built-in environment */
  environment?: Environment;
}

const EMPTY_MESSAGE = () => createMessage("");

export const DEFAULTS = {
  maxInFlight: 1024,
  ackTimeout: "5s",
  maxRetries: 10,
  backoffInitial: "100ms",
  backoffMax: "5s",
} as const;

/**
 * Validates a `nats_jetstream` output config (the Redpanda Connect YAML shape) and compiles its
 * interpolations. Throws a `ConfigError` listing every problem with its field path.
 */
export function parseOutputConfig(raw: unknown, options: ParseOutputOptions = {}): OutputConfig {
  const { data, issues: schemaIssues } = parseFields(outputConfigSchema, raw);
  const c = { urls: [], subject: "", ...data };
  const issues: RawIssue[] = [];
  const push = (path: (string | number)[], message: string) => issues.push({ path, message });
  const env = options.environment ?? defaultEnvironment();

  // The connection part reads only the connection fields; the output's own fields ride along.
  const normalized = normalizeConnectionConfig(
    c,
    options.label === undefined ? {} : { label: options.label },
  );
  issues.push(...normalized.issues);

  const compile = (text: string, path: (string | number)[]): Interpolation | undefined => {
    const r = env.tryCompile(text);
    if (r.ok) return r.value;
    push(path, `failed to parse interpolation: ${r.error.message}`);
    return undefined;
  };

  const subject = compile(c.subject, ["subject"]);
  if (subject?.isStatic) {
    const problem = subjectProblem(subject.evaluate(EMPTY_MESSAGE()));
    if (problem) push(["subject"], problem);
  }

  const headers: (readonly [string, Interpolation])[] = [];
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    const problem = headerNameProblem(name);
    if (problem) push(["headers", name], problem);
    const compiled = compile(value, ["headers", name]);
    if (!compiled) continue;
    if (compiled.isStatic) {
      const vp = headerValueProblem(compiled.evaluate(EMPTY_MESSAGE()));
      if (vp) push(["headers", name], vp);
    }
    if (!problem) headers.push([name, compiled]);
  }

  let ttl: Interpolation | undefined;
  if (c.ttl !== undefined) {
    ttl = compile(c.ttl, ["ttl"]);
    if (ttl?.isStatic) {
      const problem = ttlProblem(ttl.evaluate(EMPTY_MESSAGE()));
      if (problem) push(["ttl"], problem);
    }
    if (ttl) headers.push(["Nats-TTL", ttl]);
  }

  let metadata: MetadataFilter | undefined;
  if (c.metadata) {
    const patterns: RE2JS[] = [];
    (c.metadata.include_patterns ?? []).forEach((p, i) => {
      try {
        patterns.push(compileRe2(p));
      } catch (e) {
        push(["metadata", "include_patterns", i], `failed to compile regexp "${p}": ${(e as Error).message}`);
      }
    });
    const prefixes = c.metadata.include_prefixes ?? [];
    if (prefixes.length > 0 || patterns.length > 0) metadata = { prefixes, patterns };
  }

  const maxInFlight = c.max_in_flight ?? DEFAULTS.maxInFlight;
  if (maxInFlight < 1) push(["max_in_flight"], `must be at least 1, got ${maxInFlight}`);

  let msgId: OutputConfig["msgId"] = "generate";
  if (c.msg_id === "") msgId = "none";
  else if (c.msg_id !== undefined) {
    const id = compile(c.msg_id, ["msg_id"]);
    msgId = id ?? "none";
    if (id?.isStatic) {
      push(
        ["msg_id"],
        `is the same for every message ('${id.source}'), so the stream would store only the first: interpolate it, e.g. '\${! json("id") }', or leave it out for a generated id`,
      );
    }
  }

  const duration = (text: string, path: (string | number)[], min: number): number => {
    const r = parseDuration(text);
    if ("error" in r) push(path, r.error);
    else if (r.ms < min) push(path, `must be at least ${min} ms, got '${text}'`);
    return "ms" in r ? r.ms : 0;
  };
  const ackTimeoutMs = duration(c.ack_timeout ?? DEFAULTS.ackTimeout, ["ack_timeout"], 100);
  const maxRetries = c.max_retries ?? DEFAULTS.maxRetries;
  if (maxRetries < 0) push(["max_retries"], `must be 0 or more, got ${maxRetries}`);
  const initialMs = duration(
    c.backoff?.initial_interval ?? DEFAULTS.backoffInitial,
    ["backoff", "initial_interval"],
    0,
  );
  const maxMs = duration(c.backoff?.max_interval ?? DEFAULTS.backoffMax, ["backoff", "max_interval"], 0);
  if (maxMs < initialMs) push(["backoff", "max_interval"], "must not be below backoff.initial_interval");

  let tracing: Mapping | undefined;
  if (c.inject_tracing_map !== undefined && c.inject_tracing_map.trim() !== "") {
    const t = env.compileMapping(c.inject_tracing_map);
    if (t.ok) tracing = t.value;
    else push(["inject_tracing_map"], t.error.reason);
  }

  const all = mergeIssues(schemaIssues, issues);
  if (all.length > 0 || !subject) throw new ConfigError(renderIssues(all, "snake"));
  return {
    connection: normalized.config,
    subject,
    headers,
    metadata,
    maxInFlight,
    msgId,
    allowEmptyMsgId: c.allow_empty_msg_id ?? false,
    ackTimeoutMs,
    maxRetries,
    backoff: { initialMs, maxMs },
    tracing,
    fastIngest: c.fast_ingest ?? "off",
    ttl,
    atomicBatches: c.atomic_batches ?? false,
  };
}

/**
 * Why a `Nats-TTL` value is not one the server takes, or undefined: `never`, whole seconds, or a
 * Go duration of at least one second.
 */
export function ttlProblem(text: string): string | undefined {
  if (text === "never") return undefined;
  const seconds = /^\d+$/.test(text) ? Number(text) * 1000 : undefined;
  const r = seconds === undefined ? parseDuration(text) : { ms: seconds };
  if ("error" in r)
    return `'${text}' is not a ttl: use a duration such as '90s' or '1h', whole seconds, or 'never'`;
  if (r.ms < 1000) return `must be at least 1s (the server's smallest per-message TTL), got '${text}'`;
  return undefined;
}

let re2: typeof RE2JS | undefined;

/**
 * Compiles a metadata pattern with RE2 semantics, as Redpanda Connect does. re2js takes about as
 * long to import as a third of the NATS client, and only configs with `include_patterns` need it,
 * so it is loaded (synchronously, keeping config parsing synchronous) on first use.
 */
function compileRe2(pattern: string): RE2JS {
  re2 ??= (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS;
  return re2.compile(pattern);
}
