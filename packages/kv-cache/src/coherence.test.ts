import { describe, expect, it } from "vitest";
import { ackSequences } from "./coherence.js";

describe("coherence ackSequences", () => {
  it("kv-cache - reads stream and consumer sequence from a reply subject of either form", () => {
    expect(ackSequences("$JS.ACK.KV_b.c1.1.42.7.1796300559743169240.0")).toEqual({
      streamSeq: 42,
      consumerSeq: 7,
    });
    expect(ackSequences("$JS.ACK.hub.ACCHASH.KV_b.c1.1.42.7.1796300559743169240.0")).toEqual({
      streamSeq: 42,
      consumerSeq: 7,
    });
    expect(ackSequences("$JS.ACK.hub.ACCHASH.KV_b.c1.1.42.7.1796300559743169240.0.rnd")).toEqual({
      streamSeq: 42,
      consumerSeq: 7,
    });
  });

  it("kv-cache - anything else is not a delivered message", () => {
    for (const r of [
      "",
      "_INBOX.x",
      "$JS.ACK.KV_b.c1.1.42",
      "$JS.ACK.KV_b.c1.1.x.7.1.0",
      "$JS.NAK.a.b.c.d.e.f.g",
    ]) {
      expect(ackSequences(r)).toBeUndefined();
    }
  });
});
