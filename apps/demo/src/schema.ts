import { outputConfigSchema } from "@natskit/jetstream-output/internal";
import { kvCacheConfigSchema } from "@natskit/kv-cache/internal";
import { toJsonSchema } from "@natskit/nats-connection/internal";
import { z } from "zod";
import { LOG_LEVELS } from "./log.js";

// The packages describe their configs without zod; their JSON Schemas go in these slots.
const natsKv = z.unknown();
const natsJetstream = z.unknown();
const packageSchemas = new Map<unknown, Record<string, unknown>>([
  [natsKv, toJsonSchema(kvCacheConfigSchema)],
  [natsJetstream, toJsonSchema(outputConfigSchema)],
]);

const interpolated = (description: string) => z.string().describe(description);

/**
 * The whole config, composed from the packages' schemas, for `natskit schema` (editor
 * completion). Validation itself goes through the packages' parse functions, which also check
 * what a schema cannot (interpolations, files, value ranges).
 */
export const configSchema = z
  .strictObject({
    input: z
      .union([
        z.strictObject({
          label: z.string().optional(),
          stdin: z.strictObject({ codec: z.literal("lines").optional() }).nullable(),
        }),
        z.strictObject({
          label: z.string().optional(),
          file: z.strictObject({
            paths: z.array(z.string()).min(1).describe("files read line by line, in order"),
            codec: z.literal("lines").optional(),
          }),
        }),
        z.strictObject({
          label: z.string().optional(),
          generate: z.strictObject({
            count: z.int().min(0).optional().describe("messages to generate; 0 = unlimited"),
            interval: z
              .string()
              .optional()
              .describe(
                "pause between messages, e.g. '10ms'; default '1s' as in Redpanda Connect; '' = no pause",
              ),
            content: interpolated("interpolated body, e.g. '{\"id\":${! counter() }}'").optional(),
            mapping: z.string().optional().describe("Bloblang mapping run on an empty message"),
            batch_size: z.int().optional(),
          }),
        }),
      ])
      .describe("where messages come from"),
    pipeline: z
      .strictObject({
        threads: z.int().optional(),
        processors: z
          .array(
            z.union([
              z.strictObject({
                mapping: z.string().describe("Bloblang mapping, e.g. 'meta type = this.type'"),
              }),
              z.strictObject({ bloblang: z.string() }),
              z.strictObject({
                dedupe: z.strictObject({
                  cache: z.string().describe("label of a cache resource"),
                  key: interpolated("interpolated key, e.g. '${! json(\"id\") }'"),
                  drop_on_err: z
                    .boolean()
                    .optional()
                    .describe("drop messages when the cache fails; default true"),
                  allow_empty_key: z
                    .boolean()
                    .optional()
                    .describe(
                      "use a key that evaluates to '' or null instead of failing the message; default false",
                    ),
                }),
              }),
            ]),
          )
          .optional(),
      })
      .optional(),
    cache_resources: z
      .array(z.strictObject({ label: z.string(), nats_kv: natsKv }))
      .optional()
      .describe("caches referred to by label"),
    output: z.strictObject({ label: z.string().optional(), nats_jetstream: natsJetstream }),
    http: z
      .strictObject({
        enabled: z.boolean().optional().describe("serve /ping, /ready, /metrics and /version; default true"),
        address: z
          .string()
          .optional()
          .describe("host:port to listen on; default '0.0.0.0:4195'; port 0 picks a free one"),
        root_path: z
          .string()
          .optional()
          .describe("the endpoints are also served under this prefix; default '/benthos'"),
        debug_endpoints: z.literal(false).optional().describe("natskit has none"),
      })
      .optional()
      .describe("Redpanda Connect's service endpoints"),
    logger: z
      .strictObject({
        level: z
          .enum([...LOG_LEVELS.map((l) => l.toUpperCase()), ...LOG_LEVELS])
          .optional()
          .describe("OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE or ALL (any case); default INFO"),
        format: z.enum(["logfmt", "json"]).optional().describe("default logfmt"),
        add_timestamp: z.boolean().optional().describe("default false"),
        level_name: z.string().optional().describe("default 'level'"),
        message_name: z.string().optional().describe("default 'msg'"),
        timestamp_name: z.string().optional().describe("default 'time'"),
        static_fields: z
          .record(z.string(), z.string())
          .nullable()
          .optional()
          .describe("fields on every line; default { '@service': natskit }"),
      })
      .optional()
      .describe("log lines on stderr"),
    metrics: z
      .union([
        z.strictObject({ prometheus: z.strictObject({}).nullable() }),
        z.strictObject({ none: z.strictObject({}).nullable() }),
      ])
      .optional()
      .describe("prometheus (default): served on the http server's /metrics; none: off"),
    shutdown_timeout: z.string().optional().describe("how long a shutdown waits for acks; default 10s"),
  })
  .describe("natskit config (Redpanda Connect shape)");

export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const fromPackage = packageSchemas.get(zodSchema);
      if (fromPackage) Object.assign(jsonSchema, structuredClone(fromPackage));
    },
  }) as Record<string, unknown>;
}
