import type { JetStreamManager } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import {
  createMessage,
  type Interpolation,
  type InterpolationError,
  type Message,
} from "@natskit/interpolation";
import type { ConnectOptions, NatsClient } from "@natskit/nats-connection";
import { connectNats, loadMeter, serverAtLeast } from "@natskit/nats-connection/internal";
import type { Meter, MeterProvider } from "@opentelemetry/api";
import type { AtomicEntry } from "./atomic.js";
import {
  type OutputConfig,
  type ParseOutputOptions,
  parseOutputConfig,
  type RawOutputConfig,
} from "./config.js";
import { AtomicBatchError, BatchWriteError, JetStreamOutputError } from "./errors.js";
import type { FastIngestProbe, FastIngestPublisher } from "./fast-ingest.js";
import { HeaderBuilder, headerNameProblem, headerValueProblem, subjectProblem } from "./headers.js";
import type { OutputMetrics, OutputMetricsOptions } from "./metrics.js";
import { randomBytes } from "./node-builtins.js";
import { AckPublisher, type PubAck } from "./publisher.js";
import { loadTracing, type TraceApi, traceCarrier } from "./trace-context.js";
import type { Output } from "./types.js";

/** Counters since `connect()`, for progress lines and metrics. */
export interface OutputStats {
  /** Messages given to `write`/`writeBatch`. */
  readonly accepted: number;
  /** Messages the stream acknowledged (including duplicates it had stored before). */
  readonly acked: number;
  /** Of `acked`, those the stream reported as duplicates of an earlier publish. */
  readonly duplicates: number;
  /** Messages reported failed. */
  readonly failed: number;
  /** Re-publishes after a retryable failure. */
  readonly retries: number;
  /** Messages waiting or awaiting their ack right now. */
  readonly pending: number;
  /** Messages published and awaiting their ack right now (at most `max_in_flight`). */
  readonly inflight: number;
}

export interface OutputOptions extends ParseOutputOptions {
  /**
   * Passed to `connectNats`: connect timeout, reconnect wait, `signal`, and `onEvent`, which
   * also gets a `connect_wait` event for each retry while `connect()` waits for a server.
   */
  connect?: ConnectOptions;
  /** Publish on an existing connection instead of opening one; `close()` leaves it open. */
  client?: NatsClient;
  /**
   * OpenTelemetry metrics (`output_sent`, `output_error`, `output_latency_ns`, …; see the README).
   * On by default when `@opentelemetry/api` is installed: they go to its global meter provider,
   * which must be installed before `connect()`.
   */
  metrics?: OutputMetricsOptions;
  /** What the output decided on its own: fast ingest found on or off for a stream, and why. */
  onEvent?: (event: OutputEvent) => void;
}

/** Reported through `OutputOptions.onEvent`. */
export type OutputEvent = {
  readonly type: "fast_ingest";
  /** The stream; absent when the decision holds for every stream (the server lacks fast ingest). */
  readonly stream?: string;
  /** Batches are used for bulk traffic to this stream from now on. */
  readonly enabled: boolean;
  /** Why not, when `enabled` is false. */
  readonly reason?: string;
};

/** Per stream: its fast-ingest publisher and whether the stream takes batches. */
interface FastStream {
  readonly publisher: FastIngestPublisher<Job>;
  /** `unknown` until the first batch start answers. */
  state: "unknown" | "on" | "off";
  /** When `off`, the time after which a batch is tried again (a stream update may allow it). */
  retryAt: number;
}

/** The ack interval a batch asks for (the server's maximum) and the flow acks allowed outstanding. */
const FAST_FLOW = 500;
const FAST_OUTSTANDING = 2;
/** Most subjects whose stream is looked up; beyond, new subjects take per-message acks. */
const MAX_SUBJECT_LOOKUPS = 10_000;

interface BatchState {
  acks: PubAck[];
  errors: (JetStreamOutputError | undefined)[];
  remaining: number;
  failed: boolean;
  resolve: (acks: PubAck[]) => void;
  reject: (e: BatchWriteError) => void;
}

/**
 * One message on its way to the stream; reused across its retries so the msg id stays. It is
 * also its own header object: nats-core only calls `encode()` on the headers it is given.
 */
class Job {
  attempts = 0;
  /** `performance.now()` of the first publish, when metrics are on. */
  sentAt = 0;
  constructor(
    readonly subject: string,
    readonly payload: Uint8Array,
    readonly headerBytes: Uint8Array | undefined,
    readonly resolve: ((ack: PubAck) => void) | undefined,
    readonly reject: ((e: JetStreamOutputError) => void) | undefined,
    readonly batch: BatchState | undefined,
    readonly index: number,
  ) {}

  encode(): Uint8Array {
    return this.headerBytes as Uint8Array;
  }

  get headers(): MsgHdrs | undefined {
    return this.headerBytes === undefined ? undefined : (this as unknown as MsgHdrs);
  }
}

/** A field that reads the message's trace context. */
const TRACING_FUNCTION = /\btracing_(?:id|span)\s*\(/;
const CLOSED = () => new JetStreamOutputError("CLOSED", "the output is closed", { retryable: false });

/**
 * The `nats_jetstream` output. Messages are published with at most `max_in_flight` awaiting
 * their ack; each write resolves when the stream acknowledged the message. Nothing is published
 * while the connection is down: messages wait, and messages whose ack was lost to a disconnect or
 * a timeout are published again with the same `Nats-Msg-Id`, so the stream stores them once.
 *
 * @example
 * ```ts
 * const out = new JetStreamOutput({ urls: ["nats://127.0.0.1:4222"], subject: 'events.${! meta("type") }' });
 * await out.connect();
 * await out.write(createMessage('{"id":1}', { metadata: { type: "click" } }));
 * await out.close();
 * ```
 */
export class JetStreamOutput implements Output {
  readonly config: OutputConfig;
  readonly #options: OutputOptions;
  #client: NatsClient | undefined;
  #ownsClient = false;
  #publisher: AckPublisher<Job> | undefined;
  /** `fast_ingest: auto`: the stream of each subject seen (null: none, or unknown), and per stream its batches. */
  #subjectStreams = new Map<string, string | null>();
  #lookups = new Set<string>();
  #fast = new Map<string, FastStream>();
  #fastOff: string | undefined;
  #jsm: Promise<JetStreamManager> | undefined;
  #unsubscribe: (() => void)[] = [];

  #queue: Job[] = [];
  #head = 0;
  #waiting = false;
  #closing = false;
  #closed = false;
  #timers = new Map<NodeJS.Timeout, Job>();
  #idle: (() => void)[] = [];
  #maxPayload = 1024 * 1024;

  /** `Nats-Msg-Id: <random per output>-`, pre-encoded; a counter completes each generated id. */
  readonly #idHead = Buffer.from(`Nats-Msg-Id: ${randomBytes(9).toString("base64url")}-`);
  #idCounter = 0;
  #staticHeaderBytes: Uint8Array | undefined;
  #dynamicHeaders = false;
  #metaDecisions = new Map<string, boolean>();
  #noStreamChecks = new Map<string, Promise<JetStreamOutputError>>();

  /** `inject_tracing_map` is set or a field calls `tracing_id()` / `tracing_span()`. */
  readonly #usesTrace: boolean;
  #trace: TraceApi | undefined;
  #connecting: Promise<void> | undefined;
  /** Aborts a connect() still waiting for a server, when close() is called. */
  #connectAbort: AbortController | undefined;
  #stats = { accepted: 0, acked: 0, duplicates: 0, failed: 0, retries: 0 };
  #errorsByCode = new Map<string, number>();
  #metrics: OutputMetrics | undefined;
  #timed = 0;
  /**
   * Loaded by `connect()` when the config uses them: an import of the output need not parse
   * what most configs never run (import cost).
   */
  #fastIngest: typeof import("./fast-ingest.js") | undefined;
  #atomicModule: typeof import("./atomic.js") | undefined;

  /**
   * @param config the Redpanda Connect `nats_jetstream` fields (snake_case), checked again at
   * runtime; or a config from `parseOutputConfig(raw)`, the way in for values that are not typed
   * yet (parsed YAML or JSON): `new JetStreamOutput(parseOutputConfig(yaml.output.nats_jetstream))`.
   * @throws ConfigError listing every problem with its field path.
   */
  constructor(config: RawOutputConfig, options?: OutputOptions);
  constructor(config: OutputConfig, options?: OutputOptions);
  // Two signatures, not a union: a typo that happens to be an `OutputConfig` field name
  // (`maxInFlight`) would pass a union's excess-property check.
  constructor(config: RawOutputConfig | OutputConfig, options: OutputOptions = {}) {
    this.config = isParsed(config) ? config : parseOutputConfig(config, options);
    this.#options = options;
    let lines = "";
    for (const [name, value] of this.config.headers) {
      if (!value.isStatic) {
        this.#dynamicHeaders = true;
        break;
      }
      lines += `${name}: ${value.evaluate(EMPTY)}\r\n`;
    }
    this.#builder = new HeaderBuilder(this.#dynamicHeaders ? "" : lines);
    this.#staticHeaderBytes = this.#builder.staticBlock();
    const c = this.config;
    this.#usesTrace =
      c.tracing !== undefined ||
      [c.subject, ...c.headers.map(([, v]) => v), ...(typeof c.msgId === "object" ? [c.msgId] : [])].some(
        (i) => TRACING_FUNCTION.test(i.source),
      );
  }

  get stats(): OutputStats {
    let inflight = this.#publisher?.inflight ?? 0;
    for (const f of this.#fast.values()) inflight += f.publisher.inflight;
    return { ...this.#stats, pending: this.#pendingCount(), inflight };
  }

  /** The connection in use (after `connect()`). */
  get client(): NatsClient | undefined {
    return this.#client;
  }

  /**
   * Connects (once: concurrent calls share the attempt). While no server is up it keeps trying
   * for `wait_on_first_connect` (default 30s). Rejects with `CLOSED` after `close()`, which also
   * ends such a wait.
   */
  connect(): Promise<void> {
    if (this.#client) return Promise.resolve();
    if (this.#closing || this.#closed) return Promise.reject(CLOSED());
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    if (this.#usesTrace) this.#trace = await loadTracing();
    if (this.config.fastIngest === "auto") this.#fastIngest ??= await import("./fast-ingest.js");
    if (this.config.atomicBatches) this.#atomicModule ??= await import("./atomic.js");
    await this.#startMetrics();
    const owned = this.#options.client === undefined;
    let client: NatsClient;
    try {
      client = this.#options.client ?? (await this.#dial());
    } catch (e) {
      this.#stopMetrics();
      throw e;
    }
    if (this.#closing || this.#closed) {
      // close() ran while this was connecting: do not leave a connection behind.
      this.#stopMetrics();
      if (owned) await client.close();
      throw CLOSED();
    }
    const version = client.nc.info?.version;
    if (this.config.atomicBatches && !serverAtLeast(version, 2, 12)) {
      this.#stopMetrics();
      if (owned) await client.close();
      throw new JetStreamOutputError(
        "ATOMIC_NOT_SUPPORTED",
        `atomic_batches: atomic batches need nats-server 2.12+, the server is ${version ?? "of an unknown version"}: it would store each message on its own`,
        { retryable: false },
      );
    }
    if (this.config.ttl && !serverAtLeast(version, 2, 11)) {
      this.#stopMetrics();
      if (owned) await client.close();
      throw new JetStreamOutputError(
        "TTL_NOT_SUPPORTED",
        `ttl: per-message TTL needs nats-server 2.11+, the server is ${version ?? "of an unknown version"}: it would store the messages and never expire them`,
        { retryable: false },
      );
    }
    this.#metrics?.attach(client);
    this.#ownsClient = owned;
    this.#client = client;
    this.#maxPayload = client.nc.info?.max_payload ?? this.#maxPayload;
    const publisher = new AckPublisher<Job>(client.nc, {
      window: this.config.maxInFlight,
      ackTimeoutMs: this.config.ackTimeoutMs,
      onResult: (job, err, ack) => this.#onResult(job, err, ack),
    });
    publisher.start();
    this.#publisher = publisher;
    if (this.config.fastIngest === "auto") {
      this.#fastOff = fastIngestUnavailable(client.nc.info?.version);
      if (this.#fastOff)
        this.#options.onEvent?.({ type: "fast_ingest", enabled: false, reason: this.#fastOff });
    }
    if (!client.isConnected()) publisher.disconnected();
    this.#unsubscribe.push(
      client.on("disconnect", () => {
        publisher.disconnected();
        for (const f of this.#fast.values()) f.publisher.disconnected();
      }),
      client.on("reconnect", () => {
        this.#maxPayload = client.nc.info?.max_payload ?? this.#maxPayload;
        publisher.reconnected();
        for (const f of this.#fast.values()) f.publisher.reconnected();
        this.#pump();
      }),
      client.on("error", (e) => {
        const err = e.error as Error & { operation?: string; subject?: string };
        if (err.name === "PermissionViolationError" && err.operation === "publish" && err.subject) {
          publisher.permissionDenied(err.subject, err);
        }
      }),
      client.on("close", () => this.#shutdown()),
    );
  }

  async #dial(): Promise<NatsClient> {
    if (this.#closing || this.#closed) throw CLOSED();
    const abort = new AbortController();
    this.#connectAbort = abort;
    const own = this.#options.connect?.signal;
    const signal = own ? AbortSignal.any([own, abort.signal]) : abort.signal;
    const onEvent = this.#options.connect?.onEvent;
    const tally = this.#metrics?.tally;
    try {
      const options: ConnectOptions = { ...this.#options.connect, signal };
      if (tally) {
        options.onEvent = (e) => {
          if (e.type === "connect_wait") tally.failedAttempt();
          onEvent?.(e);
        };
      }
      return await connectNats(this.config.connection, options);
    } catch (e) {
      throw this.#closing || this.#closed ? CLOSED() : e;
    } finally {
      this.#connectAbort = undefined;
    }
  }

  write(message: Message): Promise<PubAck> {
    return new Promise((resolve, reject) => {
      const failure = this.#prepareOrFail(message);
      this.#stats.accepted++;
      if (failure) {
        this.#stats.failed++;
        this.#countError(failure);
        reject(failure);
        return;
      }
      this.#enqueue(new Job(this.#pSubject, message.content, this.#pHeaders, resolve, reject, undefined, 0));
    });
  }

  writeBatch(messages: readonly Message[]): Promise<PubAck[]> {
    if (messages.length === 0) return Promise.resolve([]);
    if (this.config.atomicBatches) return this.#writeAtomic(messages);
    return new Promise((resolve, reject) => {
      const batch: BatchState = {
        acks: new Array<PubAck>(messages.length),
        errors: new Array<JetStreamOutputError | undefined>(messages.length),
        remaining: messages.length,
        failed: false,
        resolve,
        reject,
      };
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i] as Message;
        const failure = this.#prepareOrFail(message);
        this.#stats.accepted++;
        if (failure) {
          this.#settle(
            new Job("", EMPTY_BYTES, undefined, undefined, undefined, batch, i),
            failure,
            undefined,
          );
          continue;
        }
        // Queued without pumping: the batch goes out as one backlog (which is what lets
        // fast ingest take it from its first message).
        this.#queue.push(
          new Job(this.#pSubject, message.content, this.#pHeaders, undefined, undefined, batch, i),
        );
      }
      this.#pump();
    });
  }

  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    this.#connectAbort?.abort(CLOSED());
    if (this.#pendingCount() > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => this.#idle.push(r)),
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.#shutdown();
    this.#stopMetrics();
    for (const u of this.#unsubscribe) u();
    if (this.#ownsClient) await this.#client?.close();
    // A connect() still running closes its own connection when it sees the output closed.
    await this.#connecting?.catch(() => {});
  }

  async #startMetrics(): Promise<void> {
    const o = this.#options.metrics;
    if (o?.enabled === false || this.#metrics) return;
    const meter = (await loadMeter(
      "@natskit/jetstream-output",
      "",
      o?.meterProvider as MeterProvider | undefined,
    )) as Meter | undefined;
    if (!meter) return;
    const label = o?.label ?? this.#options.label ?? "nats_jetstream";
    const { OutputMetrics } = await import("./metrics.js");
    this.#metrics = new OutputMetrics(meter, label, this.config.subject.source, () => {
      const s = this.stats;
      return { ...s, held: s.pending - s.inflight, errors: this.#errorsByCode };
    });
  }

  #stopMetrics(): void {
    this.#metrics?.close();
    this.#metrics = undefined;
  }

  // ---- preparing a message

  // #prepare's results: it runs synchronously, so two fields spare an object per message.
  #pSubject = "";
  #pHeaders: Uint8Array | undefined;
  #builder: HeaderBuilder;
  #metaProblem: JetStreamOutputError | undefined;
  readonly #addMeta = (value: string, key: string): void => {
    if (this.#metaProblem || !this.#includeMeta(key)) return;
    const problem = headerNameProblem(key) ?? headerValueProblem(value);
    if (problem) {
      this.#metaProblem = new JetStreamOutputError("INVALID_HEADER", `metadata "${key}": ${problem}`, {
        retryable: false,
      });
      return;
    }
    this.#builder.add(key, value);
  };

  /**
   * {@link #prepare}, with anything it throws (a plugin function, an OpenTelemetry propagator)
   * turned into this message's error, so one message cannot break a batch.
   */
  #prepareOrFail(message: Message): JetStreamOutputError | undefined {
    // The active span is lent to a message without a trace context for this write only.
    const lent = this.#trace !== undefined && message.tracing === undefined;
    try {
      return this.#prepare(message);
    } catch (e) {
      return new JetStreamOutputError(
        "INTERPOLATION_FAILED",
        `preparing the message failed: ${e instanceof Error ? e.message : String(e)}`,
        { retryable: false, cause: e },
      );
    } finally {
      if (lent) message.setTracing(undefined);
    }
  }

  /** Evaluates subject and headers into `#pSubject` / `#pHeaders`; returns why it cannot be sent. */
  #prepare(message: Message): JetStreamOutputError | undefined {
    if (this.#closing || this.#closed) return CLOSED();
    if (!this.#publisher) {
      return new JetStreamOutputError("CLOSED", "the output is not connected: call connect() first", {
        retryable: false,
      });
    }
    const c = this.config;
    if (this.#trace && message.tracing === undefined) {
      // The caller's active OpenTelemetry context is the message's span, unless it carries one.
      const carrier = traceCarrier(this.#trace);
      if (carrier) message.setTracing(carrier);
    }
    if (c.tracing && message.tracing) {
      try {
        c.tracing.apply(message, message.tracing);
      } catch {
        // As in the reference: a failing tracing mapping must not stop the message.
      }
    }
    if (c.subject.isStatic) this.#pSubject = c.subject.evaluate(message);
    else {
      const subject = evaluate(c.subject, message, 'field "subject"');
      if (typeof subject !== "string") return subject;
      const problem = subjectProblem(subject);
      if (problem) return new JetStreamOutputError("INVALID_SUBJECT", problem, { retryable: false });
      this.#pSubject = subject;
    }

    let headers: Uint8Array | undefined;
    if (!this.#dynamicHeaders && c.metadata === undefined && c.msgId === "none") {
      headers = this.#staticHeaderBytes;
    } else {
      const b = this.#builder;
      b.begin();
      if (this.#dynamicHeaders) {
        for (const [name, value] of c.headers) {
          const text = evaluate(value, message, `header "${name}"`);
          if (typeof text !== "string") return text;
          const problem = headerValueProblem(text);
          if (problem) return invalidHeader(`header "${name}": ${problem}`);
          b.add(name, text);
        }
      }
      if (c.metadata) {
        this.#metaProblem = undefined;
        message.forEachMetaString(this.#addMeta);
        if (this.#metaProblem) return this.#metaProblem;
      }
      if (c.msgId === "generate") b.addCounter(this.#idHead, ++this.#idCounter);
      else if (c.msgId !== "none") {
        const id = evaluate(c.msgId, message, 'field "msg_id"');
        if (typeof id !== "string") return id;
        if ((id === "" || id === "null") && !c.allowEmptyMsgId) {
          return new JetStreamOutputError(
            "INVALID_MSG_ID",
            `field "msg_id": '${c.msgId.source}' is ${id === "" ? "empty" : "null"} for this message (a missing field?): without a distinct id the stream cannot tell it from other messages; set allow_empty_msg_id: true to publish it anyway`,
            { retryable: false },
          );
        }
        if (id !== "") {
          const problem = headerValueProblem(id);
          if (problem) return invalidHeader(`msg_id: ${problem}`);
          b.add("Nats-Msg-Id", id);
        }
      }
      headers = b.end();
    }

    const size = message.content.length + (headers?.length ?? 0);
    if (size > this.#maxPayload) {
      return new JetStreamOutputError(
        "MAX_PAYLOAD_EXCEEDED",
        `the message is ${size} bytes with headers, over the server's max_payload of ${this.#maxPayload}`,
        { retryable: false },
      );
    }
    this.#pHeaders = headers;
    return undefined;
  }

  #includeMeta(key: string): boolean {
    let d = this.#metaDecisions.get(key);
    if (d !== undefined) return d;
    const f = this.config.metadata!;
    d = f.prefixes.some((p) => key.startsWith(p)) || f.patterns.some((r) => r.matcher(key).find());
    if (this.#metaDecisions.size < 10_000) this.#metaDecisions.set(key, d);
    return d;
  }

  // ---- sending

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    if (!this.#publisher) return;
    const q = this.#queue;
    while (this.#head < q.length) {
      const publisher = this.#route(q[this.#head] as Job);
      if (!publisher.canSend()) {
        if (this.#head >= 4096) {
          // Drop the consumed front so a queue that never empties does not grow without bound.
          this.#queue = q.slice(this.#head);
          this.#head = 0;
        }
        if (!this.#waiting && !this.#closed) {
          this.#waiting = true;
          void publisher.ready().then(() => {
            this.#waiting = false;
            this.#pump();
          });
        }
        return;
      }
      const job = q[this.#head] as Job;
      q[this.#head++] = undefined as unknown as Job;
      job.attempts++;
      // Latency is sampled anyway (see LatencySampler): timing one message in 8 keeps the
      // clock reads off the other seven.
      if (job.sentAt === 0 && this.#metrics && (++this.#timed & 7) === 0) job.sentAt = performance.now();
      publisher.send(job, job.payload, job.headers);
    }
    if (this.#head > 0) {
      q.length = 0;
      this.#head = 0;
    }
  }

  // ---- atomic batches

  /** Streams known to allow atomic batches (`allow_atomic`), by name. */
  #atomicStreams = new Map<string, Promise<boolean>>();

  async #writeAtomic(messages: readonly Message[]): Promise<PubAck[]> {
    const n = messages.length;
    this.#stats.accepted += n;
    const counted = { done: false };
    try {
      const acks = await this.#atomic(messages, counted);
      if (!counted.done) this.#stats.acked += n;
      return acks;
    } catch (e) {
      if (counted.done) throw e; // the per-message path counted each message
      const err = JetStreamOutputError.isInstance(e)
        ? e
        : new JetStreamOutputError("INVALID_ACK", String(e), { retryable: true, cause: e });
      this.#stats.failed += n;
      this.#countError(err);
      throw err;
    } finally {
      this.#wakeIdle();
    }
  }

  async #atomic(messages: readonly Message[], counted: { done: boolean }): Promise<PubAck[]> {
    const unsupported = (why: string) =>
      new JetStreamOutputError("ATOMIC_NOT_SUPPORTED", `atomic_batches: ${why}; nothing was sent`, {
        retryable: false,
      });
    if (this.#closing || this.#closed) throw CLOSED();
    if (!this.#publisher || !this.#atomicModule) {
      throw new JetStreamOutputError("CLOSED", "the output is not connected: call connect() first", {
        retryable: false,
      });
    }
    const { ATOMIC_DUPLICATE, MAX_ATOMIC_BATCH, publishAtomic } = this.#atomicModule;
    if (messages.length > MAX_ATOMIC_BATCH) {
      throw unsupported(`a batch holds at most ${MAX_ATOMIC_BATCH} messages, this one ${messages.length}`);
    }
    const entries: AtomicEntry[] = [];
    for (let i = 0; i < messages.length; i++) {
      const failure = this.#prepareOrFail(messages[i] as Message);
      if (failure) throw new AtomicBatchError(i, failure);
      entries.push({
        subject: this.#pSubject,
        payload: (messages[i] as Message).content,
        headers: this.#pHeaders,
      });
    }
    const nc = this.#client!.nc;
    const streams = new Set(
      await Promise.all([...new Set(entries.map((e) => e.subject))].map((s) => this.#lookup(s))),
    );
    if (streams.has(null) || streams.size !== 1) {
      throw unsupported(
        streams.has(null)
          ? "no single stream captures every subject of the batch (or the lookup is not permitted)"
          : `the batch's subjects belong to ${streams.size} streams; an atomic batch goes to one`,
      );
    }
    const stream = [...streams][0] as string;
    if (!(await this.#allowsAtomic(stream))) {
      throw unsupported(
        `stream '${stream}' does not allow atomic batches (create it with allow_atomic: true)`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      await this.#client!.waitForConnection(this.config.ackTimeoutMs).catch(() => {});
      try {
        return await publishAtomic(nc, entries, this.config.ackTimeoutMs);
      } catch (e) {
        const err = e as JetStreamOutputError;
        if (attempt > 1 && AtomicBatchError.isInstance(err) && err.errCode === ATOMIC_DUPLICATE) {
          // After an unknown outcome, "duplicate msg id" means the earlier attempt committed (it is
          // all or nothing). Each message again with its own ack and the same id says exactly:
          // stored, or a duplicate of the committed one.
          counted.done = true;
          return await this.#republish(entries);
        }
        if (!err.retryable || attempt > this.config.maxRetries || this.#closed) throw err;
        this.#stats.retries++;
        await new Promise((r) => setTimeout(r, this.#backoff(attempt)));
      }
    }
  }

  /** Publishes prepared messages one by one with per-message acks (same headers, so same ids). */
  #republish(entries: readonly AtomicEntry[]): Promise<PubAck[]> {
    return new Promise((resolve, reject) => {
      const batch: BatchState = {
        acks: new Array<PubAck>(entries.length),
        errors: new Array<JetStreamOutputError | undefined>(entries.length),
        remaining: entries.length,
        failed: false,
        resolve,
        reject,
      };
      // Accepted once already (as the atomic batch); settling each counts it acked or failed.
      entries.forEach((e, i) => {
        this.#queue.push(new Job(e.subject, e.payload, e.headers, undefined, undefined, batch, i));
      });
      this.#pump();
    });
  }

  /** Whether `stream` echoes `allow_atomic: true` in its info (only 2.12+ servers know the field). */
  #allowsAtomic(stream: string): Promise<boolean> {
    let known = this.#atomicStreams.get(stream);
    if (!known) {
      known = this.#client!.nc.request(`$JS.API.STREAM.INFO.${stream}`, "", {
        timeout: this.config.ackTimeoutMs,
      })
        .then((m) => (m.json() as { config?: { allow_atomic?: boolean } }).config?.allow_atomic === true)
        .catch(() => false);
      this.#atomicStreams.set(stream, known);
      void known.then((ok) => {
        if (!ok) setTimeout(() => this.#atomicStreams.delete(stream), 60_000).unref();
      });
    }
    return known;
  }

  /** The stream capturing `subject` (cached), waiting for the lookup; null when none or not permitted. */
  async #lookup(subject: string): Promise<string | null> {
    for (;;) {
      const s = this.#streamOf(subject);
      if (s !== undefined) return s;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Where a message goes: with `fast_ingest: auto`, into its stream's fast-ingest batch while
   * there is bulk traffic (a batch is open, or the backlog fills two flow windows) and the stream
   * takes batches; through the per-message publisher otherwise, and while its stream is being
   * looked up.
   */
  #route(job: Job): AckPublisher<Job> | FastIngestPublisher<Job> {
    const perMessage = this.#publisher as AckPublisher<Job>;
    if (this.config.fastIngest !== "auto" || this.#fastOff !== undefined) return perMessage;
    const stream = this.#streamOf(job.subject);
    if (!stream) return perMessage;
    const f = this.#fastStream(stream);
    if (f.state === "off") {
      if (performance.now() < f.retryAt) return perMessage;
      f.state = "unknown";
    }
    if (f.publisher.open || this.#pendingCount() >= 2 * FAST_FLOW) return f.publisher;
    return perMessage;
  }

  /** The stream that captures `subject`, from a cache filled by `$JS.API.STREAM.NAMES` lookups. */
  #streamOf(subject: string): string | null | undefined {
    const known = this.#subjectStreams.get(subject);
    if (known !== undefined || this.#lookups.has(subject)) return known;
    if (this.#subjectStreams.size >= MAX_SUBJECT_LOOKUPS) return null;
    const nc = this.#client?.nc;
    if (!nc) return undefined;
    this.#lookups.add(subject);
    nc.request("$JS.API.STREAM.NAMES", JSON.stringify({ subject }), { timeout: this.config.ackTimeoutMs })
      .then(
        (m) => {
          const names = (m.json() as { streams?: string[] | null }).streams ?? [];
          this.#subjectStreams.set(subject, names.length === 1 ? (names[0] as string) : null);
        },
        () => this.#subjectStreams.set(subject, null), // not permitted, or no answer: per-message acks
      )
      .finally(() => this.#lookups.delete(subject));
    return undefined;
  }

  #fastStream(stream: string): FastStream {
    let f = this.#fast.get(stream);
    if (f) return f;
    const publisher = new this.#fastIngest!.FastIngestPublisher<Job>(this.#client!.nc, {
      stream,
      flow: Math.max(1, Math.min(FAST_FLOW, Math.floor(this.config.maxInFlight / FAST_OUTSTANDING))),
      outstanding: FAST_OUTSTANDING,
      ackTimeoutMs: this.config.ackTimeoutMs,
      onResult: (job, err, ack) => this.#onResult(job, err, ack),
      onReturn: (job) => this.#requeue(job),
      onProbe: (probe) => this.#probed(stream, probe),
      hasMore: () => this.#head < this.#queue.length,
    });
    publisher.start();
    if (!this.#client?.isConnected()) publisher.disconnected();
    f = { publisher, state: "unknown", retryAt: 0 };
    this.#fast.set(stream, f);
    return f;
  }

  #probed(stream: string, probe: FastIngestProbe): void {
    const f = this.#fast.get(stream);
    if (!f) return;
    const was = f.state;
    if (probe.supported) f.state = "on";
    else {
      f.state = "off";
      f.retryAt = performance.now() + probe.retryAfterMs;
    }
    if (was === f.state) return;
    this.#options.onEvent?.(
      probe.supported
        ? { type: "fast_ingest", stream, enabled: true }
        : { type: "fast_ingest", stream, enabled: false, reason: probe.reason },
    );
  }

  /** A message the stream did not store and that did not count as an attempt: first in line again. */
  #requeue(job: Job): void {
    job.attempts--;
    if (this.#head > 0) this.#queue[--this.#head] = job;
    else this.#queue.unshift(job);
    queueMicrotask(() => this.#pump());
  }

  #onResult(job: Job, err: JetStreamOutputError | undefined, ack: PubAck | undefined): void {
    if (!err) {
      this.#settle(job, undefined, ack);
      return;
    }
    if (err.code === "NO_STREAM") {
      void this.#classifyNoResponders(job.subject).then((classified) => this.#failOrRetry(job, classified));
      return;
    }
    this.#failOrRetry(job, err);
  }

  #failOrRetry(job: Job, err: JetStreamOutputError): void {
    if (!err.retryable || job.attempts > this.config.maxRetries || this.#closed) {
      err.attempts = job.attempts;
      this.#settle(job, this.#closed && err.retryable ? withAttempts(CLOSED(), job) : err, undefined);
      return;
    }
    this.#stats.retries++;
    // A lost ack (disconnect) needs no pause: the publisher holds sends until the reconnect.
    const delay = err.code === "DISCONNECTED" ? 0 : this.#backoff(job.attempts);
    if (delay === 0) {
      this.#enqueue(job);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#enqueue(job);
    }, delay);
    this.#timers.set(timer, job);
  }

  #backoff(attempts: number): number {
    const { initialMs, maxMs } = this.config.backoff;
    const exp = Math.min(maxMs, initialMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  /**
   * A 503 means nobody listens on the subject: no stream captures it, JetStream is off, or the
   * stream is between leaders. Asking the JetStream API tells them apart.
   */
  #classifyNoResponders(subject: string): Promise<JetStreamOutputError> {
    let check = this.#noStreamChecks.get(subject);
    if (check) return check;
    check = this.#lookupStream(subject);
    this.#noStreamChecks.set(subject, check);
    const forget = setTimeout(() => this.#noStreamChecks.delete(subject), 1000);
    forget.unref();
    return check;
  }

  async #lookupStream(subject: string): Promise<JetStreamOutputError> {
    try {
      // Loaded on the first 503 only: most outputs never need the JetStream API (import cost).
      const nc = this.#client!.nc;
      this.#jsm ??= import("@nats-io/jetstream").then(({ jetstreamManager }) =>
        jetstreamManager(nc, { checkAPI: false, timeout: 2000 }),
      );
      const jsm = await this.#jsm;
      const name = await jsm.streams.find(subject);
      return new JetStreamOutputError(
        "STREAM_UNAVAILABLE",
        `stream '${name}' captures '${subject}' but did not answer (no responders); retrying`,
        { retryable: true, apiCode: 503 },
      );
    } catch (e) {
      const text = `${(e as Error).name} ${(e as Error).message}`;
      if (/no stream matches subject/i.test(text)) {
        return new JetStreamOutputError("NO_STREAM", `no stream captures subject '${subject}'`, {
          retryable: false,
          apiCode: 503,
        });
      }
      if (/JetStreamNotEnabled|not enabled|no responders/i.test(text)) {
        if (this.#stats.acked > 0) {
          // JetStream answered this connection before: a server that was just restarted takes a
          // moment before its JetStream API answers again. Not a reason to give up on the message.
          return new JetStreamOutputError(
            "STREAM_UNAVAILABLE",
            `jetstream did not answer for '${subject}'; retrying`,
            {
              retryable: true,
              cause: e,
            },
          );
        }
        return new JetStreamOutputError(
          "JETSTREAM_NOT_ENABLED",
          "jetstream is not enabled on the server or for this account",
          { retryable: false, cause: e },
        );
      }
      this.#jsm = undefined;
      return new JetStreamOutputError(
        "STREAM_UNAVAILABLE",
        `no responders for '${subject}' (${(e as Error).message})`,
        {
          retryable: true,
          cause: e,
        },
      );
    }
  }

  #settle(job: Job, err: JetStreamOutputError | undefined, ack: PubAck | undefined): void {
    if (err) {
      this.#stats.failed++;
      this.#countError(err);
      if (err.attempts === 0) err.attempts = job.attempts;
    } else {
      this.#stats.acked++;
      if (ack?.kind === "message" && ack.duplicate) this.#stats.duplicates++;
      const m = this.#metrics;
      if (m && job.sentAt !== 0) m.latency.record(job.sentAt, m.attributes);
    }
    const b = job.batch;
    if (b) {
      if (err) {
        b.errors[job.index] = err;
        b.failed = true;
      } else b.acks[job.index] = ack as PubAck;
      if (--b.remaining === 0) {
        if (b.failed) b.reject(new BatchWriteError(b.errors));
        else b.resolve(b.acks);
      }
    } else if (err) job.reject?.(err);
    else job.resolve?.(ack as PubAck);
    this.#wakeIdle();
  }

  /** Wakes `close()` once nothing is pending. */
  #wakeIdle(): void {
    if (this.#idle.length > 0 && this.#pendingCount() === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const f of idle) f();
    }
  }

  #countError(err: JetStreamOutputError): void {
    this.#errorsByCode.set(err.code, (this.#errorsByCode.get(err.code) ?? 0) + 1);
  }

  #pendingCount(): number {
    return this.#stats.accepted - this.#stats.acked - this.#stats.failed;
  }

  /** Fails everything not yet acknowledged with `CLOSED`; nothing is left hanging. */
  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    const sleeping = [...this.#timers];
    this.#timers.clear();
    for (const [timer] of sleeping) clearTimeout(timer);
    this.#publisher?.close(CLOSED);
    for (const f of this.#fast.values()) f.publisher.close(CLOSED);
    const q = this.#queue;
    this.#queue = [];
    const head = this.#head;
    this.#head = 0;
    for (let i = head; i < q.length; i++)
      this.#settle(q[i] as Job, withAttempts(CLOSED(), q[i] as Job), undefined);
    for (const [, job] of sleeping) this.#settle(job, withAttempts(CLOSED(), job), undefined);
  }
}

const EMPTY_BYTES = new Uint8Array(0);

const EMPTY = createMessage("");

function withAttempts(e: JetStreamOutputError, job: Job): JetStreamOutputError {
  e.attempts = job.attempts;
  return e;
}

/** The string, or the error naming `where`; no result object on the hot path. */
function evaluate(i: Interpolation, message: Message, where: string): string | JetStreamOutputError {
  try {
    return i.evaluate(message);
  } catch (e) {
    return interpolationFailed(where, e as InterpolationError);
  }
}

function invalidHeader(message: string): JetStreamOutputError {
  return new JetStreamOutputError("INVALID_HEADER", message, { retryable: false });
}

function interpolationFailed(where: string, cause: InterpolationError): JetStreamOutputError {
  return new JetStreamOutputError(
    "INTERPOLATION_FAILED",
    `failed string interpolation on ${where}: ${cause.message}`,
    {
      retryable: false,
      cause,
    },
  );
}

function isParsed(c: RawOutputConfig | OutputConfig): c is OutputConfig {
  return (
    typeof c === "object" &&
    c !== null &&
    "connection" in c &&
    "subject" in c &&
    typeof (c as OutputConfig).subject === "object"
  );
}

/** Why fast ingest is off for the whole connection, or undefined when the server may have it (2.14+). */
function fastIngestUnavailable(version: string | undefined): string | undefined {
  if (serverAtLeast(version, 2, 14)) return undefined;
  return `nats-server ${version ?? "(unknown version)"} has no fast ingest (needs 2.14+)`;
}
