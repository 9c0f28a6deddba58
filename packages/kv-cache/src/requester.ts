import { createInbox, type Msg, type MsgHdrs, type Subscription } from "@nats-io/transport-node";
import type { NatsClient } from "@natskit/nats-connection";
import { formatMs } from "./duration.js";
import {
  CacheClosedError,
  InvalidArgumentError,
  type KvCacheError,
  OutcomeUnknownError,
  printable,
  TimeoutError,
  UnavailableError,
} from "./errors.js";

/** Reads may be retried freely; a write whose answer is lost has an unknown outcome. */
export type RequestKind = "read" | "write";

interface Pending {
  resolve: (m: Msg) => void;
  reject: (e: KvCacheError) => void;
  deadline: number;
  kind: RequestKind;
  op: string;
  key: string;
  /** Set for a request answered by several messages: sees each, returns true on the last. */
  each?: ((m: Msg) => boolean) | undefined;
}

/** What the client needs of request headers: it only ever calls `encode()` on them. */
export interface RequestHeaders {
  encode(): Uint8Array;
}

// Built only when an error needs it: the hot path stays free of string work.
const ctx = (op: string, key: string) => `${op} '${printable(key)}'`;

/**
 * Request/reply over one wildcard reply subscription, the way the Go client muxes requests:
 * one subscription, one timer for all deadlines, no per-request subscription or timer. This is
 * what makes pipelined operations cheap (see the README's benchmark).
 *
 * Guarantees the cache builds on:
 * - nothing is published while the client reports the connection down (the client silently
 *   drops what is published while disconnected): the request waits for the connection, up to
 *   the timeout, then fails with {@link UnavailableError} without having been sent;
 * - a request in flight when the connection drops fails at once (reads: unavailable, writes:
 *   outcome unknown), not at its timeout, and never resolves later.
 */
export class Requester {
  readonly #client: NatsClient;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();
  #prefix = "";
  #sub: Subscription | undefined;
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #offDisconnect: () => void;

  constructor(client: NatsClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#offDisconnect = client.on("disconnect", () =>
      this.#failAll("the connection to the server was lost"),
    );
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Number of requests awaiting an answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Sends one request and resolves with the reply (including status replies such as 404/503,
   * which the caller interprets). Rejects only with `KvCacheError`s.
   */
  request(
    subject: string,
    data: Uint8Array,
    headers: RequestHeaders | undefined,
    kind: RequestKind,
    op: string,
    key: string,
  ): Promise<Msg> {
    if (this.#closed) return Promise.reject(new CacheClosedError());
    if (!this.#client.isConnected()) return this.#afterReconnect(subject, data, headers, kind, op, key);
    return this.#send(subject, data, headers, kind, op, key);
  }

  /**
   * Sends one request answered by a stream of messages (a batched direct get): `each` sees every
   * reply in order and returns true on the last one, which the promise then resolves with. The
   * whole stream shares one deadline (`operation_timeout` from sending): a stream not finished
   * by then, or cut by a disconnect, rejects as {@link request} does and `each` sees nothing
   * more. An exception thrown by `each` rejects the promise the same way.
   */
  requestStream(
    subject: string,
    data: Uint8Array,
    op: string,
    key: string,
    each: (m: Msg) => boolean,
  ): Promise<Msg> {
    if (this.#closed) return Promise.reject(new CacheClosedError());
    if (!this.#client.isConnected())
      return this.#afterReconnect(subject, data, undefined, "read", op, key, each);
    return this.#send(subject, data, undefined, "read", op, key, each);
  }

  async #afterReconnect(
    subject: string,
    data: Uint8Array,
    headers: RequestHeaders | undefined,
    kind: RequestKind,
    op: string,
    key: string,
    each?: (m: Msg) => boolean,
  ): Promise<Msg> {
    try {
      await this.#client.waitForConnection(this.#timeoutMs);
    } catch (e) {
      if (this.#closed) throw new CacheClosedError();
      if (this.#client.isClosed()) {
        throw new UnavailableError(
          `${ctx(op, key)}: the connection is closed (reconnect attempts exhausted, see max_reconnects); ${kind === "write" ? "nothing was written; " : ""}create a new cache`,
          { cause: e, retryable: false },
        );
      }
      throw new UnavailableError(
        `${ctx(op, key)}: not connected to nats: no server came back within ${formatMs(this.#timeoutMs)}` +
          (kind === "write" ? "; nothing was written" : ""),
        { cause: e },
      );
    }
    if (this.#closed) throw new CacheClosedError();
    return await this.#send(subject, data, headers, kind, op, key, each);
  }

  #send(
    subject: string,
    data: Uint8Array,
    headers: RequestHeaders | undefined,
    kind: RequestKind,
    op: string,
    key: string,
    each?: (m: Msg) => boolean,
  ): Promise<Msg> {
    const nc = this.#client.nc;
    if (this.#sub === undefined) {
      this.#prefix = `${createInbox()}.`;
      this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (_err, m) => this.#onReply(m) });
    }
    const id = (this.#next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const deadline = performance.now() + this.#timeoutMs;
      const p: Pending = { resolve, reject, deadline, kind, op, key, each };
      this.#pending.set(id, p);
      try {
        nc.publish(
          subject,
          data,
          headers
            ? { reply: this.#prefix + id, headers: headers as unknown as MsgHdrs }
            : { reply: this.#prefix + id },
        );
      } catch (e) {
        this.#pending.delete(id);
        // The client refused before sending anything (payload too large, connection closed).
        const err = e as Error;
        reject(
          err.name === "InvalidArgumentError"
            ? new InvalidArgumentError(`${ctx(op, key)}: ${err.message}`)
            : new UnavailableError(`${ctx(op, key)}: the client could not send the request: ${err.message}`, {
                cause: e,
                retryable: !nc.isClosed(),
              }),
        );
        return;
      }
      if (this.#timer === undefined) this.#arm(deadline);
    });
  }

  #onReply(m: Msg): void {
    const id = m.subject.slice(this.#prefix.length);
    const p = this.#pending.get(id);
    if (p === undefined) return; // Already timed out or failed at a disconnect.
    if (p.each !== undefined) {
      let last: boolean;
      try {
        last = p.each(m);
      } catch (e) {
        this.#pending.delete(id);
        p.reject(e as KvCacheError);
        if (this.#pending.size === 0) this.#wakeIdle();
        return;
      }
      if (!last) return;
    }
    this.#pending.delete(id);
    p.resolve(m);
    if (this.#pending.size === 0) this.#wakeIdle();
  }

  #idle: (() => void)[] = [];

  /** Resolves once no request is waiting for an answer (each ends by reply, timeout or disconnect). */
  idle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #wakeIdle(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const w of waiters) w();
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, at - performance.now()) + 1);
    this.#timer.unref?.();
  }

  // All requests share one timeout, so the map's insertion order is deadline order: expire
  // from the front and re-arm for the first request still waiting.
  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const [id, p] of this.#pending) {
      if (p.deadline > now) {
        this.#arm(p.deadline);
        return;
      }
      this.#pending.delete(id);
      p.reject(
        p.kind === "write"
          ? new OutcomeUnknownError(
              `${ctx(p.op, p.key)}: no answer from the server within ${formatMs(this.#timeoutMs)}; the write may or may not have been applied`,
            )
          : new TimeoutError(
              `${ctx(p.op, p.key)}: no answer from the server within ${formatMs(this.#timeoutMs)}`,
            ),
      );
    }
    this.#wakeIdle();
  }

  #failAll(reason: string): void {
    if (this.#pending.size === 0) return;
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) {
      p.reject(
        p.kind === "write"
          ? new OutcomeUnknownError(
              `${ctx(p.op, p.key)}: ${reason} before the server answered; the write may or may not have been applied`,
            )
          : new UnavailableError(`${ctx(p.op, p.key)}: ${reason} before the server answered`),
      );
    }
    this.#wakeIdle();
  }

  /** Fails what is still waiting and stops; the connection itself is not touched. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#offDisconnect();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) {
      p.reject(
        p.kind === "write"
          ? new OutcomeUnknownError(`${ctx(p.op, p.key)}: the cache was closed before the server answered`)
          : new CacheClosedError(`${ctx(p.op, p.key)}: the cache was closed before the server answered`),
      );
    }
    this.#wakeIdle();
    try {
      this.#sub?.unsubscribe();
    } catch {
      // The connection may already be closed.
    }
  }
}
