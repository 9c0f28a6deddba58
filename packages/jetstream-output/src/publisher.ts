import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import { JetStreamOutputError } from "./errors.js";
import type { BatchAck } from "./fast-ingest.js";

/** A stream's acknowledgement of one message, published with an ack of its own. */
export interface MessageAck {
  readonly kind: "message";
  readonly stream: string;
  readonly seq: number;
  /** The stream had already stored a message with this `Nats-Msg-Id`. */
  readonly duplicate: boolean;
}

/**
 * How the stream acknowledged a message: on its own (`kind: "message"`, with its stream
 * sequence), or as part of a fast-ingest batch (`kind: "batch"`, without; see `fast_ingest`).
 * Narrow on `kind` before reading `seq` or `duplicate`.
 */
export type PubAck = MessageAck | BatchAck;

/** What the publisher needs to know about a message it carries; the rest is the caller's. */
export interface PublishJob {
  readonly subject: string;
}

/** Called exactly once per `send`: with an ack, or with an error. */
export type ResultHandler<J extends PublishJob, A = MessageAck> = (
  job: J,
  error: JetStreamOutputError | undefined,
  ack: A | undefined,
) => void;

export interface AckPublisherOptions<J extends PublishJob> {
  /** Most messages awaiting their ack at once. */
  window: number;
  /** How long to wait for an ack before failing the message as `ACK_TIMEOUT`. */
  ackTimeoutMs: number;
  /** Resolution of the timeout sweep. @default 100 */
  sweepMs?: number;
  onResult: ResultHandler<J>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ACK_HEAD = new TextEncoder().encode('{"stream":"');
const SEQ_KEY = new TextEncoder().encode('"seq":');
const decoder = new TextDecoder();

/**
 * JetStream publishing on the client's core API: one reply subscription, integer reply tokens,
 * a byte-level ack check, one sweeping timer, and a shared backpressure promise (see
 * ../shared/spec/fast-publish.md). `js.publish` builds three Errors and a timer per message; this
 * builds none on the success path.
 *
 * It never writes into a dead connection: while disconnected `canSend()` is false, and every
 * message in flight at a disconnect fails at once as `DISCONNECTED` (outcome unknown), because its
 * ack can never arrive on the next connection. The sweep catches anything that slips through.
 */
export class AckPublisher<J extends PublishJob> {
  readonly #nc: NatsConnection;
  readonly #window: number;
  readonly #onResult: ResultHandler<J>;
  readonly #prefix: string;
  readonly #prefixLength: number;
  readonly #pending = new Map<number, J>();
  #seq = 0;
  #connected = true;
  #closed = false;
  #sub: Subscription | undefined;

  #readyWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];

  readonly #sweepMs: number;
  readonly #timeoutTicks: number;
  readonly #ring: Float64Array;
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;

  readonly #writer: Writer;
  #streamNameBytes: Uint8Array = new Uint8Array(0);
  #streamName = "";

  constructor(nc: NatsConnection, options: AckPublisherOptions<J>) {
    this.#nc = nc;
    this.#window = options.window;
    this.#onResult = options.onResult;
    const inboxPrefix = (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.#prefix = `${createInbox(inboxPrefix)}.`;
    this.#prefixLength = this.#prefix.length;
    this.#sweepMs = options.sweepMs ?? 100;
    this.#timeoutTicks = Math.max(1, Math.ceil(options.ackTimeoutMs / this.#sweepMs));
    this.#ring = new Float64Array(this.#timeoutTicks + 1);
    this.#writer = chooseWriter(nc);
  }

  start(): void {
    this.#sub = this.#nc.subscribe(`${this.#prefix}*`, {
      callback: (err, msg) => (err ? this.#subscriptionFailed(err) : this.#onAck(msg)),
    });
    this.#timer = setInterval(() => this.#sweep(), this.#sweepMs);
    this.#timer.unref();
  }

  /** Whether publishes go straight to nats-core's outbound buffer (the fast path) or through `nc.publish`. */
  get writesDirectly(): boolean {
    return this.#writer instanceof WireWriter;
  }

  get inflight(): number {
    return this.#pending.size;
  }

  /** True when `send` may be called now. */
  canSend(): boolean {
    return this.#connected && !this.#closed && this.#pending.size < this.#window;
  }

  /** Resolves when `canSend()` may be true again: a slot freed up, a reconnect, or close. */
  ready(): Promise<void> {
    if (this.canSend() || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Resolves when nothing is in flight. */
  drained(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * Publishes one message. Call only when `canSend()` is true. The result arrives through
   * `onResult`, possibly synchronously when the client refuses the message outright.
   */
  send(job: J, payload: Uint8Array, headers: MsgHdrs | undefined): void {
    const seq = ++this.#seq;
    this.#pending.set(seq, job);
    try {
      this.#writer.publish(job.subject, this.#prefix + seq, payload, headers);
    } catch (e) {
      this.#pending.delete(seq);
      this.#onResult(job, clientRefusal(e, job.subject), undefined);
      this.#released();
    }
  }

  /** Marks the connection down: every message in flight fails as `DISCONNECTED`. */
  disconnected(): void {
    this.#connected = false;
    this.#failAll(() =>
      outcomeUnknown("DISCONNECTED", "the connection dropped before the stream acknowledged"),
    );
  }

  reconnected(): void {
    this.#connected = true;
    this.#wakeReady();
  }

  /** A publish permission violation reported asynchronously by the server for `subject`. */
  permissionDenied(subject: string, cause: unknown): void {
    for (const [seq, job] of this.#pending) {
      if (job.subject !== subject) continue;
      this.#pending.delete(seq);
      this.#onResult(
        job,
        new JetStreamOutputError("PERMISSION_DENIED", `permission denied to publish to '${subject}'`, {
          retryable: false,
          cause,
        }),
        undefined,
      );
    }
    this.#released();
  }

  /** Stops: fails whatever is in flight with `error`, wakes every waiter. */
  close(error: () => JetStreamOutputError): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#failAll(error);
    try {
      this.#sub?.unsubscribe();
    } catch {
      // The connection may already be closed.
    }
    this.#wakeReady();
  }

  #onAck(msg: Msg): void {
    const subject = msg.subject;
    let seq = 0;
    for (let i = this.#prefixLength; i < subject.length; i++) seq = seq * 10 + (subject.charCodeAt(i) - 48);
    const job = this.#pending.get(seq);
    if (job === undefined) return; // late: already failed by a timeout or a disconnect
    this.#pending.delete(seq);
    // This runs inside nats-core's protocol parser: a throw here would stop the connection's
    // reader, so whatever the reply holds, the job gets exactly one result and its slot is freed.
    try {
      const data = msg.data;
      let error: JetStreamOutputError | undefined;
      let ack: MessageAck | undefined;
      try {
        if (data.length === 0) error = statusError(msg, job.subject);
        else {
          const seqNo = this.#fastAck(data);
          if (seqNo > 0) ack = { kind: "message", stream: this.#streamName, seq: seqNo, duplicate: false };
          else [error, ack] = readAck(data, job.subject);
        }
      } catch (cause) {
        error = invalidAck("the ack could not be read", cause);
      }
      this.#onResult(job, error, ack);
    } finally {
      this.#released();
    }
  }

  /**
   * Accepts exactly `{"stream":"<name>", "seq":<digits>}` (what the server sends for a new
   * message) without decoding; returns 0 for anything else, which then takes the JSON path.
   */
  #fastAck(d: Uint8Array): number {
    const n = d.length;
    const head = ACK_HEAD.length;
    if (n < head + 10 || d[n - 1] !== 0x7d) return 0;
    for (let i = 0; i < head; i++) if (d[i] !== ACK_HEAD[i]) return 0;
    let i = head;
    while (i < n && d[i] !== QUOTE) {
      if (d[i] === BACKSLASH) return 0;
      i++;
    }
    const nameEnd = i;
    if (++i >= n || d[i] !== 0x2c) return 0; // ,
    i++;
    while (i < n && d[i] === 0x20) i++;
    for (let k = 0; k < SEQ_KEY.length; k++, i++) if (d[i] !== SEQ_KEY[k]) return 0;
    let seq = 0;
    const digitsStart = i;
    while (i < n - 1) {
      const c = d[i] as number;
      if (c < 48 || c > 57) return 0;
      seq = seq * 10 + (c - 48);
      i++;
    }
    if (i === digitsStart || i !== n - 1) return 0;
    this.#noteStream(d, head, nameEnd);
    return seq;
  }

  #noteStream(d: Uint8Array, start: number, end: number): void {
    const known = this.#streamNameBytes;
    const len = end - start;
    if (known.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (known[i] !== d[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    this.#streamNameBytes = d.slice(start, end);
    this.#streamName = decoder.decode(this.#streamNameBytes);
  }

  #sweep(): void {
    const slots = this.#ring.length;
    this.#tick++;
    this.#ring[this.#tick % slots] = this.#seq;
    if (this.#tick <= this.#timeoutTicks) return;
    // Everything issued up to the seq recorded `timeoutTicks` ago is past its deadline. The map
    // iterates in insertion (= seq) order, so the walk stops at the first live entry.
    const boundary = this.#ring[(this.#tick - this.#timeoutTicks) % slots] as number;
    if (this.#pending.size === 0) return;
    let expired = false;
    for (const [seq, job] of this.#pending) {
      if (seq > boundary) break;
      this.#pending.delete(seq);
      expired = true;
      this.#onResult(
        job,
        outcomeUnknown("ACK_TIMEOUT", `no ack within ${this.#timeoutTicks * this.#sweepMs} ms`),
        undefined,
      );
    }
    if (expired) this.#released();
  }

  #subscriptionFailed(err: Error): void {
    this.#failAll(() => outcomeUnknown("DISCONNECTED", `the ack subscription failed: ${err.message}`, err));
  }

  #failAll(error: () => JetStreamOutputError): void {
    if (this.#pending.size === 0) return;
    const jobs = [...this.#pending.values()];
    this.#pending.clear();
    for (const job of jobs) this.#onResult(job, error(), undefined);
    this.#released();
  }

  #released(): void {
    if (this.#readyWaiters.length > 0 && this.canSend()) this.#wakeReady();
    if (this.#pending.size === 0 && this.#drainWaiters.length > 0) {
      const w = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const f of w) f();
    }
  }

  #wakeReady(): void {
    const w = this.#readyWaiters;
    if (w.length === 0) return;
    this.#readyWaiters = [];
    for (const f of w) f();
  }
}

function outcomeUnknown(
  code: "ACK_TIMEOUT" | "DISCONNECTED",
  message: string,
  cause?: unknown,
): JetStreamOutputError {
  return new JetStreamOutputError(
    code,
    message,
    cause === undefined ? { retryable: true } : { retryable: true, cause },
  );
}

function invalidAck(message: string, cause?: unknown): JetStreamOutputError {
  return new JetStreamOutputError(
    "INVALID_ACK",
    message,
    cause === undefined ? { retryable: true } : { retryable: true, cause },
  );
}

/** JetStream `err_code`s that no retry can fix. */
const PERMANENT_ERR_CODES = new Set([
  10054, // message size exceeds maximum allowed (stream max_msg_size)
  10060, // expected stream does not match
  10071, // wrong last sequence
  10070, // wrong last msg id
  10164, // wrong last sequence (Nats-Expected-Last-Subject-Sequence)
  10165, // invalid per-message TTL
  10166, // per-message TTL is disabled (stream without allow_msg_ttl)
]);

/** The JSON path for an ack the fast check did not take: an error ack, a duplicate, anything odd. */
function readAck(
  data: Uint8Array,
  subject: string,
): [JetStreamOutputError, undefined] | [undefined, MessageAck] {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch (cause) {
    return [invalidAck("the ack is not JSON", cause), undefined];
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return [invalidAck("the ack is not a JSON object"), undefined];
  }
  const b = body as { stream?: unknown; seq?: unknown; duplicate?: unknown; error?: unknown };
  if (b.error !== undefined && b.error !== null && b.error !== false) {
    const e = typeof b.error === "object" ? (b.error as Record<string, unknown>) : {};
    const info: { code?: number; err_code?: number; description?: string } = {};
    if (typeof e.code === "number") info.code = e.code;
    if (typeof e.err_code === "number") info.err_code = e.err_code;
    info.description = typeof e.description === "string" ? e.description : String(b.error);
    return [apiError(info, subject), undefined];
  }
  if (typeof b.stream !== "string" || b.stream === "" || typeof b.seq !== "number") {
    return [invalidAck("the ack has no stream or sequence"), undefined];
  }
  return [undefined, { kind: "message", stream: b.stream, seq: b.seq, duplicate: b.duplicate === true }];
}

export function apiError(
  e: { code?: number; err_code?: number; description?: string },
  subject: string,
): JetStreamOutputError {
  if (e.err_code === 10166) {
    return new JetStreamOutputError(
      "TTL_NOT_SUPPORTED",
      `the stream for '${subject}' does not allow per-message TTL: create it with allow_msg_ttl: true, or remove ttl (${e.description ?? "per-message TTL is disabled"})`,
      { retryable: false, apiCode: e.code ?? 400, errCode: 10166 },
    );
  }
  const retryable = e.err_code === undefined || !PERMANENT_ERR_CODES.has(e.err_code);
  const opts: { retryable: boolean; apiCode?: number; errCode?: number } = { retryable };
  if (e.code !== undefined) opts.apiCode = e.code;
  if (e.err_code !== undefined) opts.errCode = e.err_code;
  return new JetStreamOutputError(
    "PUBLISH_REJECTED",
    `the stream rejected the message for '${subject}': ${e.description ?? "unknown error"} (code ${e.code}, err_code ${e.err_code})`,
    opts,
  );
}

/** A reply with no body is a status; 503 = no responders, classified later by the output. */
export function statusError(msg: Msg, subject: string): JetStreamOutputError {
  const code = msg.headers?.code ?? 0;
  if (code === 503) {
    return new JetStreamOutputError("NO_STREAM", `no responders for '${subject}'`, {
      retryable: false,
      apiCode: 503,
    });
  }
  return new JetStreamOutputError(
    "INVALID_ACK",
    `unexpected status ${code} ${msg.headers?.description ?? ""}`.trim(),
    {
      retryable: true,
      apiCode: code,
    },
  );
}

function clientRefusal(e: unknown, subject: string): JetStreamOutputError {
  const err = e as Error;
  if (/max_payload/i.test(err.message)) {
    return new JetStreamOutputError("MAX_PAYLOAD_EXCEEDED", `the message exceeds the server's max_payload`, {
      retryable: false,
      cause: e,
    });
  }
  if (/closed|draining/i.test(`${err.name} ${err.message}`)) {
    return new JetStreamOutputError("CLOSED", "the connection is closed", { retryable: false, cause: e });
  }
  if (/subject/i.test(err.message)) {
    return new JetStreamOutputError("INVALID_SUBJECT", `invalid subject '${subject}'`, {
      retryable: false,
      cause: e,
    });
  }
  return new JetStreamOutputError("DISCONNECTED", `the client refused the publish: ${err.message}`, {
    retryable: true,
    cause: e,
  });
}

interface ProtocolHandler {
  info?: { max_payload: number; headers?: boolean };
  noMorePublishing: boolean;
  outBytes: number;
  outMsgs: number;
  sendCommand(cmd: Uint8Array, ...payloads: Uint8Array[]): void;
}

const CRLF = new Uint8Array([13, 10]);
const SLAB = 256 * 1024;

/** Sends one message with a reply subject; throws what `nc.publish` would throw. */
export interface Writer {
  publish(subject: string, reply: string, payload: Uint8Array, headers: MsgHdrs | undefined): void;
}

/**
 * The connection's writer, chosen once: a {@link WireWriter} when nats-core's internals are the
 * ones it knows, else a {@link ClientWriter}.
 */
export function chooseWriter(nc: NatsConnection): Writer {
  return WireWriter.attach(nc) ?? new ClientWriter(nc);
}

/**
 * Writes `PUB` / `HPUB` straight into nats-core's outbound buffer. `nc.publish` validates the
 * subject and reply with regexes and encodes every protocol line with a fresh `TextEncoder`
 * array; here subjects are validated once by the output and the line is written into a slab.
 * Used only when the connection exposes the protocol handler this was written against
 * (nats-core 3.x); otherwise the publisher falls back to a {@link ClientWriter}.
 */
export class WireWriter implements Writer {
  #slab = Buffer.allocUnsafe(SLAB);
  #used = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly protocol: ProtocolHandler,
  ) {}

  static attach(nc: NatsConnection): WireWriter | undefined {
    const protocol = (nc as unknown as { protocol?: ProtocolHandler }).protocol;
    if (!protocol || typeof protocol.sendCommand !== "function" || typeof protocol.outMsgs !== "number")
      return undefined;
    return new WireWriter(nc, protocol);
  }

  publish(subject: string, reply: string, payload: Uint8Array, headers: MsgHdrs | undefined): void {
    const p = this.protocol;
    if (this.nc.isClosed() || p.noMorePublishing) throw new Error("closed connection");
    const hdr = headers ? (headers as unknown as { encode(): Uint8Array }).encode() : undefined;
    const hlen = hdr ? hdr.length : 0;
    const total = payload.length + hlen;
    const max = p.info?.max_payload;
    if (max !== undefined && total > max) throw new Error("'payload' max_payload size exceeded");
    const line = hdr
      ? `HPUB ${subject} ${reply} ${hlen} ${total}\r\n`
      : `PUB ${subject} ${reply} ${total}\r\n`;
    if (this.#used + line.length * 3 > SLAB) {
      this.#slab = Buffer.allocUnsafe(SLAB);
      this.#used = 0;
    }
    const start = this.#used;
    this.#used += this.#slab.write(line, start, "utf8");
    const cmd = new Uint8Array(this.#slab.buffer, this.#slab.byteOffset + start, this.#used - start);
    p.outBytes += total;
    p.outMsgs++;
    if (hdr) p.sendCommand(cmd, hdr, payload, CRLF);
    else p.sendCommand(cmd, payload, CRLF);
  }
}

/** Publishes through `nc.publish`, for connections whose internals {@link WireWriter} does not know. */
export class ClientWriter implements Writer {
  // One options object for every publish: the client reads it synchronously and keeps nothing.
  readonly #options: { reply: string; headers: MsgHdrs | undefined } = { reply: "", headers: undefined };
  readonly #nc: NatsConnection;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
  }

  publish(subject: string, reply: string, payload: Uint8Array, headers: MsgHdrs | undefined): void {
    const opts = this.#options;
    opts.reply = reply;
    opts.headers = headers;
    this.#nc.publish(subject, payload, opts as { reply: string; headers?: MsgHdrs });
  }
}
