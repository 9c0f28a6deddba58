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
  /** `Nats-Subject`: which subject a message of a batched direct get belongs to. */
  subject: string;
  /** `Nats-Num-Pending`: in a batch's end-of-batch message, how many matches were not sent. */
  numPending: string;
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
    subject: "",
    numPending: "",
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
      // A batched get carries ~7 fields per message, most of them not wanted: pick by length
      // and compare in place, so unwanted fields cost no string work.
      let field: Exclude<keyof ReplyHeaders, "status"> | undefined;
      switch (colon - at) {
        case 8:
          if (nameIs(text, at, "nats-ttl")) field = "natsTtl";
          break;
        case 12:
          if (nameIs(text, at, "nats-subject")) field = "subject";
          else if (nameIs(text, at, "kv-operation")) field = "operation";
          break;
        case 13:
          if (nameIs(text, at, "nats-sequence")) field = "sequence";
          break;
        case 15:
          if (nameIs(text, at, "nats-time-stamp")) field = "timestamp";
          break;
        case 16:
          if (nameIs(text, at, "nats-num-pending")) field = "numPending";
          break;
        case 17:
          if (nameIs(text, at, "natskit-cache-ttl")) field = "cacheTtl";
          break;
        case 18:
          if (nameIs(text, at, "nats-marker-reason")) field = "markerReason";
          break;
        default:
          break;
      }
      // The server appends its fields after the stored ones, so the last one (the server's) wins.
      if (field !== undefined) h[field] = text.slice(colon + 1, eol).trim();
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

/** Whether the header name at `at` is `lower`, ignoring case (names hold only letters and `-`). */
function nameIs(text: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    // `| 0x20` lowercases ASCII letters and keeps `-`; a line holds no `\r` that could alias it.
    if ((text.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
