import type { ConnectionEvents } from "@natskit/nats-connection";
import type { Logger } from "./log.js";

/** How often a state that lasts (an outage, a wait, retries) is logged again. */
const REPORT_EVERY_MS = 5000;

export interface ConnectionWatchOptions {
  /** `output 'out'`, `cache 'seen'`: the start of every message. */
  what: string;
  /** The component's logger (with its `label` and `path` fields). */
  log: Logger;
  /** Messages accepted and not yet stored: what an outage holds back (the output only). */
  held?: () => number;
  /** Publishes retried so far (the output only). */
  retries?: () => number;
}

/**
 * The log lines an operator needs about one component's connection: waiting for a first server,
 * connected, disconnected (with the messages held), still disconnected every 5 s (held rising),
 * reconnected with the length of the outage, retries, and a connection closed for good.
 * `onEvent` goes to the component's connect options.
 */
export class ConnectionWatch {
  readonly #o: ConnectionWatchOptions;
  #nextWait = 0;
  #downSince: number | undefined;
  #lastOutageReport = 0;
  #retriesReported = 0;
  #lastRetryReport = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ConnectionWatchOptions) {
    this.#o = options;
  }

  readonly onEvent = (e: ConnectionEvents): void => {
    const { what, log } = this.#o;
    switch (e.type) {
      case "connect_wait":
        // On the first retry, then about every 5 s.
        if (e.waitedMs < this.#nextWait) return;
        this.#nextWait = e.waitedMs + REPORT_EVERY_MS;
        log.warn(`${what}: waiting for a server (${e.error.message}); trying again`, {
          attempt: e.attempt,
          waited_ms: Math.round(e.waitedMs),
        });
        return;
      case "disconnect": {
        this.#downSince = performance.now();
        this.#lastOutageReport = this.#downSince;
        const held = this.#o.held?.();
        log.warn(
          `${what}: disconnected from ${e.server}${held === undefined ? "" : `; ${plural(held, "message")} held until it reconnects`}`,
          { server: e.server, held },
        );
        return;
      }
      case "reconnect": {
        const outage = this.#downSince === undefined ? undefined : performance.now() - this.#downSince;
        this.#downSince = undefined;
        const held = this.#o.held?.();
        log.info(
          `${what}: reconnected to ${e.server}` +
            (outage === undefined ? "" : ` after an outage of ${seconds(outage)}`) +
            (held === undefined ? "" : `; ${plural(held, "message")} held are sent now`),
          { server: e.server, outage_ms: outage === undefined ? undefined : Math.round(outage), held },
        );
        return;
      }
      case "lame_duck":
        log.warn(`${what}: the server is shutting down (lame duck mode); moving to another`);
        return;
      case "error":
        log.warn(`${what}: ${e.error.message}`);
        return;
      case "close":
        this.stop();
        if (e.error) log.error(`${what}: connection closed: ${e.error.message}`);
        else log.debug(`${what}: connection closed`);
        return;
      default:
        return;
    }
  };

  /** The component is connected: says so, and starts the reports of lasting states. */
  connected(server: string | undefined, fields: Record<string, string> = {}): void {
    this.#o.log.info(`${this.#o.what}: connected${server ? ` to ${server}` : ""}`, { server, ...fields });
    this.#retriesReported = this.#o.retries?.() ?? 0;
    this.#lastRetryReport = performance.now();
    this.#timer ??= setInterval(() => this.#tick(), 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const { what, log } = this.#o;
    const now = performance.now();
    if (this.#downSince !== undefined && now - this.#lastOutageReport >= REPORT_EVERY_MS) {
      this.#lastOutageReport = now;
      const held = this.#o.held?.();
      log.warn(
        `${what}: still disconnected after ${seconds(now - this.#downSince)}` +
          (held === undefined ? "" : `; ${plural(held, "message")} held`),
        { outage_ms: Math.round(now - this.#downSince), held },
      );
    }
    const retries = this.#o.retries?.();
    if (
      retries !== undefined &&
      retries > this.#retriesReported &&
      now - this.#lastRetryReport >= REPORT_EVERY_MS
    ) {
      const n = retries - this.#retriesReported;
      log.warn(
        `${what}: ${plural(n, "publish", "publishes")} retried in the last ${seconds(now - this.#lastRetryReport)}`,
        {
          retries: n,
          retries_total: retries,
        },
      );
      this.#retriesReported = retries;
      this.#lastRetryReport = now;
    }
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `3.2s`, `75.0s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
