import { outputConfigSchema } from "@natskit/jetstream-output/internal";
import { kvCacheConfigSchema } from "@natskit/kv-cache/internal";
import { toJsonSchema } from "@natskit/nats-connection/internal";
import { z } from "zod";

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
        z.strictObject({ stdin: z.strictObject({ codec: z.literal("lines").optional() }).nullable() }),
        z.strictObject({
          file: z.strictObject({
            paths: z.array(z.string()).min(1).describe("files read line by line, in order"),
            codec: z.literal("lines").optional(),
          }),
        }),
        z.strictObject({
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
