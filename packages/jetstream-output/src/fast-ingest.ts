import { createInbox, type Msg, type MsgHdrs, type NatsConnection, nuid } from "@nats-io/transport-node";
import { JetStreamOutputError } from "./errors.js";
import {
  apiError,
  chooseWriter,
  type MessageAck,
  type PublishJob,
  type ResultHandler,
  statusError,
  type Writer,
} from "./publisher.js";

/**
 * The result of a message stored through a fast-ingest batch: the stream acknowledged a range of
 * the batch that covers it. There is no stream sequence of the message's own, and no duplicate
 * flag: the server skips a duplicate `Nats-Msg-Id` silently inside a batch.
 */
export interface BatchAck {
  readonly kind: "batch";
  readonly stream: string;
  /** The batch's id (`Nats-Batch-Id` is not stored with fast-ingest messages). */
  readonly batch: string;
}

/** What a fast-ingest start told about the stream. */
export type FastIngestProbe =
  | { readonly supported: true }
  /** `reason` says why, for the log line that names the fallback. */
  | { readonly supported: false; readonly reason: string; readonly retryAfterMs: number };

export interface FastIngestOptions<J extends PublishJob> {
  /** The stream every message of this publisher lands in. */
  stream: string;
  /** The ack interval to ask for; the server caps it at 500. */
  flow: number;
  /** Flow acks allowed outstanding: at most `flow × outstanding` messages are unacknowledged. */
  outstanding: number;
  /** No progress on a batch for this long fails its unacknowledged messages as `ACK_TIMEOUT`. */
  ackTimeoutMs: number;
  /** Commit a batch once nothing was sent to it for this long and `hasMore()` is false. @default 5 */
  lingerMs?: number;
  /** Whether the caller has messages waiting to be sent (then the batch stays open). */
  hasMore: () => boolean;
  onResult: ResultHandler<J, MessageAck | BatchAck>;
  /** A message that was not stored and did not count as an attempt: send it again, any way. */
  onReturn: (job: J) => void;
  /** The first start of a batch answered: fast ingest works on this stream, or why not. */
  onProbe: (probe: FastIngestProbe) => void;
}

interface Entry<J> {
  job: J;
  payload: Uint8Array;
  headers: MsgHdrs | undefined;
}

/** Server `err_code`s of fast ingest (server errors.json; orbit.go's constants are off by two). */
const BATCH_DISABLED = 10205;
const BATCH_UNKNOWN = 10208;
const BATCH_TOO_MANY = 10211;
/** A stream without `allow_batched` is tried again after this long (a stream update may allow it). */
const DISABLED_RETRY_MS = 300_000;
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * Fast-ingest batch publishing (nats-server ≥ 2.14, stream `allow_batched`; ADR-50, measured in
 * ../shared/spec/fast-ingest.md): one flow ack every `flow` messages instead of one ack per
 * message, gap mode `fail`, so a flow ack means "everything up to here is stored". One batch at a
 * time; it is committed (EOB) once the caller stops sending for `lingerMs`.
 *
 * Nothing is lost: a message stays unresolved until a flow ack or the final ack covers it. After a
 * disconnect the batch is kept, and on reconnect a ping asks the server how far it got: a flow
 * ack (it has everything) continues the batch; a gap and the final ack settle it exactly — what
 * the server stored is acked, the rest comes back through `onReturn` — even without msg ids. When
 * the batch's fate is unknown (the server forgot the batch after a restart or 10 s idle, the
 * start or the commit was in flight, no answer within `ackTimeoutMs`) every unacknowledged message
 * fails as `DISCONNECTED` / `ACK_TIMEOUT`, retryable: the output sends them again in a new batch
 * with the same `Nats-Msg-Id`, which the stream drops if it has them. Messages the server says it
 * did not store (after a gap or a rejected message) come back through `onReturn`.
 */
export class FastIngestPublisher<J extends PublishJob> {
  readonly #nc: NatsConnection;
  readonly #o: FastIngestOptions<J>;
  readonly #prefix: string;
  readonly #writer: Writer;

  /** The open batch: its id, the reply-subject head, and its messages from `#base` on. */
  #batch = "";
  #replyHead = "";
  #entries: (Entry<J> | undefined)[] = [];
  #head = 0;
  /** Batch sequence of `#entries[#head]`. */
  #base = 1;
  #sent = 0;
  #acked = 0;
  #flow = 0;
  #started = false;
  #committing = false;
  /** A ping went out after a reconnect: nothing is sent until the server says how far it got. */
  #pinging = false;
  #probed = false;
  /** The subject of the last message sent: the commit (EOB) goes to it. */
  #lastSubject = "";

  #connected = true;
  #closed = false;
  #sub: { unsubscribe(): void } | undefined;
  #readyWaiters: (() => void)[] = [];
  #lastProgress = 0;
  #lastSend = 0;
  #timer: NodeJS.Timeout | undefined;
  #linger: NodeJS.Timeout | undefined;

  constructor(nc: NatsConnection, options: FastIngestOptions<J>) {
    this.#nc = nc;
    this.#o = options;
    const inboxPrefix = (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.#prefix = `${createInbox(inboxPrefix)}.`;
    this.#writer = chooseWriter(nc);
  }

  start(): void {
    this.#sub = this.#nc.subscribe(`${this.#prefix}>`, {
      callback: (err, msg) => {
        if (!err) this.#onReply(msg);
      },
    });
    this.#timer = setInterval(() => this.#sweep(), Math.max(10, Math.min(100, this.#o.ackTimeoutMs / 10)));
    this.#timer.unref();
  }

  /** Messages sent and not yet resolved. */
  get inflight(): number {
    return this.#entries.length - this.#head;
  }

  /** A batch is open: sends go on into it. */
  get open(): boolean {
    return this.#sent > 0;
  }

  /** True when `send` may be called now. */
  canSend(): boolean {
    if (!this.#connected || this.#closed || this.#committing || this.#pinging) return false;
    if (this.#sent > 0 && !this.#started) return false; // the start's answer first
    const window = this.#flow > 0 ? this.#flow * this.#o.outstanding : 1;
    return this.#sent - this.#acked < window;
  }

  ready(): Promise<void> {
    if (this.canSend() || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Appends one message to the open batch, starting one if needed. */
  send(job: J, payload: Uint8Array, headers: MsgHdrs | undefined): void {
    if (this.#sent === 0) this.#open();
    const seq = ++this.#sent;
    this.#entries.push({ job, payload, headers });
    this.#lastSubject = job.subject;
    this.#publish(job.subject, this.#reply(seq, seq === 1 ? 0 : 1), payload, headers);
    this.#lastSend = performance.now();
    this.#lastProgress ||= this.#lastSend;
    this.#scheduleCommit();
  }

  disconnected(): void {
    this.#connected = false;
    this.#pinging = false;
    // A started batch is kept for the ping on reconnect. Before the start's answer, or with the
    // commit in flight, no ping can tell what the server did: every message not covered by an
    // ack has an unknown outcome and goes again, in a new batch, same msg ids.
    if (this.#started && !this.#committing) return;
    this.#abandon(() =>
      unknown("DISCONNECTED", "the connection dropped before the stream acknowledged the batch"),
    );
  }

  reconnected(): void {
    this.#connected = true;
    if (this.#sent > 0 && this.#started && !this.#committing && !this.#closed) this.#ping();
    this.#wake();
  }

  /**
   * Asks the server how much of the batch it has (op 4, with the highest sequence sent). The
   * answer is a flow ack (everything), a gap and the final ack (1..count stored, the batch ended),
   * or 10208 (the batch is gone: outcome unknown); no answer within `ackTimeoutMs` counts as 10208.
   */
  #ping(): void {
    this.#pinging = true;
    this.#lastProgress = performance.now();
    this.#publish(this.#lastSubject, this.#reply(this.#sent, 4), EMPTY, undefined);
  }

  close(error: () => JetStreamOutputError): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#linger);
    this.#abandon(error);
    try {
      this.#sub?.unsubscribe();
    } catch {
      // The connection may already be closed.
    }
    this.#wake();
  }

  #open(): void {
    this.#batch = nuid.next();
    this.#replyHead = `${this.#prefix}${this.#batch}.${this.#o.flow}.fail.`;
    this.#entries = [];
    this.#head = 0;
    this.#base = 1;
    this.#acked = 0;
    this.#flow = 0;
    this.#started = false;
    this.#committing = false;
    this.#lastProgress = performance.now();
  }

  #reply(seq: number, op: number): string {
    return `${this.#replyHead}${seq}.${op}.$FI`;
  }

  #publish(subject: string, reply: string, payload: Uint8Array, headers: MsgHdrs | undefined): void {
    try {
      this.#writer.publish(subject, reply, payload, headers);
    } catch {
      // The connection is closing or gone: the disconnect, close or the sweep settles the batch.
    }
  }

  #scheduleCommit(): void {
    if (this.#linger) return;
    const linger = this.#o.lingerMs ?? 5;
    this.#linger = setTimeout(() => this.#lingerCheck(linger), linger);
  }

  #lingerCheck(linger: number): void {
    this.#linger = undefined;
    // Disconnected or pinging: the ping's answer schedules this again.
    if (this.#sent === 0 || this.#committing || !this.#connected || this.#pinging || this.#closed) return;
    if (performance.now() - this.#lastSend < linger || !this.#started || this.#o.hasMore()) {
      this.#scheduleCommit();
      return;
    }
    // Nothing sent for a while: commit without storing an extra message (EOB), so the tail
    // gets its result now and the batch is never left idle for the server to drop.
    // (Every message may be acked already: the batch still has to end.)
    this.#committing = true;
    this.#publish(this.#lastSubject, this.#reply(this.#sent + 1, 3), EMPTY, undefined);
  }

  #onReply(msg: Msg): void {
    // <batch>.<flow>.fail.<seq>.<op>.$FI — replies for an older batch are stale.
    const rest = msg.subject.slice(this.#prefix.length);
    if (!rest.startsWith(`${this.#batch}.`) || this.#sent === 0) return;
    try {
      this.#handle(msg);
    } catch (cause) {
      // Runs inside nats-core's parser: never throw. An unreadable reply leaves the batch in doubt.
      this.#abandon(() => unknown("ACK_TIMEOUT", "an unreadable reply to a fast-ingest batch", cause));
    }
  }

  #handle(msg: Msg): void {
    const data = msg.data;
    if (data.length === 0) {
      // A status: 503 = no stream listens on the subject (only the start can get it).
      const first = this.#entries[this.#head];
      if (first && !this.#started) {
        this.#reset();
        this.#o.onResult(first.job, statusError(msg, first.job.subject), undefined);
        this.#wake();
      }
      return;
    }
    const body = JSON.parse(decoder.decode(data)) as Reply;
    this.#lastProgress = performance.now();
    if (body.type === "ack") {
      if (!this.#started) {
        this.#started = true;
        if (!this.#probed) {
          this.#probed = true;
          this.#o.onProbe({ supported: true });
        }
      }
      if (typeof body.msgs === "number" && body.msgs > 0) this.#flow = body.msgs;
      if (typeof body.seq === "number") {
        this.#resolveUpTo(body.seq);
        // The ping's answer (or a late flow ack covering as much): the server has everything sent.
        if (this.#pinging && body.seq >= this.#sent) {
          this.#pinging = false;
          this.#scheduleCommit();
        }
      }
      this.#wake();
      return;
    }
    if (body.type === "gap") return; // the final ack with `count` follows and settles the rest
    if (body.type === "err") {
      const seq = typeof body.seq === "number" ? body.seq : 0;
      const entry = seq >= this.#base ? this.#entries[this.#head + seq - this.#base] : undefined;
      if (entry) {
        this.#resolveUpTo(seq - 1);
        this.#head++;
        this.#base++;
        this.#o.onResult(entry.job, apiError(body.error ?? {}, entry.job.subject), undefined);
      }
      return; // the final ack follows
    }
    const err = body.error;
    if (err) {
      if (!this.#started) {
        this.#startRefused(err);
        return;
      }
      if (err.err_code === BATCH_UNKNOWN || err.err_code === BATCH_DISABLED) {
        // The server dropped the batch without a final ack: it restarted or forgot it (10208), or
        // a stream update turned allow_batched off (10205, for every later message of the batch).
        // What it stored past the last flow ack is unknown: the unacked messages go again with
        // the same msg ids — per message at once for 10205, rather than after ack_timeout.
        const disabled = err.err_code === BATCH_DISABLED;
        if (disabled) this.#o.onProbe(this.#disabledProbe());
        this.#abandon(() =>
          unknown(
            "DISCONNECTED",
            disabled
              ? `stream '${this.#o.stream}' stopped allowing batched publishing with the batch open: outcome unknown`
              : "the server no longer knows the batch (restarted or idle): outcome unknown",
          ),
        );
      }
      // Other errors address single messages after the batch ended; the final ack settles them.
      return;
    }
    if (typeof body.count === "number" && typeof body.stream === "string") {
      // The final ack: 1..count are stored; anything after was not.
      if (!this.#started) {
        // A server without fast ingest stored the start as a plain message.
        this.#startStoredPlainly(body.stream, body.seq ?? 0, body.duplicate === true);
        return;
      }
      this.#resolveUpTo(body.count);
      this.#finish();
      return;
    }
    if (!this.#started && typeof body.stream === "string") {
      this.#startStoredPlainly(body.stream, body.seq ?? 0, body.duplicate === true);
    }
  }

  /** The start was refused: say why once, give the message back (nothing was stored). */
  #startRefused(err: NonNullable<Reply["error"]>): void {
    const first = this.#entries[this.#head];
    this.#reset();
    if (err.err_code === BATCH_DISABLED || err.err_code === BATCH_TOO_MANY) {
      this.#o.onProbe(
        err.err_code === BATCH_DISABLED
          ? this.#disabledProbe()
          : {
              supported: false,
              reason: "the server has too many fast-ingest batches open",
              retryAfterMs: 30_000,
            },
      );
      if (first) this.#o.onReturn(first.job);
    } else if (first) {
      this.#o.onResult(first.job, apiError(err, first.job.subject), undefined);
    }
    this.#wake();
  }

  #disabledProbe(): FastIngestProbe {
    return {
      supported: false,
      reason: `stream '${this.#o.stream}' does not allow batched publishing (allow_batched)`,
      retryAfterMs: DISABLED_RETRY_MS,
    };
  }

  #startStoredPlainly(stream: string, seq: number, duplicate: boolean): void {
    const first = this.#entries[this.#head];
    this.#reset();
    this.#o.onProbe({
      supported: false,
      reason: "the server has no fast ingest (needs nats-server 2.14+)",
      retryAfterMs: 300_000,
    });
    if (first) this.#o.onResult(first.job, undefined, { kind: "message", stream, seq, duplicate });
    this.#wake();
  }

  /** Resolves every message up to batch sequence `seq`. */
  #resolveUpTo(seq: number): void {
    if (seq <= this.#acked && seq < this.#base) return;
    const ack: BatchAck = { kind: "batch", stream: this.#o.stream, batch: this.#batch };
    while (this.#base <= seq && this.#head < this.#entries.length) {
      const e = this.#entries[this.#head] as Entry<J>;
      this.#entries[this.#head] = undefined;
      this.#head++;
      this.#base++;
      this.#o.onResult(e.job, undefined, ack);
    }
    if (seq > this.#acked) this.#acked = Math.min(seq, this.#sent);
    if (this.#head > 4096 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The batch ended: whatever it did not store goes back, and the next send opens a new one. */
  #finish(): void {
    const rest = this.#entries.slice(this.#head) as Entry<J>[];
    this.#reset();
    for (const e of rest) this.#o.onReturn(e.job);
    this.#wake();
  }

  #abandon(error: () => JetStreamOutputError): void {
    if (this.#sent === 0) return;
    const rest = this.#entries.slice(this.#head) as Entry<J>[];
    this.#reset();
    for (const e of rest) this.#o.onResult(e.job, error(), undefined);
    this.#wake();
  }

  #reset(): void {
    this.#batch = "";
    this.#entries = [];
    this.#head = 0;
    this.#base = 1;
    this.#sent = 0;
    this.#acked = 0;
    this.#flow = 0;
    this.#started = false;
    this.#committing = false;
    this.#pinging = false;
    this.#lastProgress = 0;
  }

  #sweep(): void {
    // While disconnected the batch waits for the ping on reconnect (the client closing settles it).
    if (this.#sent === 0 || this.#lastProgress === 0 || !this.#connected) return;
    if (performance.now() - this.#lastProgress < this.#o.ackTimeoutMs) return;
    this.#abandon(() => unknown("ACK_TIMEOUT", `no progress on the batch within ${this.#o.ackTimeoutMs} ms`));
  }

  #wake(): void {
    if (this.#readyWaiters.length === 0 || !(this.canSend() || this.#closed)) return;
    const w = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const f of w) f();
  }
}

interface Reply {
  type?: "ack" | "gap" | "err";
  seq?: number;
  msgs?: number;
  last_seq?: number;
  stream?: string;
  count?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

function unknown(
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
