import { type JetStreamManager, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { JetStreamOutput, MessageAck, PubAck } from "../src/index.js";

/** A raw client connection for setting up streams and reading them back. */
export async function admin(
  urls: string | readonly string[],
  auth: { user?: string; pass?: string; tls?: { ca: string } } = {},
): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const servers = [...(typeof urls === "string" ? [urls] : urls)];
  const nc = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 200, ...auth });
  return { nc, jsm: await jetstreamManager(nc) };
}

export async function addStream(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  extra: Partial<StreamConfig> = {},
) {
  return jsm.streams.add({ name, subjects, ...extra });
}

export interface StoredMessage {
  subject: string;
  data: string;
  headers: Record<string, string[]>;
}

/**
 * Every message of a stream, in order, by sequence (32 requests at a time). Message gets need
 * only the stream leader, unlike a consumer, which a cluster that just lost a node may fail to
 * create for a while.
 */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<StoredMessage[]> {
  const { first_seq, last_seq, messages } = (await jsm.streams.info(stream)).state;
  if (messages === 0) return [];
  const out: (StoredMessage | undefined)[] = new Array(last_seq - first_seq + 1);
  let next = first_seq;
  const worker = async () => {
    while (next <= last_seq) {
      const seq = next++;
      const m = await jsm.streams.getMessage(stream, { seq });
      if (!m) continue;
      const headers: Record<string, string[]> = {};
      if (m.header) for (const k of m.header.keys()) headers[k] = m.header.values(k);
      out[seq - first_seq] = { subject: m.subject, data: new TextDecoder().decode(m.data), headers };
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return out.filter((m): m is StoredMessage => m !== undefined);
}

export async function streamCount(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

/** Closes outputs even when a test fails. */
export class Outputs {
  #all: JetStreamOutput[] = [];
  add(o: JetStreamOutput): JetStreamOutput {
    this.#all.push(o);
    return o;
  }
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#all.map((o) => o.close(2000)));
    this.#all = [];
  }
}

/**
 * The nats-server of a test file, started before its tests and stopped after them, and the
 * outputs its tests open, closed after each test. Call once, at the top of the file.
 */
export function serverPerFile(): { server: () => NatsServer; outputs: Outputs } {
  const outputs = new Outputs();
  let server: NatsServer | undefined;
  afterEach(() => outputs.closeAll());
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(() => server?.stop());
  return {
    outputs,
    server: () => {
      if (!server)
        throw new Error("the file's nats-server starts in beforeAll: use it inside a test or hook");
      return server;
    },
  };
}

/** The suffix of a test's name that says why it is skipped; empty when it runs. */
export function skipped(why: string | undefined): string {
  return why ? ` (skipped: ${why})` : "";
}

export async function rejectionOf(
  p: Promise<unknown>,
): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

/** The ack as a per-message one (the default without `fast_ingest`); fails the test otherwise. */
export function perMessage(ack: PubAck): MessageAck {
  if (ack.kind !== "message") throw new Error(`expected a per-message ack, got a '${ack.kind}' ack`);
  return ack;
}

/**
 * A TCP proxy to `target` on a free loopback port. `cut()` drops every connection through it
 * while it keeps listening, as a flaky network does: the server stays up and the client
 * reconnects through it at once.
 */
export async function startProxy(target: { host: string; port: number }): Promise<{
  url: string;
  cut(): void;
  close(): Promise<void>;
}> {
  const net = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const track = (s: import("node:net").Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
