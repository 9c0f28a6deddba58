import { ConnectError } from "@natskit/nats-connection";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "./log.js";
import { ConnectionWatch, seconds } from "./watch.js";

afterEach(() => {
  vi.useRealTimers();
});

function watch(extra: { held?: () => number; retries?: () => number } = {}) {
  const lines: string[] = [];
  const log = createLogger({ level: "all", staticFields: {} }, (l) => lines.push(l.trimEnd())).with({
    label: "out",
    path: "root.output",
  });
  return { w: new ConnectionWatch({ what: "output 'out'", log, ...extra }), lines };
}

describe("connection watch", () => {
  it("demo - an outage is logged when it starts, every 5 s while it lasts, and with its length when it ends", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    let held = 0;
    const { w, lines } = watch({ held: () => held });
    w.connected("127.0.0.1:4222");
    held = 3;
    w.onEvent({ type: "disconnect", server: "127.0.0.1:4222" });
    held = 40;
    vi.advanceTimersByTime(5000);
    held = 90;
    vi.advanceTimersByTime(4000); // under 5 s since the last report: nothing new
    w.onEvent({ type: "reconnect", server: "127.0.0.1:4223" });
    vi.advanceTimersByTime(10_000); // connected again: no more outage reports
    w.stop();
    expect(lines).toEqual([
      "level=info msg=\"output 'out': connected to 127.0.0.1:4222\" label=out path=root.output server=127.0.0.1:4222",
      "level=warn msg=\"output 'out': disconnected from 127.0.0.1:4222; 3 messages held until it reconnects\" label=out path=root.output server=127.0.0.1:4222 held=3",
      "level=warn msg=\"output 'out': still disconnected after 5.0s; 40 messages held\" label=out path=root.output outage_ms=5000 held=40",
      "level=info msg=\"output 'out': reconnected to 127.0.0.1:4223 after an outage of 9.0s; 90 messages held are sent now\" label=out path=root.output server=127.0.0.1:4223 outage_ms=9000 held=90",
    ]);
  });

  it("demo - waiting for a first server is said on the first retry, then about every 5 s", () => {
    const { w, lines } = watch();
    const error = new ConnectError("UNREACHABLE", "connection refused", { retryable: true });
    for (const waitedMs of [0, 1000, 4999, 5000, 6000, 10_000])
      w.onEvent({ type: "connect_wait", attempt: 1, delayMs: 1000, waitedMs, error, servers: [] });
    expect(lines.map((l) => /waited_ms=(\d+)/.exec(l)?.[1])).toEqual(["0", "5000", "10000"]);
    expect(lines[0]).toContain(
      "msg=\"output 'out': waiting for a server (connection refused); trying again\"",
    );
  });

  it("demo - retries are summed at most every 5 s; a closed connection with an error is an error", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    let retries = 2;
    const { w, lines } = watch({ retries: () => retries });
    w.connected(undefined);
    retries = 9;
    vi.advanceTimersByTime(3000);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(lines[1]).toBe(
      "level=warn msg=\"output 'out': 7 publishes retried in the last 5.0s\" label=out path=root.output retries=7 retries_total=9",
    );
    w.onEvent({ type: "close", error: new Error("reconnects ran out") });
    vi.advanceTimersByTime(10_000);
    expect(lines.slice(2)).toEqual([
      "level=error msg=\"output 'out': connection closed: reconnects ran out\" label=out path=root.output",
    ]);
    expect(seconds(75_049)).toBe("75.0s");
  });
});
