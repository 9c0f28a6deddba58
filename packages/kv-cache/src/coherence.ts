import type { AckPolicy, DeliverPolicy, JetStreamManager } from "@nats-io/jetstream";
import { createInbox, type Msg, nanos, type Subscription } from "@nats-io/transport-node";
import type { NatsClient } from "@natskit/nats-connection";
import type { NearCache } from "./near-cache.js";

/** The server's idle heartbeat on the watch; 100 ms is the least nats-server accepts. */
export const WATCH_HEARTBEAT_MS = 100;
/**
 * Silence on the watch (no change, no heartbeat) after which it counts as dead. A deleted or
 * recreated bucket takes the watch's consumer with it and sends no notice to a push consumer
 * (checked on nats-server 2.9.10 and 2.15.1): the missing heartbeats are the only signal.
 */
export const WATCH_DEAD_AFTER_MS = 400;
/** Longest pause between attempts to re-establish the watch while the bucket is missing. */
const MAX_RETRY_MS = 1000;
/** The server removes a consumer nobody listens to after this long (e.g. after a disconnect). */
const INACTIVE_THRESHOLD_MS = 10_000;

export interface CoherenceOptions {
  readonly bucket: string;
  /** The bucket's stream, `KV_<bucket>`. */
  readonly stream: string;
  /** The caller's key for a stored key, or undefined for a key this cache never holds. */
  readonly decodeKey: (storedKey: string) => string | undefined;
  /** Timeout of the requests that create and delete the watch's consumer. */
  readonly requestTimeoutMs: number;
  /** @default WATCH_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /** @default WATCH_DEAD_AFTER_MS */
  readonly deadAfterMs?: number;
}

interface Watch {
  /** The attempt this watch belongs to; an older one's messages are ignored. */
  readonly attempt: number;
  readonly deliver: string;
  sub: Subscription | undefined;
  consumer: string | undefined;
  /** Clock reading of the last message (change or heartbeat). */
  lastSeen: number;
  /** Consumer sequence of the last change received: a gap means changes were missed. */
  delivered: number;
}

/**
 * Keeps a {@link NearCache} coherent with its bucket: a push consumer on the bucket's changes
 * (headers only, updates only) invalidates entries, and the near-cache serves only while that
 * consumer is known to be alive. It is declared dead, the near-cache dropped, and a new one
 * started when
 * - the client reports a disconnect (restarted at the reconnect),
 * - no change or heartbeat arrived for `deadAfterMs` (bucket deleted or recreated, consumer
 *   deleted, server stalled),
 * - a change was missed (a gap in the consumer's delivery sequence),
 * - the server sends any other status on it.
 * While the bucket is missing, new attempts follow with a backoff of up to 1 s; nothing is
 * served from the near-cache until one succeeds.
 */
export class NearCacheCoherence {
  readonly #client: NatsClient;
  readonly #near: NearCache;
  readonly #opts: CoherenceOptions;
  readonly #prefix: string;
  readonly #heartbeatMs: number;
  readonly #deadAfterMs: number;
  readonly #off: (() => void)[] = [];
  #jsm: JetStreamManager | undefined;
  #watch: Watch | undefined;
  /** Bumped by every stop: an attempt that finds it changed was superseded. */
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #retryDelay = 0;
  #monitor: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(client: NatsClient, near: NearCache, options: CoherenceOptions) {
    this.#client = client;
    this.#near = near;
    this.#opts = options;
    this.#prefix = `$KV.${options.bucket}.`;
    this.#heartbeatMs = options.heartbeatMs ?? WATCH_HEARTBEAT_MS;
    this.#deadAfterMs = options.deadAfterMs ?? WATCH_DEAD_AFTER_MS;
  }

  /** Whether a watch is established (the near-cache may serve). */
  get live(): boolean {
    return this.#watch !== undefined;
  }

  /**
   * Establishes the first watch and follows the connection from then on.
   * @throws what creating the consumer threw (e.g. the bucket does not exist).
   */
  async start(): Promise<void> {
    this.#off.push(
      this.#client.on("disconnect", () => {
        // Changes may be missed while disconnected: forget everything until a new watch runs.
        this.#stop();
        this.#near.reset();
      }),
      this.#client.on("reconnect", () => this.#restart(0)),
    );
    await this.#open();
  }

  /** Stops the watch and drops the near-cache; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#stop();
    this.#near.reset();
    for (const off of this.#off) off();
  }

  async #open(): Promise<void> {
    this.#stop();
    // Nothing is served until this watch is live: changes before it starts would be missed.
    this.#near.reset();
    if (this.#closed) return;
    const attempt = this.#attempt;
    const nc = this.#client.nc;
    const w: Watch = {
      attempt,
      deliver: createInbox(),
      sub: undefined,
      consumer: undefined,
      lastSeen: performance.now(),
      delivered: 0,
    };
    // Subscribed first: the server delivers as soon as the consumer exists.
    w.sub = nc.subscribe(w.deliver, { callback: (_err, m) => this.#onMessage(w, m) });
    try {
      if (!this.#jsm) {
        const { jetstreamManager } = await import("@nats-io/jetstream");
        this.#jsm = await jetstreamManager(nc, { timeout: this.#opts.requestTimeoutMs, checkAPI: false });
      }
      const ci = await this.#jsm.consumers.add(this.#opts.stream, {
        deliver_subject: w.deliver,
        deliver_policy: "new" as DeliverPolicy,
        ack_policy: "none" as AckPolicy,
        filter_subject: `${this.#prefix}>`,
        headers_only: true, // the key and revision are all an invalidation needs
        flow_control: true,
        idle_heartbeat: nanos(this.#heartbeatMs),
        inactive_threshold: nanos(INACTIVE_THRESHOLD_MS),
        mem_storage: true,
        num_replicas: 1,
      });
      w.consumer = ci.name;
    } catch (e) {
      unsubscribe(w);
      if (attempt !== this.#attempt) return; // superseded: a newer attempt owns the watch
      throw e;
    }
    if (attempt !== this.#attempt || this.#closed || !this.#client.isConnected()) {
      // A disconnect, close or newer attempt came while this one waited: it must not go live.
      this.#discard(w);
      return;
    }
    w.lastSeen = performance.now();
    this.#watch = w;
    this.#retryDelay = 0;
    this.#monitor = setInterval(() => this.#check(w), this.#heartbeatMs);
    this.#monitor.unref?.();
    this.#near.goLive();
  }

  #onMessage(w: Watch, m: Msg): void {
    if (w.attempt !== this.#attempt) return;
    w.lastSeen = performance.now();
    if (m.subject === w.deliver) {
      this.#onStatus(w, m);
      return;
    }
    const seq = ackSequences(m.reply ?? "");
    if (seq === undefined || seq.consumerSeq !== w.delivered + 1) {
      this.#lost();
      return;
    }
    w.delivered = seq.consumerSeq;
    const key = this.#opts.decodeKey(m.subject.slice(this.#prefix.length));
    if (key !== undefined) this.#near.invalidate(key, seq.streamSeq);
  }

  #onStatus(w: Watch, m: Msg): void {
    const h = m.headers;
    if (h?.code === 100) {
      if (m.reply) {
        m.respond(); // flow control request
        return;
      }
      // An idle heartbeat says how many changes the consumer delivered; fewer arrived here.
      if (Number(h.get("Nats-Last-Consumer") || "0") > w.delivered) {
        this.#lost();
        return;
      }
      const stalled = h.get("Nats-Consumer-Stalled");
      if (stalled) this.#client.nc.publish(stalled);
      return;
    }
    // Anything else (consumer deleted, …) ends this consumer's deliveries.
    this.#lost();
  }

  #check(w: Watch): void {
    if (this.#watch !== w || performance.now() - w.lastSeen <= this.#deadAfterMs) return;
    // If this process was busy, heartbeats may be waiting unread in the socket: the timer runs
    // before input is read, so look again once it has been.
    setImmediate(() => {
      if (this.#watch === w && performance.now() - w.lastSeen > this.#deadAfterMs) this.#lost();
    });
  }

  /** The watch missed changes or died while connected: drop everything and start a new one. */
  #lost(): void {
    if (this.#closed) return;
    this.#stop();
    this.#near.reset();
    this.#restart(0);
  }

  #restart(delayMs: number): void {
    if (this.#closed) return;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed || !this.#client.isConnected()) return; // the reconnect restarts it
      this.#open().catch(() => {
        // The bucket is missing, or JetStream is still starting after a restart.
        this.#retryDelay = Math.min(MAX_RETRY_MS, Math.max(100, this.#retryDelay * 2));
        this.#restart(this.#retryDelay);
      });
    }, delayMs);
    this.#retry.unref?.();
  }

  #stop(): void {
    this.#attempt++;
    if (this.#monitor) clearInterval(this.#monitor);
    this.#monitor = undefined;
    const w = this.#watch;
    this.#watch = undefined;
    if (w !== undefined) this.#discard(w);
  }

  #discard(w: Watch): void {
    unsubscribe(w);
    const name = w.consumer;
    if (name === undefined || this.#jsm === undefined || !this.#client.isConnected()) return;
    // Best effort: a consumer nobody listens to is removed by the server anyway.
    this.#jsm.consumers.delete(this.#opts.stream, name).catch(() => {});
  }
}

function unsubscribe(w: Watch): void {
  try {
    w.sub?.unsubscribe();
  } catch {
    // The connection may be closed; the subscription is gone either way.
  }
  w.sub = undefined;
}

/**
 * Stream and consumer sequence of a delivered message, from its reply subject:
 * `$JS.ACK.<stream>.<consumer>.<redelivered>.<sseq>.<cseq>.<time>.<pending>`, or the newer form
 * with domain and account hash after `ACK` (11 tokens or more).
 */
export function ackSequences(reply: string): { streamSeq: number; consumerSeq: number } | undefined {
  const t = reply.split(".");
  if (t[0] !== "$JS" || t[1] !== "ACK") return undefined;
  const at = t.length === 9 ? 5 : t.length >= 11 ? 7 : -1;
  if (at < 0) return undefined;
  const streamSeq = Number(t[at]);
  const consumerSeq = Number(t[at + 1]);
  if (!Number.isSafeInteger(streamSeq) || !Number.isSafeInteger(consumerSeq)) return undefined;
  return { streamSeq, consumerSeq };
}
