import type { Msg } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { copyOut } from "./copy.js";
import { EncodedHeaders, headerText, parseReplyHeaders } from "./reply.js";

describe("kv-cache replies", () => {
  it("kv-cache - reads the fields of a direct-get reply", () => {
    const h = parseReplyHeaders(
      "NATS/1.0\r\nNats-Stream: KV_b\r\nNats-Subject: $KV.b.k\r\nNats-Sequence: 42\r\nNats-Time-Stamp: 2026-11-23T05:00:00.123456789Z\r\nKV-Operation: DEL\r\nNats-TTL: 5s\r\nNatskit-Cache-Ttl: 1500\r\n\r\n",
    );
    expect(h).toEqual({
      status: 0,
      description: "",
      sequence: "42",
      timestamp: "2026-11-23T05:00:00.123456789Z",
      operation: "DEL",
      markerReason: "",
      natsTtl: "5s",
      cacheTtl: "1500",
      subject: "$KV.b.k",
      numPending: "",
    });
  });

  it("kv-cache - reads status replies and is case-insensitive on names", () => {
    expect(parseReplyHeaders("NATS/1.0 404 Message Not Found\r\n\r\n")).toMatchObject({
      status: 404,
      description: "Message Not Found",
    });
    expect(parseReplyHeaders("NATS/1.0 503\r\n\r\n").status).toBe(503);
    expect(parseReplyHeaders("NATS/1.0\r\nkv-operation: PURGE\r\n\r\n").operation).toBe("PURGE");
    expect(parseReplyHeaders("").status).toBe(0);
    // Same length as a wanted field, but another name.
    const h = parseReplyHeaders("NATS/1.0\r\nNats-Last-Sequence: 5\r\nNATS-MARKER-REASON: MaxAge\r\n\r\n");
    expect(h).toMatchObject({ markerReason: "MaxAge", sequence: "" });
    expect(parseReplyHeaders("NATS/1.0\r\nNats-Stream: KV_b\r\nX-Subject-Id: 1\r\n\r\n").subject).toBe("");
    expect(parseReplyHeaders("NATS/1.0\r\nbroken line\r\n: nokey\r\n\r\n").sequence).toBe("");
  });

  it("kv-cache - reads the end of a batched direct get", () => {
    // As nats-server 2.15.1 sends it.
    const h = parseReplyHeaders(
      "NATS/1.0 204 EOB\r\nNats-Num-Pending: 2\r\nNats-Last-Sequence: 2\r\nNats-UpTo-Sequence: 8\r\n\r\n",
    );
    expect(h).toMatchObject({ status: 204, description: "EOB", numPending: "2", subject: "" });
  });

  it("kv-cache - header text comes from the raw block, or from the client's parsed headers", () => {
    const block = "NATS/1.0\r\nNats-Sequence: 7\r\n\r\n";
    const raw = Buffer.from(`${block}payload`, "latin1");
    const internal = { _msg: { hdr: block.length }, _rdata: raw } as unknown as Msg;
    expect(headerText(internal)).toBe(block);
    expect(headerText({ _msg: { hdr: -1 }, _rdata: raw } as unknown as Msg)).toBe("");
    // A client whose message object has no raw block: its parsed headers are used.
    const parsed = { headers: { toString: () => "NATS/1.0 404 Not Found\r\n\r\n" } } as unknown as Msg;
    expect(parseReplyHeaders(headerText(parsed)).status).toBe(404);
    expect(headerText({ headers: undefined } as unknown as Msg)).toBe("");
  });

  it("kv-cache - pre-encoded request headers are the NATS header block", () => {
    const h = new EncodedHeaders([
      ["Nats-Expected-Last-Subject-Sequence", "0"],
      ["Nats-TTL", "5s"],
    ]);
    expect(Buffer.from(h.encode()).toString("latin1")).toBe(
      "NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 0\r\nNats-TTL: 5s\r\n\r\n",
    );
    expect(parseReplyHeaders(Buffer.from(h.encode()).toString("latin1")).natsTtl).toBe("5s");
  });

  it("kv-cache - copies handed to callers are independent of the source and of each other", () => {
    const src = Buffer.from("hello");
    const a = copyOut(src);
    const b = copyOut(src);
    src[0] = 0x7a;
    a[1] = 0x7a;
    expect(Buffer.from(b).toString()).toBe("hello");
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
    const big = Buffer.alloc(5000, 1);
    const c = copyOut(big);
    big[0] = 9;
    expect(c[0]).toBe(1);
    expect(Object.getPrototypeOf(c)).toBe(Uint8Array.prototype);
    // Many small copies roll over to new slabs without overlapping.
    const copies = Array.from({ length: 5000 }, (_, i) => copyOut(Uint8Array.of(i % 256, (i >> 8) % 256)));
    copies.forEach((x, i) => {
      expect([x[0], x[1]]).toEqual([i % 256, (i >> 8) % 256]);
    });
  });
});
