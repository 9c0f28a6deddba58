import { describe, expect, it } from "vitest";
import { ConnectError, type ConnectErrorCode } from "./errors.js";
import {
  type ConnectWaitEvent,
  firstConnectDelay,
  formatMs,
  MIN_ATTEMPT_MS,
  type WaitPlan,
  waitCanHelp,
  withFirstConnectWait,
} from "./wait.js";

const fail = (code: ConnectErrorCode, cause?: unknown) =>
  new ConnectError(code, `cannot connect to nats://h:1: ${code.toLowerCase()}`, {
    cause,
    retryable: code !== "AUTH_FAILED",
  });

function plan(over: Partial<WaitPlan> = {}): WaitPlan {
  return {
    waitMs: 30_000,
    signal: undefined,
    onWait: undefined,
    where: "cannot connect to nats://h:1",
    servers: ["nats://h:1"],
    field: "wait_on_first_connect",
    random: () => 0, // shortest jitter: tests run fast
    ...over,
  };
}

/** An attempt that fails with the given errors in turn, then yields `value`. */
function script<T>(errors: ConnectError[], value: T) {
  const caps: (number | undefined)[] = [];
  const attempt = async (cap: number | undefined) => {
    caps.push(cap);
    const e = errors.shift();
    if (e) throw e;
    return value;
  };
  return { attempt, caps };
}

async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e) {
    if (ConnectError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected a ConnectError");
}

describe("nats-connection first-connect wait", () => {
  it("nats-connection - wait: backoff doubles from 250 ms to 2 s with ±20% jitter", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 50].map((n) => firstConnectDelay(n, mid))).toEqual([
      250, 500, 1000, 2000, 2000, 2000,
    ]);
    expect(firstConnectDelay(1, () => 0)).toBe(200);
    expect(firstConnectDelay(1, () => 1)).toBe(300);
    expect(firstConnectDelay(9, () => 1)).toBe(2400);
  });

  it("nats-connection - wait: only failures a wait can cure are retried", () => {
    expect(waitCanHelp(fail("UNREACHABLE"))).toBe(true);
    expect(waitCanHelp(fail("CONNECT_TIMEOUT"))).toBe(true);
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(waitCanHelp(fail("CONNECT_FAILED", reset))).toBe(true);
    expect(waitCanHelp(fail("CONNECT_FAILED", new Error("something odd")))).toBe(false);
    for (const code of [
      "AUTH_FAILED",
      "TLS_UNTRUSTED",
      "TLS_CLIENT_CERT_REJECTED",
      "TLS_FAILED",
      "ABORTED",
    ] as const) {
      expect(waitCanHelp(fail(code)), code).toBe(false);
    }
  });

  it("nats-connection - wait: retries until an attempt succeeds, reporting each wait", async () => {
    const events: ConnectWaitEvent[] = [];
    const { attempt, caps } = script(
      [fail("UNREACHABLE"), fail("UNREACHABLE"), fail("CONNECT_TIMEOUT")],
      "nc",
    );
    const v = await withFirstConnectWait(attempt, () => {}, plan({ onWait: (e) => events.push(e) }));
    expect(v).toBe("nc");
    expect(events.map((e) => [e.attempt, e.delayMs, e.error.code])).toEqual([
      [1, 200, "UNREACHABLE"],
      [2, 400, "UNREACHABLE"],
      [3, 800, "CONNECT_TIMEOUT"],
    ]);
    expect(events[0]?.servers).toEqual(["nats://h:1"]);
    expect(events[2]?.waitedMs).toBeGreaterThanOrEqual(550);
    // Each attempt may take at most the time left (never below the floor).
    expect(caps).toHaveLength(4);
    for (const c of caps) expect(c).toBeGreaterThanOrEqual(MIN_ATTEMPT_MS);
    expect(caps[0]).toBeLessThanOrEqual(30_000);
  });

  it("nats-connection - wait: a failure a wait cannot cure ends it at once, unchanged", async () => {
    const events: ConnectWaitEvent[] = [];
    const auth = fail("AUTH_FAILED");
    const { attempt, caps } = script([fail("UNREACHABLE"), auth], "nc");
    const e = await rejection(
      withFirstConnectWait(attempt, () => {}, plan({ onWait: (ev) => events.push(ev) })),
    );
    expect(e).toBe(auth);
    expect(caps).toHaveLength(2);
    expect(events).toHaveLength(1);
  });

  it("nats-connection - wait: 0 makes one attempt with the client's own timeout", async () => {
    const first = fail("UNREACHABLE");
    const { attempt, caps } = script([first], "nc");
    const e = await rejection(withFirstConnectWait(attempt, () => {}, plan({ waitMs: 0 })));
    expect(e).toBe(first);
    expect(caps).toEqual([undefined]);
  });

  it("nats-connection - wait: no limit when negative, and no cap on an attempt's timeout", async () => {
    const { attempt, caps } = script([fail("UNREACHABLE")], "nc");
    expect(await withFirstConnectWait(attempt, () => {}, plan({ waitMs: -1 }))).toBe("nc");
    expect(caps).toEqual([undefined, undefined]);
  });

  it("nats-connection - wait: gives up at the deadline, saying how long it waited and why", async () => {
    const attempt = async (): Promise<string> => {
      throw fail("UNREACHABLE");
    };
    const started = performance.now();
    const e = await rejection(withFirstConnectWait(attempt, () => {}, plan({ waitMs: 700 })));
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(690);
    expect(took).toBeLessThan(5000);
    expect(e.code).toBe("UNREACHABLE");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(
      /^cannot connect to nats:\/\/h:1: unreachable; gave up after waiting (\d+ms|\d+(\.\d)?s) and \d+ attempts \(wait_on_first_connect: 700ms\)$/,
    );
    expect(ConnectError.isInstance(e.cause)).toBe(true);
  });

  it("nats-connection - wait: an abort ends the pause at once with ABORTED", async () => {
    const ac = new AbortController();
    const attempt = async (): Promise<string> => {
      throw fail("UNREACHABLE");
    };
    const p = withFirstConnectWait(
      attempt,
      () => {},
      plan({
        signal: ac.signal,
        random: () => 1,
        onWait: () => setTimeout(() => ac.abort(new Error("closed")), 20),
      }),
    );
    const started = performance.now();
    const e = await rejection(p);
    expect(performance.now() - started).toBeLessThan(250); // the first pause alone is 300 ms
    expect(e).toMatchObject({
      code: "ABORTED",
      retryable: false,
      message: "cannot connect to nats://h:1: aborted while connecting",
    });
    expect((e.cause as Error).message).toBe("closed");
  });

  it("nats-connection - wait: a connection that arrives after an abort is released", async () => {
    const ac = new AbortController();
    let deliver: (v: string) => void = () => {};
    const released: string[] = [];
    const p = withFirstConnectWait(
      () => new Promise<string>((r) => (deliver = r)),
      (v) => released.push(v),
      plan({ signal: ac.signal }),
    );
    ac.abort();
    expect((await rejection(p)).code).toBe("ABORTED");
    deliver("late-nc");
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(["late-nc"]);
  });

  it("nats-connection - wait: an already aborted signal dials nothing", async () => {
    const { attempt, caps } = script([], "nc");
    const e = await rejection(withFirstConnectWait(attempt, () => {}, plan({ signal: AbortSignal.abort() })));
    expect(e.code).toBe("ABORTED");
    expect(caps).toEqual([]);
  });

  it("nats-connection - wait: a throwing listener does not end the wait", async () => {
    const { attempt } = script([fail("UNREACHABLE")], "nc");
    const onWait = () => {
      throw new Error("listener bug");
    };
    expect(await withFirstConnectWait(attempt, () => {}, plan({ onWait }))).toBe("nc");
  });

  it("nats-connection - wait: durations in messages read like config values", () => {
    expect([250, 1500, 30_000, 90_000, 120_000].map(formatMs)).toEqual([
      "250ms",
      "1.5s",
      "30s",
      "1m30s",
      "2m",
    ]);
  });
});
