import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createMessage } from "@natskit/interpolation";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JetStreamOutput } from "../src/index.js";
import { addStream, admin, Outputs, readStream } from "./helpers.js";

const outputs = new Outputs();
afterEach(() => outputs.closeAll());

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let n = 0;
const manager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  context.setGlobalContextManager(manager.enable());
  server = await startNatsServer();
  ({ nc, jsm } = await admin(server.url));
});
afterAll(async () => {
  context.disable();
  await nc?.close();
  await server?.stop();
});

const SPAN = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
const TRACEPARENT = `00-${SPAN.traceId}-${SPAN.spanId}-01`;
const inSpan = <T>(fn: () => T): T => context.with(trace.setSpanContext(ROOT_CONTEXT, SPAN), fn);

async function setup(config: Record<string, unknown>) {
  n++;
  await addStream(jsm, `TR${n}`, [`tr${n}.>`]);
  const o = outputs.add(
    new JetStreamOutput({ urls: [server.url], subject: `tr${n}.x`, msg_id: "", ...config }),
  );
  await o.connect();
  return { o, stream: `TR${n}` };
}

describe("jetstream-output inject_tracing_map", () => {
  it("jetstream-output - meta = @.merge(this) puts the W3C trace context in the headers", async () => {
    const { o, stream } = await setup({
      inject_tracing_map: "meta = @.merge(this)",
      metadata: { include_patterns: ["^trace", "^keep$"] },
    });
    await inSpan(() => o.write(createMessage("{}", { metadata: { keep: "yes" } })));
    const [m] = await readStream(jsm, stream);
    expect(m?.headers).toEqual({ keep: ["yes"], traceparent: [TRACEPARENT] });
  });

  it("jetstream-output - root.meta.span = this writes the carrier into the body", async () => {
    const { o, stream } = await setup({ inject_tracing_map: "root.meta.span = this" });
    await inSpan(() => o.write(createMessage('{"id":7}')));
    const [m] = await readStream(jsm, stream);
    expect(JSON.parse(m?.data ?? "null")).toEqual({ id: 7, meta: { span: { traceparent: TRACEPARENT } } });
  });

  it("jetstream-output - meta <key> = <query> sets one key", async () => {
    const { o, stream } = await setup({
      inject_tracing_map: 'meta tp = this.traceparent\nmeta "span id" = this.traceparent.split("-").index(2)',
      metadata: { include_prefixes: ["tp"] },
    });
    await inSpan(() => o.write(createMessage("{}")));
    const [m] = await readStream(jsm, stream);
    expect(m?.headers).toEqual({ tp: [TRACEPARENT] });
  });

  it("jetstream-output - without an active span the message is unchanged", async () => {
    const { o, stream } = await setup({ inject_tracing_map: "root.meta.span = this" });
    await o.write(createMessage('{"id":1}'));
    const [m] = await readStream(jsm, stream);
    expect(m?.data).toBe('{"id":1}');
  });

  it("jetstream-output - a propagator that throws leaves the message untraced, and it is still written", async () => {
    const { o, stream } = await setup({
      inject_tracing_map: "meta = @.merge(this)",
      metadata: { include_prefixes: ["trace"] },
    });
    propagation.setGlobalPropagator({
      inject: () => {
        throw new Error("propagator broke");
      },
      extract: (c) => c,
      fields: () => [],
    });
    try {
      await inSpan(() => o.write(createMessage("x")));
    } finally {
      propagation.disable();
    }
    const [m] = await readStream(jsm, stream);
    expect(m?.data).toBe("x");
    expect(m?.headers).toEqual({});
  });

  it("jetstream-output - a message's own trace context is used, before the active span", async () => {
    const { o, stream } = await setup({
      inject_tracing_map: "meta = @.merge(this)",
      metadata: { include_prefixes: ["trace"] },
    });
    const own = "00-11111111111111111111111111111111-2222222222222222-01";
    await o.write(createMessage("a", { tracing: { traceparent: own } }));
    await inSpan(() => o.write(createMessage("b", { tracing: { traceparent: own } })));
    const got = await readStream(jsm, stream);
    expect(got.map((m) => m.headers)).toEqual([{ traceparent: [own] }, { traceparent: [own] }]);
  });
});

describe("jetstream-output tracing functions in fields", () => {
  it("jetstream-output - tracing_id() and tracing_span() in headers read the active span", async () => {
    const { o, stream } = await setup({
      headers: { "X-Trace-Id": "${! tracing_id() }", "X-Span": '${! tracing_span().traceparent | "none" }' },
    });
    const lent = createMessage("{}");
    await inSpan(() => o.write(lent));
    expect(lent.tracing).toBeUndefined(); // the active span was lent for that write only
    await o.write(createMessage("{}"));
    const got = await readStream(jsm, stream);
    expect(got.map((m) => m.headers)).toEqual([
      { "X-Trace-Id": [SPAN.traceId], "X-Span": [TRACEPARENT] },
      { "X-Trace-Id": [""], "X-Span": ["none"] },
    ]);
  });

  it("jetstream-output - tracing_id() in the subject routes by the message's trace context", async () => {
    n++;
    await addStream(jsm, `TR${n}`, [`tr${n}.>`]);
    const o = outputs.add(
      new JetStreamOutput({ urls: [server.url], subject: `tr${n}.\${! tracing_id() }`, msg_id: "" }),
    );
    await o.connect();
    await inSpan(() => o.write(createMessage("x")));
    const [m] = await readStream(jsm, `TR${n}`);
    expect(m?.subject).toBe(`tr${n}.${SPAN.traceId}`);
  });
});

describe("jetstream-output inject_tracing_map config", () => {
  it("jetstream-output - a mapping that is not an assignment is a config error", () => {
    expect(
      () => new JetStreamOutput({ urls: ["h:1"], subject: "a", inject_tracing_map: "this.foo" }),
    ).toThrow(/inject_tracing_map: line 1: expected an assignment/);
  });
});
