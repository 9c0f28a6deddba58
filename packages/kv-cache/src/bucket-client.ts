import type { Msg } from "@nats-io/transport-node";
import type { NatsClient } from "@natskit/nats-connection";
import { copyOut } from "./copy.js";
import { parseDuration } from "./duration.js";
import {
  InvalidArgumentError,
  KvCacheError,
  NatsServerError,
  OutcomeUnknownError,
  printable,
  UnavailableError,
} from "./errors.js";
import type { BucketInfo } from "./kv-cache.js";
import { headerText, parseReplyHeaders, payloadText, type ReplyHeaders } from "./reply.js";
import type { Requester, RequestHeaders } from "./requester.js";

export type ReadResult =
  | {
      readonly kind: "value";
      readonly value: Uint8Array;
      readonly revision: number;
      readonly ttlLeftMs?: number;
    }
  | { readonly kind: "deleted"; readonly revision: number }
  | { readonly kind: "missing" };

export interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

/** A write's answer: the revision it got, or the server's refusal. */
export type Ack = { seq: number; error?: undefined } | { seq?: undefined; error: ApiError };

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
/** JetStream `err_code` of a message get for a sequence or subject that holds nothing. */
const NO_MESSAGE_FOUND = 10037;
/** Errors made from a 503 "no responders" reply: the request reached nobody. */
const NO_RESPONDERS = new WeakSet<object>();

/**
 * Reads and writes of one bucket's entries over the {@link Requester}: the subjects, direct get
 * or the stream's message get, decoding of entries and acknowledgements, the size check, and
 * sending again while the bucket's stream answers "no responders".
 */
export class BucketClient {
  readonly #client: NatsClient;
  readonly #req: Requester;
  readonly #info: BucketInfo;
  /** Work out how long a value has left to live even without an own TTL (the near-cache needs it). */
  readonly #trackTtl: boolean;
  readonly #putPrefix: string;
  readonly #readPrefix: string;
  readonly #msgGetSubject: string;
  #closed = false;

  constructor(client: NatsClient, req: Requester, info: BucketInfo, trackTtl: boolean) {
    this.#client = client;
    this.#req = req;
    this.#info = info;
    this.#trackTtl = trackTtl;
    this.#putPrefix = `$KV.${info.bucket}.`;
    this.#readPrefix = `$JS.API.DIRECT.GET.${info.stream}.$KV.${info.bucket}.`;
    this.#msgGetSubject = `$JS.API.STREAM.MSG.GET.${info.stream}`;
  }

  /** Stops sending requests again; what is in flight ends as the {@link Requester} decides. */
  close(): void {
    this.#closed = true;
  }

  /** The entry of a stored key, retrying "no responders" within `operation_timeout`. */
  read(skey: string, key: string, op: string): Promise<ReadResult> {
    return this.whileNoResponders(() => this.#readOnce(skey, key, op));
  }

  /**
   * Writes an entry: checks its size, sends it (again while "no responders", within
   * `operation_timeout`) and returns the server's answer.
   * @throws InvalidArgumentError when value and headers exceed the server's `max_payload`
   *   (nothing is sent); what the {@link Requester} throws; UnavailableError for no responders.
   */
  async put(
    skey: string,
    key: string,
    data: Uint8Array,
    headers: RequestHeaders | undefined,
    op: string,
  ): Promise<Ack> {
    this.checkSize(data, headers, op, key);
    return await this.whileNoResponders(async () => {
      const m = await this.#req.request(this.#putPrefix + skey, data, headers, "write", op, key);
      return this.#ack(m, op, key);
    });
  }

  /**
   * The server refuses a message whose value and headers together exceed `max_payload`, and the
   * client refuses to send it; this says so before anything is sent.
   */
  checkSize(data: Uint8Array, headers: RequestHeaders | undefined, op: string, key: string): void {
    const max = this.#client.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    const hlen = headers === undefined ? 0 : headers.encode().length;
    if (data.length + hlen > max) {
      const what =
        hlen === 0
          ? `value of ${data.length} bytes is`
          : `value of ${data.length} bytes with ${hlen} bytes of headers is`;
      throw new InvalidArgumentError(
        `${op} '${printable(key)}': ${what} larger than the server's max_payload of ${max} bytes`,
      );
    }
  }

  serverError(e: ApiError, op: string, key: string): NatsServerError {
    // 5xx answers are the server's own trouble (e.g. a stream leader election) and worth a
    // retry, except a full bucket, which a retry does not fix.
    const full = /maximum (bytes|messages|message size)/i.test(e.description ?? "");
    return new NatsServerError(`${op} '${printable(key)}'`, e, { retryable: e.code >= 500 && !full });
  }

  /**
   * Runs a request again while the bucket's stream answers "no responders" (a stream between
   * leaders after a node failure, JetStream still starting, or the bucket deleted and being
   * recreated), within `operation_timeout`. Such a request reached nobody, so even a write is
   * safe to send again.
   */
  async whileNoResponders<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#req.timeoutMs;
    let pause = 25;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!NO_RESPONDERS.has(e as object) || Date.now() + pause >= deadline || this.#closed) throw e;
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 500);
    }
  }

  #readOnce(skey: string, key: string, op: string): Promise<ReadResult> {
    if (this.#info.directGet) {
      return this.#req
        .request(this.#readPrefix + skey, EMPTY, undefined, "read", op, key)
        .then((m) => this.#fromDirect(m, op, key));
    }
    const body = encoder.encode(JSON.stringify({ last_by_subj: this.#putPrefix + skey }));
    return this.#req
      .request(this.#msgGetSubject, body, undefined, "read", op, key)
      .then((m) => this.#fromStreamGet(m, op, key));
  }

  #fromDirect(m: Msg, op: string, key: string): ReadResult {
    const h = parseReplyHeaders(headerText(m));
    if (h.status !== 0 && h.status !== 200) {
      if (h.status === 404) return { kind: "missing" };
      if (h.status === 503) throw this.noResponders(op, key, "read");
      throw this.serverError({ code: h.status, description: h.description }, op, key);
    }
    if (h.sequence === "") {
      throw this.serverError({ code: 500, description: "direct get reply without a sequence" }, op, key);
    }
    return this.entry(Number(h.sequence), h, m.data);
  }

  #fromStreamGet(m: Msg, op: string, key: string): ReadResult {
    if (parseReplyHeaders(headerText(m)).status === 503) throw this.noResponders(op, key, "read");
    let body: { message?: { seq: number; hdrs?: string; data?: string; time: string }; error?: ApiError };
    try {
      body = JSON.parse(payloadText(m));
    } catch (e) {
      throw new KvCacheError("SERVER_ERROR", `${op} '${printable(key)}': unreadable reply from the server`, {
        cause: e,
      });
    }
    if (body.error) {
      // 10037 "no message found"; a 404 for the stream itself (10059) means the bucket is gone.
      if (body.error.code === 404 && (body.error.err_code ?? NO_MESSAGE_FOUND) === NO_MESSAGE_FOUND) {
        return { kind: "missing" };
      }
      throw this.serverError(body.error, op, key);
    }
    const msg = body.message;
    if (!msg)
      throw this.serverError({ code: 500, description: "message get reply without a message" }, op, key);
    const h = parseReplyHeaders(msg.hdrs ? Buffer.from(msg.hdrs, "base64").toString("latin1") : "");
    h.timestamp = msg.time;
    const data = msg.data ? new Uint8Array(Buffer.from(msg.data, "base64")) : EMPTY;
    return this.entry(msg.seq, h, data);
  }

  /** What an entry read from the bucket means: a value, a delete/purge/expiry, or an expired own TTL. */
  entry(revision: number, h: ReplyHeaders, data: Uint8Array): ReadResult {
    if (h.operation === "DEL" || h.operation === "PURGE" || h.markerReason !== "") {
      return { kind: "deleted", revision };
    }
    // TTL bookkeeping costs a timestamp parse, so it is done only when an expiry applies.
    let ttlLeftMs: number | undefined;
    const own = h.cacheTtl;
    const ttl = own !== "" ? Number(own) : h.natsTtl !== "" ? natsTtlMs(h.natsTtl) : this.#info.bucketTtlMs;
    if (ttl > 0 && (own !== "" || this.#trackTtl)) {
      const written = Date.parse(h.timestamp);
      if (Number.isFinite(written)) {
        ttlLeftMs = written + ttl - Date.now();
        if (own !== "" && ttlLeftMs <= 0) return { kind: "deleted", revision };
      }
    }
    const value = copyOut(data); // the reply is a view into a socket buffer
    return ttlLeftMs === undefined
      ? { kind: "value", value, revision }
      : { kind: "value", value, revision, ttlLeftMs };
  }

  #ack(m: Msg, op: string, key: string): Ack {
    if (m.headers !== undefined && parseReplyHeaders(headerText(m)).status === 503) {
      throw this.noResponders(op, key, "write");
    }
    const text = payloadText(m);
    // A PubAck is `{"stream":"KV_x","seq":12}` (maybe with "domain"/"duplicate"); read the
    // sequence directly and leave JSON.parse to anything else.
    if (!text.includes('"error"')) {
      const at = text.indexOf('"seq":');
      if (at >= 0) {
        const seq = Number.parseInt(text.slice(at + 6), 10);
        if (Number.isSafeInteger(seq)) return { seq };
      }
    }
    let body: { seq?: number; error?: ApiError };
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new OutcomeUnknownError(`${op} '${printable(key)}': unreadable acknowledgement from the server`, {
        cause: e,
      });
    }
    if (body.error) return { error: body.error };
    if (typeof body.seq !== "number") {
      throw new OutcomeUnknownError(`${op} '${printable(key)}': acknowledgement without a sequence`);
    }
    return { seq: body.seq };
  }

  /** The error for a request that reached no stream; {@link whileNoResponders} sends such a request again. */
  noResponders(op: string, key: string, kind: "read" | "write"): UnavailableError {
    const e = new UnavailableError(
      `${op} '${printable(key)}': no stream answered for bucket '${this.#info.bucket}' (it was deleted, its stream has no leader, or jetstream is still starting)` +
        (kind === "write" ? "; nothing was written" : ""),
    );
    NO_RESPONDERS.add(e);
    return e;
  }
}

function natsTtlMs(v: string): number {
  if (v === "never") return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = parseDuration(v);
  return "ms" in d ? d.ms : 0;
}
