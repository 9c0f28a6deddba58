import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BATCH_MAX_BYTES, batchEnd, batchRequest, MAX_BATCH_SUBJECTS, planBatches } from "./batch-get.js";

const td = new TextDecoder();

describe("kv-cache batched direct get", () => {
  it("kv-cache - a batch request names the subjects and caps the bytes sent back", () => {
    expect(JSON.parse(td.decode(batchRequest(["$KV.b.a", "$KV.b.c"])))).toEqual({
      multi_last: ["$KV.b.a", "$KV.b.c"],
      max_bytes: BATCH_MAX_BYTES,
    });
  });

  it("kv-cache - batches hold at most 1024 subjects, in order", () => {
    const subjects = Array.from({ length: 2500 }, (_, i) => `$KV.b.k${i}`);
    const { batches, single } = planBatches(subjects, 1024 * 1024);
    expect(batches.map((b) => b.length)).toEqual([MAX_BATCH_SUBJECTS, MAX_BATCH_SUBJECTS, 452]);
    expect(batches.flat()).toEqual(subjects.map((_, i) => i));
    expect(single).toEqual([]);
  });

  it("kv-cache - batches fit the server's max_payload; a subject that fits no request is read alone", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-zA-Z0-9_=/-]{1,300}$/), { maxLength: 60 }),
        fc.integer({ min: 40, max: 4000 }),
        fc.integer({ min: 1, max: 20 }),
        (keys, maxBody, maxCount) => {
          const subjects = keys.map((k) => `$KV.bucket.${k}`);
          const { batches, single } = planBatches(subjects, maxBody, maxCount);
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(maxCount);
            expect(batchRequest(b.map((i) => subjects[i] as string)).length).toBeLessThanOrEqual(maxBody);
          }
          for (const i of single)
            expect(batchRequest([subjects[i] as string]).length).toBeGreaterThan(maxBody);
          expect([...batches.flat(), ...single].sort((a, b) => a - b)).toEqual(subjects.map((_, i) => i));
        },
      ),
    );
  });

  it("kv-cache - how a batch's last message is read", () => {
    // As sent by nats-server 2.15.1.
    expect(batchEnd(204, "EOB", "0", 500)).toBe("complete");
    expect(batchEnd(204, "EOB", "", 500)).toBe("complete");
    expect(batchEnd(204, "EOB", "2", 500)).toBe("more");
    // At max_bytes the server may have stopped with matches left even if it reports none.
    expect(batchEnd(204, "EOB", "0", BATCH_MAX_BYTES)).toBe("more");
    expect(batchEnd(404, "No Results", "", 0)).toBe("complete");
    expect(batchEnd(404, "Message Not Found", "", 0)).toBe("more");
    // nats-server 2.9.10 / 2.10: `multi_last` is an unknown field, so the request looks empty.
    expect(batchEnd(408, "Empty Request", "", 0)).toBe("unsupported");
    expect(batchEnd(413, "Too Many Results", "", 0)).toBe("too-many");
    expect(batchEnd(503, "", "", 0)).toBe("no-responders");
    expect(batchEnd(500, "internal", "", 0)).toBe("error");
  });
});
