// Type tests, checked by `tsc` (typecheck): a typo in a typed config is a compile error, while
// untyped input (parsed YAML) goes through the runtime-validated `parseOutputConfig`.
import { expectTypeOf } from "vitest";
import { JetStreamOutput, type OutputConfig, parseOutputConfig, type RawOutputConfig } from "./index.js";

const urls = ["nats://127.0.0.1:4222"];

export function typos(): void {
  // @ts-expect-error `subjct` is not a field
  new JetStreamOutput({ urls, subjct: "orders" });
  // @ts-expect-error `max_in_flite` is not a field
  new JetStreamOutput({ urls, subject: "orders", max_in_flite: 64 });
  // @ts-expect-error `maxInFlight` is not the YAML spelling
  new JetStreamOutput({ urls, subject: "orders", maxInFlight: 64 });
  // @ts-expect-error `backoff.initial` is not a field
  new JetStreamOutput({ urls, subject: "orders", backoff: { initial: "1s" } });
  // @ts-expect-error `metadata.include_prefix` is not a field
  new JetStreamOutput({ urls, subject: "orders", metadata: { include_prefix: ["a"] } });
  // @ts-expect-error a connection field typo fails too
  new JetStreamOutput({ urls, subject: "orders", auth: { nkey_fle: "x.nk" } });
  // @ts-expect-error a parsed config's field name does not pass as a raw field
  new JetStreamOutput({ urls, subject: "orders", ackTimeoutMs: 100 });
  // @ts-expect-error `subject` is required
  new JetStreamOutput({ urls });
}

export function valid(yaml: unknown): void {
  new JetStreamOutput({ urls, subject: 'orders.${! meta("region") }', max_in_flight: 64, msg_id: "" });
  // Untyped input: validated at runtime, then handed over parsed.
  new JetStreamOutput(parseOutputConfig(yaml, { label: "orders" }));
  // @ts-expect-error unknown input needs parseOutputConfig
  new JetStreamOutput(yaml);
}

expectTypeOf(parseOutputConfig).parameter(0).toEqualTypeOf<unknown>();
expectTypeOf(parseOutputConfig).returns.toEqualTypeOf<OutputConfig>();
expectTypeOf<{ urls: string[]; subject: string }>().toExtend<RawOutputConfig>();
