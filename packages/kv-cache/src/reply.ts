import type { Msg } from "@nats-io/transport-node";

/** The header fields the cache reads from a reply, parsed in one pass. */
export interface ReplyHeaders {
  /** Status code of a status reply (404, 503, …); 0 for a normal message. */
  status: number;
  description: string;
  sequence: string;
  timestamp: string;
  operation: string;
  markerReason: string;
  natsTtl: string;
  cacheTtl: string;
}

interface RawMsg {
  _msg?: { hdr?: number };
  _rdata?: Uint8Array;
}

/**
 * The header block of a reply as text. nats.js parses headers into a general-purpose map with
 * several allocations per field, which dominated the cost of a pipelined get; the cache needs
 * only a handful of fields, so it reads the raw block (kept by the client's message object)
 * and falls back to the client's parsed headers if that is ever not available.
 */
export function headerText(m: Msg): string {
  const raw = m as unknown as RawMsg;
  const n = raw._msg?.hdr;
  const data = raw._rdata;
  if (typeof n === "number" && data instanceof Uint8Array) {
    if (n <= 0) return "";
    return Buffer.from(data.buffer, data.byteOffset, n).toString("latin1");
  }
  return m.headers?.toString() ?? "";
}

/** Parses `NATS/1.0 <status> <description>\r\nKey: value\r\n…` for the fields in {@link ReplyHeaders}. */
export function parseReplyHeaders(text: string): ReplyHeaders {
  const h: ReplyHeaders = {
    status: 0,
    description: "",
    sequence: "",
    timestamp: "",
    operation: "",
    markerReason: "",
    natsTtl: "",
    cacheTtl: "",
  };
  if (text === "") return h;
  let end = text.indexOf("\r\n");
  if (end < 0) end = text.length;
  const first = text.slice(0, end);
  if (first.length > 8) {
    const rest = first.slice(8).trim(); // after "NATS/1.0"
    const sp = rest.indexOf(" ");
    h.status = Number.parseInt(sp < 0 ? rest : rest.slice(0, sp), 10) || 0;
    h.description = sp < 0 ? "" : rest.slice(sp + 1).trim();
  }
  let at = end + 2;
  while (at < text.length) {
    let eol = text.indexOf("\r\n", at);
    if (eol < 0) eol = text.length;
    const colon = text.indexOf(":", at);
    if (colon > at && colon < eol) {
      const value = text.slice(colon + 1, eol).trim();
      switch (text.slice(at, colon).toLowerCase()) {
        case "nats-sequence":
          h.sequence = value;
          break;
        case "nats-time-stamp":
          h.timestamp = value;
          break;
        case "kv-operation":
          h.operation = value;
          break;
        case "nats-marker-reason":
          h.markerReason = value;
          break;
        case "nats-ttl":
          h.natsTtl = value;
          break;
        case "natskit-cache-ttl":
          h.cacheTtl = value;
          break;
        default:
          break;
      }
    }
    at = eol + 2;
  }
  return h;
}

/** The reply's payload as text (ASCII JSON from the server). */
export function payloadText(m: Msg): string {
  const d = m.data;
  return Buffer.from(d.buffer, d.byteOffset, d.length).toString("utf8");
}

/**
 * Request headers encoded once: the client only calls `encode()` on the headers it publishes,
 * so constant header blocks (delete markers, create-if-absent) need no per-call work.
 */
export class EncodedHeaders {
  readonly #bytes: Uint8Array;
  constructor(fields: readonly (readonly [string, string])[]) {
    let s = "NATS/1.0";
    for (const [k, v] of fields) s += `\r\n${k}: ${v}`;
    this.#bytes = Buffer.from(`${s}\r\n\r\n`, "latin1");
  }
  encode(): Uint8Array {
    return this.#bytes;
  }
}
