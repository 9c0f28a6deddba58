import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchCallback, type BatchMeterLike } from "./metrics.js";

type Callback = (result: string) => void;

/** Records what a meter is asked to do; `collect()` runs the callbacks as a collection would. */
function fakeMeter() {
  const callbacks = new Set<Callback>();
  const meter: BatchMeterLike<string, number> = {
    addBatchObservableCallback: (cb) => callbacks.add(cb),
    removeBatchObservableCallback: (cb) => callbacks.delete(cb),
  };
  const collect = async () => {
    for (const cb of callbacks) cb("result");
    await Promise.resolve(); // removal waits for the end of the collection
  };
  return { meter, callbacks, collect };
}

afterEach(() => vi.useRealTimers());

describe("nats-connection metrics", () => {
  it("nats-connection - BatchCallback: observes at every collection, and once more after close, then is removed", async () => {
    const { meter, callbacks, collect } = fakeMeter();
    const seen: string[] = [];
    const batch = new BatchCallback(meter, [1, 2], (r) => seen.push(r));
    expect(callbacks.size).toBe(1);
    await collect();
    batch.close();
    expect(batch.closed).toBe(true);
    expect(callbacks.size).toBe(1);
    await collect();
    expect(seen).toEqual(["result", "result"]);
    expect(callbacks.size).toBe(0);
  });

  it("nats-connection - BatchCallback: without a collection, close removes the callback after a minute", async () => {
    vi.useFakeTimers();
    const { meter, callbacks } = fakeMeter();
    const batch = new BatchCallback(meter, [1], () => {});
    batch.close();
    batch.close();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(callbacks.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(callbacks.size).toBe(0);
  });
});
