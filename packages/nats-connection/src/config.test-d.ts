// Type tests, checked by `tsc` (typecheck): a typo in a typed config is a compile error, while
// untyped input (parsed YAML) goes through the runtime-validated parse functions.
import { expectTypeOf } from "vitest";
import {
  type ConnectionConfig,
  connectFromConfig,
  connectionConfigFromEnv,
  connectNats,
  loadNatsContext,
  type NatsConnectionOptions,
  type NatsContext,
  parseConnectionConfig,
  type RawConnectionConfig,
} from "./index.js";

const urls = ["nats://127.0.0.1:4222"];

export function typos(): void {
  // @ts-expect-error `max_reconect` is not a field
  void connectFromConfig({ urls, max_reconect: 5 });
  // @ts-expect-error `userCredentialsFile` is the camelCase spelling
  void connectFromConfig({ urls, auth: { userCredentialsFile: "x.creds" } });
  // @ts-expect-error `tls.enabeld` is not a field
  void connectFromConfig({ urls, tls: { enabeld: true } });
  // @ts-expect-error `context` names a context: a string
  void connectFromConfig({ context: 5 });
  // @ts-expect-error `inboxPrefix` is the camelCase spelling
  void connectFromConfig({ urls, inboxPrefix: "_X" });
  // @ts-expect-error `inbox_prefix` is the YAML spelling
  void connectNats({ urls, inbox_prefix: "_X" });
  // @ts-expect-error `max_reconnects` is the YAML spelling of `maxReconnects`
  void connectNats({ urls, max_reconnects: 5 });
  // @ts-expect-error `maxReconnect` is not a field
  void connectNats({ urls, maxReconnect: 5 });
  // @ts-expect-error a parsed config's field name does not pass as an option
  void connectNats({ urls, waitOnFirstConnectMs: 0 });
  // @ts-expect-error a number where a string belongs
  void connectFromConfig({ urls, auth: { token: 42 } });
}

export function valid(yaml: unknown): void {
  // A context gives the urls (checked at runtime: urls or context is required).
  void connectFromConfig({ context: "prod", max_reconnects: -1 });
  void connectNats({ context: "./prod.json", inboxPrefix: "_INBOX_orders" });
  void connectNats(connectionConfigFromEnv(process.env, { label: "orders" }));
  const prod: NatsContext = loadNatsContext("prod", { env: {}, home: "/home/u" });
  void connectFromConfig({ ...prod.config, max_reconnects: -1 });
  void connectFromConfig({ urls, max_reconnects: -1, wait_on_first_connect: "2m", auth: { token: "t" } });
  void connectNats({ urls, maxReconnects: -1, waitOnFirstConnect: 0, auth: { token: "t" } });
  // Untyped input: validated at runtime, then connected.
  void connectNats(parseConnectionConfig(yaml, { label: "orders" }));
  // @ts-expect-error unknown input is not accepted by the typed shorthand
  void connectFromConfig(yaml);
}

expectTypeOf(parseConnectionConfig).parameter(0).toEqualTypeOf<unknown>();
expectTypeOf(parseConnectionConfig).returns.toEqualTypeOf<ConnectionConfig>();
expectTypeOf(connectFromConfig).parameter(0).toEqualTypeOf<RawConnectionConfig>();
expectTypeOf<{ urls: string; maxReconnects: number }>().toExtend<NatsConnectionOptions>();
