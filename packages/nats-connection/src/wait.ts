import type { ConnectionEvents } from "./client.js";
import { ConnectError } from "./errors.js";

export type ConnectWaitEvent = Extract<ConnectionEvents, { type: "connect_wait" }>;

/**
 * Pause between first-connect attempts: 250 ms doubling to 2 s (the reconnect wait, so a server
 * that comes back is found as fast as after a disconnect), ±20% so pipelines started together
 * do not dial in step.
 */
export const FIRST_CONNECT_BACKOFF = { initialMs: 250, maxMs: 2000, jitter: 0.2 } as const;

/**
 * An attempt's timeout is cut to the time left before the deadline, but not below this: the
 * last attempt must still be able to complete a (TLS) handshake on a busy machine.
 */
export const MIN_ATTEMPT_MS = 1000;

/** The pause after `failures` failed attempts (1-based). */
export function firstConnectDelay(failures: number, random: () => number = Math.random): number {
  const { initialMs, maxMs, jitter } = FIRST_CONNECT_BACKOFF;
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(failures, 1) - 1, 16));
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}

// Socket-level failures that happen while a server starts, stops or is being replaced.
const TRANSIENT =
  /ECONNRESET|EPIPE|ECONNABORTED|ETIMEDOUT|ENETUNREACH|EAI_AGAIN|socket hang up|connection closed|maximum connections exceeded/i;

/**
 * Whether waiting for a server can cure this failure: nobody listening (`UNREACHABLE`), no
 * handshake in time (`CONNECT_TIMEOUT`), or a socket dropped during the handshake. Rejected
 * credentials, certificate problems and unknown failures are reported at once.
 */
export function waitCanHelp(e: ConnectError): boolean {
  if (e.code === "UNREACHABLE" || e.code === "CONNECT_TIMEOUT") return true;
  if (e.code !== "CONNECT_FAILED") return false;
  const text: string[] = [];
  for (let c: unknown = e.cause; c instanceof Error && text.length < 8; c = c.cause) {
    text.push(`${String((c as NodeJS.ErrnoException).code ?? "")} ${c.message}`);
  }
  return TRANSIENT.test(text.join(" | "));
}

export interface WaitPlan {
  /** `wait_on_first_connect` in ms: 0 = one attempt, negative = no limit. */
  readonly waitMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onWait: ((event: ConnectWaitEvent) => void) | undefined;
  /** `cannot connect to <servers>`, the start of every message. */
  readonly where: string;
  /** The servers, credentials masked, for the events. */
  readonly servers: readonly string[];
  /** The field name as the caller spells it (`wait_on_first_connect` / `waitOnFirstConnect`). */
  readonly field: string;
  readonly random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, fails in a way waiting cannot cure, or the wait runs out.
 * `attempt` gets the longest timeout it may use (`undefined`: its own). A connection that an
 * aborted attempt still produces is handed to `release`.
 *
 * @throws ConnectError: the first failure a wait cannot cure; the last one, its message saying
 *   how long it waited, when the wait ran out; `ABORTED` when `signal` aborts.
 */
export async function withFirstConnectWait<T>(
  attempt: (timeoutCapMs: number | undefined) => Promise<T>,
  release: (value: T) => unknown,
  plan: WaitPlan,
): Promise<T> {
  const { waitMs, signal } = plan;
  const limit = waitMs < 0 ? Number.POSITIVE_INFINITY : waitMs;
  const started = performance.now();
  let failures = 0;
  for (;;) {
    if (signal?.aborted) throw aborted(plan);
    const left = limit - (performance.now() - started);
    const cap =
      waitMs === 0 || left === Number.POSITIVE_INFINITY ? undefined : Math.max(left, MIN_ATTEMPT_MS);
    let error: ConnectError;
    try {
      return await abortable(attempt(cap), release, plan);
    } catch (e) {
      if (!ConnectError.isInstance(e) || e.code === "ABORTED") throw e;
      error = e;
    }
    failures++;
    if (waitMs === 0 || !waitCanHelp(error)) throw error;
    const waited = performance.now() - started;
    if (waited >= limit) {
      throw new ConnectError(
        error.code,
        `${error.message}; gave up after waiting ${formatMs(waited)} and ${failures} attempts (${plan.field}: ${formatMs(limit)})`,
        { cause: error, retryable: true },
      );
    }
    const delayMs = Math.min(firstConnectDelay(failures, plan.random), limit - waited);
    try {
      plan.onWait?.({
        type: "connect_wait",
        attempt: failures,
        delayMs,
        waitedMs: Math.round(waited),
        error,
        servers: plan.servers,
      });
    } catch {
      // A listener's failure must not end the wait.
    }
    await sleep(delayMs, plan);
  }
}

function aborted(plan: WaitPlan): ConnectError {
  return new ConnectError("ABORTED", `${plan.where}: aborted while connecting`, {
    cause: plan.signal?.reason,
    retryable: false,
  });
}

/** `p`, or the abort; a connection `p` still delivers after an abort is released. */
function abortable<T>(p: Promise<T>, release: (value: T) => unknown, plan: WaitPlan): Promise<T> {
  const { signal } = plan;
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.then(release, () => {}).catch(() => {});
      reject(aborted(plan));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, plan: WaitPlan): Promise<void> {
  const { signal } = plan;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(plan));
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(plan));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `1500` → `1.5s`, `250` → `250ms`, `90000` → `1m30s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest === 0 ? `${m}m` : `${m}m${rest}s`;
}
