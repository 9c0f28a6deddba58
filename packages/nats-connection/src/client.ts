import type { NatsConnection } from "@nats-io/transport-node";
import { ConnectError } from "./errors.js";
import { inspect } from "./node-builtins.js";
import { describeConnection } from "./redact.js";
import type { ConnectionConfig } from "./types.js";

/** What happened to the connection. Outputs use these to hold writes while disconnected. */
export type ConnectionEvents =
  | { readonly type: "disconnect"; readonly server: string }
  | { readonly type: "reconnecting" }
  | { readonly type: "reconnect"; readonly server: string }
  /** An asynchronous error reported by the server or client (e.g. a permissions violation). */
  | { readonly type: "error"; readonly error: Error }
  /** The server announced it is shutting down (lame duck mode); a disconnect follows. */
  | { readonly type: "lame_duck" }
  /** The connection is closed for good: by `close()`, or because reconnects ran out. */
  | { readonly type: "close"; readonly error: Error | undefined }
  /**
   * The first connect found no server yet and tries again after `delayMs`
   * (`wait_on_first_connect`). Sent only while `connectNats` waits, so only to the `onEvent`
   * connect option, never to `client.on`.
   */
  | {
      readonly type: "connect_wait";
      /** Failed attempts so far (1 after the first). */
      readonly attempt: number;
      /** How long until the next attempt, in ms. */
      readonly delayMs: number;
      /** How long the connect has been trying, in ms. */
      readonly waitedMs: number;
      /** Why the last attempt failed (retryable: `UNREACHABLE`, `CONNECT_TIMEOUT`, …); names no secret. */
      readonly error: ConnectError;
      /** The servers tried, credentials masked. */
      readonly servers: readonly string[];
    };

export type ConnectionEventType = ConnectionEvents["type"];
type Listener<T extends ConnectionEventType> = (event: Extract<ConnectionEvents, { type: T }>) => void;

/**
 * A connected NATS client plus the state the components need: whether it is connected right
 * now, events, and a way to wait for the next reconnect.
 */
export class NatsClient {
  /** The underlying `@nats-io/transport-node` connection, for anything this class does not wrap. */
  readonly nc: NatsConnection;
  readonly config: ConnectionConfig;
  #connected = true;
  #closed = false;
  #listeners = new Map<ConnectionEventType, Set<(e: ConnectionEvents) => void>>();
  #waiters = new Set<() => void>();

  constructor(nc: NatsConnection, config: ConnectionConfig, onEvent?: (e: ConnectionEvents) => void) {
    this.nc = nc;
    this.config = config;
    if (onEvent) {
      for (const t of ["disconnect", "reconnecting", "reconnect", "error", "lame_duck", "close"] as const) {
        this.on(t, onEvent);
      }
    }
    void this.#watch();
    void nc.closed().then((err) => {
      this.#connected = false;
      this.#closed = true;
      this.#emit({ type: "close", error: err ?? undefined });
      this.#wake();
    });
  }

  /** The connection name sent to the server (the component label), if any. */
  get name(): string | undefined {
    return this.config.name;
  }

  /** True while a server connection is up. Publishes made while false are dropped by the client. */
  isConnected(): boolean {
    return this.#connected && !this.#closed;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Subscribes to one event type; returns the function that unsubscribes. */
  on<T extends ConnectionEventType>(type: T, listener: Listener<T>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    const l = listener as (e: ConnectionEvents) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /**
   * Resolves at once when connected, otherwise at the next reconnect. Rejects with a
   * `ConnectError` (`UNREACHABLE`, retryable) after `timeoutMs`, or at once if the connection
   * is closed for good.
   */
  waitForConnection(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (this.#connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        if (this.#closed) reject(this.#closedError());
        else resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        reject(
          new ConnectError("UNREACHABLE", `not connected: no server came back within ${timeoutMs} ms`, {
            retryable: true,
          }),
        );
      }, timeoutMs);
      this.#waiters.add(done);
    });
  }

  /**
   * What `JSON.stringify` and `util.inspect` / `console.log` show: the state and the config
   * without secrets (`nc` keeps the key PEM and credentials in its options).
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      connected: this.isConnected(),
      closed: this.#closed,
      config: describeConnection(this.config),
    };
  }

  [inspect.custom](): Record<string, unknown> {
    return this.toJSON();
  }

  /** Closes the connection without waiting for subscriptions to drain. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
    await this.nc.closed();
  }

  /** Drains subscriptions and pending publishes, then closes. */
  async drain(): Promise<void> {
    if (!this.nc.isClosed() && !this.nc.isDraining()) await this.nc.drain();
    await this.nc.closed();
  }

  #closedError(): ConnectError {
    return new ConnectError("CONNECT_FAILED", "the connection is closed", { retryable: false });
  }

  #emit(e: ConnectionEvents): void {
    for (const l of this.#listeners.get(e.type) ?? []) {
      try {
        l(e);
      } catch {
        // A listener's failure must not stop the status loop.
      }
    }
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  async #watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case "disconnect":
          this.#connected = false;
          this.#emit({ type: "disconnect", server: s.server });
          break;
        case "reconnecting":
          this.#emit({ type: "reconnecting" });
          break;
        case "reconnect":
          this.#connected = true;
          this.#emit({ type: "reconnect", server: s.server });
          this.#wake();
          break;
        case "error":
          this.#emit({ type: "error", error: s.error });
          break;
        case "ldm":
          this.#emit({ type: "lame_duck" });
          break;
        default:
          break;
      }
    }
  }
}
