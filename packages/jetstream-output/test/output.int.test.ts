import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createMessage, Message } from "@natskit/interpolation";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BatchWriteError,
  JetStreamOutput,
  JetStreamOutputError,
  type RawOutputConfig,
} from "../src/index.js";
import { addStream, admin, Outputs, perMessage, readStream, rejectionOf, streamCount } from "./helpers.js";

const outputs = new Outputs();
afterEach(() => outputs.closeAll());

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let n = 0;

beforeAll(async () => {
  server = await startNatsServer({ maxPayload: 64 * 1024, monitoring: true });
  ({ nc, jsm } = await admin(server.url));
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** A fresh stream capturing `<prefix>.>` for each test. */
async function stream(extra = {}): Promise<{ name: string; prefix: string }> {
  n++;
  const name = `S${n}`;
  const prefix = `t${n}`;
  await addStream(jsm, name, [`${prefix}.>`], extra);
  return { name, prefix };
}

async function output(config: Omit<RawOutputConfig, "urls">): Promise<JetStreamOutput> {
  const o = outputs.add(new JetStreamOutput({ urls: [server.url], ...config }));
  await o.connect();
  return o;
}

describe("jetstream-output contract", () => {
  it("jetstream-output - write resolves with the stream's ack", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.a` });
    const ack = await o.write(createMessage("hello"));
    expect(ack).toEqual({ kind: "message", stream: s.name, seq: 1, duplicate: false });
    const [m] = await readStream(jsm, s.name);
    expect(m?.data).toBe("hello");
    expect(m?.subject).toBe(`${s.prefix}.a`);
  });

  it("jetstream-output - writeBatch stores every message and returns their acks in order", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.b` });
    const acks = await o.writeBatch(Array.from({ length: 50 }, (_, i) => createMessage(`m${i}`)));
    expect(acks.map((a) => perMessage(a).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const stored = await readStream(jsm, s.name);
    expect(stored.map((m) => m.data)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
  });

  it("jetstream-output - close waits for messages in flight", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.c` });
    const writes = Array.from({ length: 2000 }, (_, i) => o.write(createMessage(`x${i}`)));
    await o.close(10_000);
    const results = await Promise.allSettled(writes);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2000);
    expect(await streamCount(jsm, s.name)).toBe(2000);
  });

  it("jetstream-output - close() during connect() leaves no connection behind", async () => {
    const before = (await server.connz()).connections.length;
    const o = new JetStreamOutput({ urls: [server.url], subject: "t.x" });
    const connecting = o.connect();
    const again = o.connect();
    await o.close();
    await expect(connecting).rejects.toMatchObject({ code: "CLOSED" });
    await expect(again).rejects.toMatchObject({ code: "CLOSED" });
    await expect(o.connect()).rejects.toMatchObject({ code: "CLOSED" });
    await expect.poll(async () => (await server.connz()).connections.length).toBe(before);
  });

  it("jetstream-output - a write after close fails with CLOSED", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.d` });
    await o.close();
    const e = await rejectionOf(o.write(createMessage("late")));
    expect(e).toMatchObject({ code: "CLOSED", retryable: false });
  });

  it("jetstream-output - max_in_flight bounds the messages awaiting acks", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.e`, max_in_flight: 16 });
    let peak = 0;
    const writes = Array.from({ length: 3000 }, (_, i) => {
      const w = o.write(createMessage(`${i}`));
      peak = Math.max(peak, o.stats.inflight);
      return w.then(() => {
        peak = Math.max(peak, o.stats.inflight);
      });
    });
    await Promise.all(writes);
    expect(peak).toBe(16);
    expect(await streamCount(jsm, s.name)).toBe(3000);
    expect(o.stats.acked).toBe(3000);
  });
});

describe("jetstream-output subjects and headers", () => {
  it("jetstream-output - routes by an interpolated subject", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.\${! meta("type") }` });
    await Promise.all(
      ["click", "view", "click"].map((type) => o.write(createMessage("{}", { metadata: { type } }))),
    );
    const stored = await readStream(jsm, s.name);
    expect(stored.map((m) => m.subject).sort()).toEqual([
      `${s.prefix}.click`,
      `${s.prefix}.click`,
      `${s.prefix}.view`,
    ]);
  });

  it("jetstream-output - explicit headers come first, then filtered metadata; a shared name keeps both", async () => {
    const s = await stream();
    const o = await output({
      subject: `${s.prefix}.h`,
      headers: { "Content-Type": "application/json", "X-Kind": '${! meta("kind") }' },
      metadata: { include_prefixes: ["X-"], include_patterns: ["^trace_.*"] },
      msg_id: "",
    });
    await o.write(
      createMessage("{}", {
        metadata: { kind: "order", "X-Kind": "meta-kind", trace_id: "t1", secret: "no", count: 3 },
      }),
    );
    const [m] = await readStream(jsm, s.name);
    expect(m?.headers).toEqual({
      "Content-Type": ["application/json"],
      "X-Kind": ["order", "meta-kind"],
      trace_id: ["t1"],
    });
  });

  it("jetstream-output - metadata values are stringified as the reference does", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.v`, metadata: { include_patterns: [".*"] }, msg_id: "" });
    await o.write(
      createMessage("{}", { metadata: { int: 42, float: 1.5, bool: true, obj: { b: 1, a: "x" } } }),
    );
    const [m] = await readStream(jsm, s.name);
    expect(m?.headers).toEqual({ int: ["42"], float: ["1.5"], bool: ["true"], obj: ['{"a":"x","b":1}'] });
  });

  it("jetstream-output - every message gets its own generated Nats-Msg-Id", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.id` });
    await o.writeBatch([createMessage("a"), createMessage("b"), createMessage("c")]);
    const ids = (await readStream(jsm, s.name)).map((m) => m.headers["Nats-Msg-Id"]?.[0]);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => typeof id === "string" && id.length > 8)).toBe(true);
  });

  it("jetstream-output - an interpolated msg_id de-duplicates in the stream", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.dd`, msg_id: '${! json("id") }' });
    const a = perMessage(await o.write(createMessage('{"id":"order-1"}')));
    const b = perMessage(await o.write(createMessage('{"id":"order-1"}')));
    expect(a.duplicate).toBe(false);
    expect(b).toMatchObject({ duplicate: true, seq: a.seq });
    expect(await streamCount(jsm, s.name)).toBe(1);
    expect(o.stats.duplicates).toBe(1);
  });

  it("jetstream-output - a msg_id that is null or empty fails that message instead of merging messages", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.nid`, msg_id: '${! json("id") }' });
    const results = await Promise.allSettled(
      ['{"id":"a"}', '{"n":1}', '{"n":2}', '{"id":""}'].map((b) => o.write(createMessage(b))),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected"]);
    const err = (results[1] as PromiseRejectedResult).reason as JetStreamOutputError;
    expect(err).toMatchObject({ code: "INVALID_MSG_ID", retryable: false });
    expect(err.message).toContain('field "msg_id"');
    expect(err.message).toContain("null");
    expect(((results[3] as PromiseRejectedResult).reason as Error).message).toContain("empty");
    expect(await streamCount(jsm, s.name)).toBe(1);

    const allowed = await output({
      subject: `${s.prefix}.nid`,
      msg_id: '${! json("id") }',
      allow_empty_msg_id: true,
    });
    await allowed.write(createMessage('{"n":1}'));
    const dup = perMessage(await allowed.write(createMessage('{"n":2}')));
    expect(dup.duplicate).toBe(true); // both carry the id "null": what the opt-in accepts
    await allowed.write(createMessage('{"id":""}'));
    expect(await streamCount(jsm, s.name)).toBe(3);
  });

  it("jetstream-output - static headers alone are sent as one prebuilt block", async () => {
    const s = await stream();
    const o = await output({
      subject: `${s.prefix}.static`,
      headers: { "Content-Type": "text/plain", "X-A": "1" },
      msg_id: "",
    });
    await o.writeBatch([createMessage("a"), createMessage("b")]);
    const stored = await readStream(jsm, s.name);
    expect(stored.map((m) => m.headers)).toEqual([
      { "Content-Type": ["text/plain"], "X-A": ["1"] },
      { "Content-Type": ["text/plain"], "X-A": ["1"] },
    ]);
  });

  it('jetstream-output - msg_id: "" sends no Nats-Msg-Id', async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.noid`, msg_id: "" });
    await o.write(createMessage("a"));
    const [m] = await readStream(jsm, s.name);
    expect(m?.headers).toEqual({});
  });
});

describe("jetstream-output bad input fails the message and publishes nothing", () => {
  it.each([
    ["an empty subject", '${! meta("missing").or("") }', "INVALID_SUBJECT", "subject is empty"],
    ["a subject with a space", '${! meta("p") } x', "INVALID_SUBJECT", "contains whitespace"],
    ["an empty token", '${! meta("p") }..x', "INVALID_SUBJECT", "has an empty token"],
    ["a wildcard", '${! meta("p") }.*', "INVALID_SUBJECT", "wildcard"],
    ["a full wildcard", '${! meta("p") }.>', "INVALID_SUBJECT", "wildcard"],
    [
      "a failed interpolation",
      '${! meta("p") }.${! json("nope").uppercase() }',
      "INTERPOLATION_FAILED",
      'on field "subject"',
    ],
  ])("jetstream-output - %s", async (_name, subject, code, text) => {
    const s = await stream();
    const o = await output({ subject });
    const e = await rejectionOf(o.write(createMessage("{}", { metadata: { p: s.prefix } })));
    expect(JetStreamOutputError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code, retryable: false });
    expect(e.message).toContain(text);
    expect(await streamCount(jsm, s.name)).toBe(0);
  });

  it("jetstream-output - a subject over 4000 bytes fails that message; the connection stays up", async () => {
    const s = await stream();
    const o = await output({ subject: '${! meta("p") }.${! meta("tail") }' });
    const e = await rejectionOf(
      o.write(createMessage("{}", { metadata: { p: s.prefix, tail: "x".repeat(5000) } })),
    );
    expect(e).toMatchObject({ code: "INVALID_SUBJECT", retryable: false });
    expect(e.message).toContain("over 4000");
    await o.write(createMessage("{}", { metadata: { p: s.prefix, tail: "ok" } }));
    expect(await streamCount(jsm, s.name)).toBe(1);
    expect(o.client?.isConnected()).toBe(true);
  });

  it("jetstream-output - a message that throws while being prepared fails alone, not the batch", async () => {
    const s = await stream();
    class UnreadableMessage extends Message {
      override get content(): Uint8Array {
        throw new RangeError("unreadable body");
      }
    }
    const o = await output({ subject: `${s.prefix}.x` });
    const e = await rejectionOf(
      o.writeBatch([createMessage("1"), new UnreadableMessage("2"), createMessage("3")]),
    );
    expect(BatchWriteError.isInstance(e)).toBe(true);
    const errors = (e as unknown as BatchWriteError).errors;
    expect(errors.map((x) => x?.code)).toEqual([undefined, "INTERPOLATION_FAILED", undefined]);
    expect(errors[1]?.message).toBe("preparing the message failed: unreadable body");
    expect(await streamCount(jsm, s.name)).toBe(2);
  });

  it("jetstream-output - a header value with CR/LF", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.x`, headers: { "X-A": '${! meta("v") }' } });
    const e = await rejectionOf(o.write(createMessage("{}", { metadata: { v: "a\r\nInjected: yes" } })));
    expect(e).toMatchObject({ code: "INVALID_HEADER", retryable: false });
    expect(e.message).toContain('header "X-A": header value contains CR or LF');
    expect(await streamCount(jsm, s.name)).toBe(0);
  });

  it("jetstream-output - a failed header interpolation names the header", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.x`, headers: { "X-B": '${! json("a.b").number() }' } });
    const e = await rejectionOf(o.write(createMessage('{"a":{"b":"not a number"}}')));
    expect(e).toMatchObject({ code: "INTERPOLATION_FAILED" });
    expect(e.message).toContain('failed string interpolation on header "X-B"');
  });

  it("jetstream-output - a message over the server's max_payload", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.big` });
    const e = await rejectionOf(o.write(createMessage(new Uint8Array(70 * 1024))));
    expect(e).toMatchObject({ code: "MAX_PAYLOAD_EXCEEDED", retryable: false });
    expect(e.message).toContain("max_payload of 65536");
    expect(await streamCount(jsm, s.name)).toBe(0);
  });

  it("jetstream-output - a batch reports which messages failed; the others are stored", async () => {
    const s = await stream();
    const o = await output({ subject: `${s.prefix}.\${! meta("t") }` });
    const e = await rejectionOf(
      o.writeBatch([
        createMessage("1", { metadata: { t: "ok" } }),
        createMessage("2", { metadata: { t: "bad subject" } }),
        createMessage("3", { metadata: { t: "ok" } }),
      ]),
    );
    expect(BatchWriteError.isInstance(e)).toBe(true);
    const errors = (e as BatchWriteError).errors;
    expect(errors[0]).toBeUndefined();
    expect(errors[1]?.code).toBe("INVALID_SUBJECT");
    expect(errors[2]).toBeUndefined();
    expect(await streamCount(jsm, s.name)).toBe(2);
  });
});

describe("jetstream-output server-side failures", () => {
  it("jetstream-output - an odd reply (null, an array, a string, a bare error) fails that message and nothing else", async () => {
    const s = await stream();
    const replies: Record<string, string> = {
      null: "null",
      array: "[1]",
      text: '"hi"',
      err: '{"error":"boom"}',
      nostream: '{"seq":5}',
    };
    const sub = nc.subscribe("odd.*", {
      callback: (_e, m) => {
        m.respond(new TextEncoder().encode(replies[m.subject.slice(4)] ?? ""));
      },
    });
    await nc.flush();
    try {
      const o = await output({ subject: '${! meta("to") }', max_retries: 0 });
      const results = await Promise.allSettled(
        Object.keys(replies).map((k) => o.write(createMessage("x", { metadata: { to: `odd.${k}` } }))),
      );
      const errors = results.map((r) =>
        r.status === "rejected" ? (r.reason as JetStreamOutputError) : undefined,
      );
      expect(errors.map((e) => e?.code)).toEqual([
        "INVALID_ACK",
        "INVALID_ACK",
        "INVALID_ACK",
        "PUBLISH_REJECTED",
        "INVALID_ACK",
      ]);
      expect(errors.map((e) => e?.message)).toEqual([
        "the ack is not a JSON object",
        "the ack is not a JSON object",
        "the ack is not a JSON object",
        "the stream rejected the message for 'odd.err': boom (code undefined, err_code undefined)",
        "the ack has no stream or sequence",
      ]);
      // The connection still reads: a real publish right after is acknowledged.
      const ack = await o.write(createMessage("real", { metadata: { to: `${s.prefix}.ok` } }));
      expect(ack).toMatchObject({ stream: s.name, seq: 1 });
    } finally {
      sub.unsubscribe();
    }
  });

  it("jetstream-output - no stream for the subject fails fast with NO_STREAM", async () => {
    const o = await output({ subject: "nobody.listens.here", ack_timeout: "30s" });
    const started = Date.now();
    const e = await rejectionOf(o.write(createMessage("x")));
    expect(e).toMatchObject({ code: "NO_STREAM", retryable: false });
    expect(e.message).toBe("no stream captures subject 'nobody.listens.here'");
    // An answer, not the 30 s ack timeout (the margin absorbs a busy CI machine).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("jetstream-output - a server without JetStream is told apart from a missing stream", async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      const o = outputs.add(new JetStreamOutput({ urls: [plain.url], subject: "a.b" }));
      await o.connect();
      const e = await rejectionOf(o.write(createMessage("x")));
      expect(e).toMatchObject({ code: "JETSTREAM_NOT_ENABLED", retryable: false });
    } finally {
      await plain.stop();
    }
  });

  it("jetstream-output - a stream error ack (maximum messages, discard new) fails after the retries", async () => {
    const s = await stream({ max_msgs: 2, discard: "new" });
    const o = await output({
      subject: `${s.prefix}.full`,
      max_retries: 1,
      backoff: { initial_interval: "10ms", max_interval: "20ms" },
    });
    await o.write(createMessage("1"));
    await o.write(createMessage("2"));
    const e = await rejectionOf(o.write(createMessage("3")));
    expect(e).toMatchObject({ code: "PUBLISH_REJECTED", retryable: true, errCode: 10077, attempts: 2 });
    expect(e.message).toContain("maximum messages exceeded");
    expect(await streamCount(jsm, s.name)).toBe(2);
  });

  it("jetstream-output - a publish permission violation fails fast with PERMISSION_DENIED", async () => {
    const secured = await startNatsServer({
      auth: {
        users: [
          { user: "admin", password: "a" },
          { user: "writer", password: "w", permissions: { publish: { deny: ["denied.>"] } } },
        ],
      },
    });
    try {
      const a = await admin(secured.url, { user: "admin", pass: "a" });
      await addStream(a.jsm, "DENIED", ["denied.>"]);
      const o = outputs.add(
        new JetStreamOutput({
          urls: [secured.url],
          auth: { user: "writer", password: "w" },
          subject: "denied.x",
          ack_timeout: "30s",
        }),
      );
      await o.connect();
      const started = Date.now();
      const e = await rejectionOf(o.write(createMessage("x")));
      expect(e).toMatchObject({ code: "PERMISSION_DENIED", retryable: false });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await streamCount(a.jsm, "DENIED")).toBe(0);
      await a.nc.close();
    } finally {
      await secured.stop();
    }
  });
});
