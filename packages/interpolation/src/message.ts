import { decodeJSON } from "./json.js";
import {
  fromHost,
  GoFloat,
  JsonNumber,
  Special,
  Timestamp,
  toJSON,
  toPlainValue,
  toText,
  type Value,
} from "./value.js";

/**
 * A metadata value. Strings are the common case; numbers, booleans, bytes, dates and nested
 * arrays/objects keep their type for `metadata()` / `@`, and are stringified by `meta()`.
 */
export type MetaValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Date
  | readonly MetaValue[]
  | { readonly [key: string]: MetaValue };

/**
 * Why a message failed processing, as `error()`, `errored()` and `error_source_*()` see it. Any
 * `Error` works; `source` is optional component information.
 */
export interface ProcessingError {
  readonly message: string;
  /** Component that raised the error, for `error_source_name/label/path()`. */
  readonly source?: { readonly name?: string; readonly label?: string; readonly path?: readonly string[] };
}

/** Options of {@link createMessage}. */
export interface MessageInit {
  /**
   * Metadata entries.
   * @default {}
   * @example { kafka_topic: "orders", kafka_partition: 3 }
   */
  readonly metadata?: Readonly<Record<string, MetaValue>> | ReadonlyMap<string, MetaValue>;
  /** A processing error carried by the message (`errored()` is `true`). */
  readonly error?: ProcessingError | Error | string;
  /**
   * The message's trace context as a propagation text map, read by `tracing_span()` and
   * `tracing_id()`.
   * @example { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }
   */
  readonly tracing?: TraceCarrier;
}

/**
 * A trace context as a propagation text map (what an OpenTelemetry propagator injects): W3C
 * `traceparent` / `tracestate`, or B3 (`b3`, `x-b3-traceid`, ...).
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** @internal A failed body decode, cached so a broken body is parsed at most once too. */
export class BodyError {
  constructor(readonly error: string) {}
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One message: raw content bytes, typed metadata, an optional processing error and its place in
 * a batch. The structured (JSON) body is parsed lazily, at most once, and only if a query needs
 * it. Content given as a string is kept as a string until bytes are asked for.
 */
export class Message {
  #bytes: Uint8Array | undefined;
  #text: string | undefined;
  #meta: Map<string, Value> | undefined;
  #body: Value | BodyError | undefined;
  #hasBody = false;
  #plain: { value: unknown } | undefined;
  #error: ProcessingError | undefined;
  #tracing: TraceCarrier | undefined;
  /** @internal */ _batch: MessageBatch | undefined;
  /** @internal */ _index = 0;

  constructor(content: string | Uint8Array = EMPTY, init?: MessageInit) {
    if (typeof content === "string") this.#text = content;
    else this.#bytes = content;
    if (init?.metadata !== undefined) {
      const m = new Map<string, Value>();
      const src = init.metadata;
      if (src instanceof Map) {
        for (const [k, v] of src) m.set(k, toMetaValue(v));
      } else {
        for (const k in src) {
          if (Object.hasOwn(src, k)) m.set(k, toMetaValue((src as Record<string, MetaValue>)[k]));
        }
      }
      this.#meta = m;
    }
    if (init?.error !== undefined) this.setError(init.error);
    if (init?.tracing !== undefined) this.setTracing(init.tracing);
  }

  /** The raw content. */
  get content(): Uint8Array {
    if (this.#bytes === undefined) this.#bytes = this.#text === "" ? EMPTY : encoder.encode(this.#text);
    return this.#bytes;
  }

  /** The content decoded as UTF-8 (invalid sequences become U+FFFD). */
  get text(): string {
    if (this.#text === undefined)
      this.#text = (this.#bytes as Uint8Array).length === 0 ? "" : decoder.decode(this.#bytes);
    return this.#text;
  }

  /** Whether the content is empty. */
  get isEmpty(): boolean {
    return this.#text !== undefined ? this.#text.length === 0 : (this.#bytes as Uint8Array).length === 0;
  }

  /** Replaces the content; the cached structured body is dropped. */
  setContent(content: string | Uint8Array): void {
    if (typeof content === "string") {
      this.#text = content;
      this.#bytes = undefined;
    } else {
      this.#bytes = content;
      this.#text = undefined;
    }
    this.#body = undefined;
    this.#hasBody = false;
    this.#plain = undefined;
  }

  /**
   * The body parsed as a single JSON document, or an error string exactly as the reference
   * reports it (`target message part does not exist`, `invalid character …`,
   * `message contains multiple valid documents`). Parsed once and cached.
   */
  structured(): { ok: true; value: unknown } | { ok: false; error: string } {
    const b = this.body();
    if (b instanceof BodyError) return { ok: false, error: b.error };
    if (this.#plain === undefined) this.#plain = { value: toPlainValue(b) };
    return { ok: true, value: this.#plain.value };
  }

  /** @internal Structured body or a cached decode error. */
  body(): Value | BodyError {
    if (this.#hasBody) return this.#body as Value | BodyError;
    let res: Value | BodyError;
    if (this.isEmpty) res = new BodyError("target message part does not exist");
    else {
      const d = decodeJSON(this.text);
      res = d.ok ? d.value : new BodyError(d.error);
    }
    this.#body = res;
    this.#hasBody = true;
    return res;
  }

  /** Sets the structured body directly (its JSON becomes the content). */
  setStructured(value: unknown): void {
    const v = fromHost(value);
    this.#body = v;
    this.#hasBody = true;
    this.#plain = undefined;
    this.#text = toJSON(v, false);
    this.#bytes = undefined;
  }

  /** @internal Typed metadata value, or `undefined` when absent. */
  metaRaw(key: string): Value | undefined {
    return this.#meta?.get(key);
  }

  /** A metadata value, or `undefined` when absent. */
  getMeta(key: string): MetaValue | undefined {
    const v = this.#meta?.get(key);
    return v === undefined ? undefined : toMetaOut(v);
  }

  /** Sets a metadata value. */
  setMeta(key: string, value: MetaValue): void {
    if (this.#meta === undefined) this.#meta = new Map();
    this.#meta.set(key, toMetaValue(value));
  }

  /** Removes a metadata key. */
  deleteMeta(key: string): void {
    this.#meta?.delete(key);
  }

  /**
   * Metadata as strings, in insertion order, stringified as the reference does for headers and
   * `meta()`: strings as they are, numbers like Go (`%g`-like floats), booleans, `null`, RFC 3339
   * timestamps, bytes as UTF-8, and sorted JSON for arrays and objects.
   */
  metaStringEntries(): [string, string][] {
    const out: [string, string][] = [];
    if (this.#meta === undefined) return out;
    for (const [k, v] of this.#meta) out.push([k, typeof v === "string" ? v : toText(v)]);
    return out;
  }

  /**
   * Calls `fn(value, key)` for each metadata entry, stringified as in
   * {@link Message.metaStringEntries}, without allocating the entry list (hot paths).
   */
  forEachMetaString(fn: (value: string, key: string) => void): void {
    this.#meta?.forEach((v, k) => {
      fn(typeof v === "string" ? v : toText(v), k);
    });
  }

  /** Whether a metadata key is set. */
  hasMeta(key: string): boolean {
    return this.#meta?.has(key) ?? false;
  }

  /** Metadata keys in insertion order. */
  metaKeys(): string[] {
    return this.#meta ? [...this.#meta.keys()] : [];
  }

  /** @internal All metadata entries (typed). */
  metaEntries(): Iterable<[string, Value]> {
    return this.#meta ?? [];
  }

  /** The processing error, if any. */
  get error(): ProcessingError | undefined {
    return this.#error;
  }

  /** Marks the message as failed (or clears the error with `undefined`). */
  setError(error: ProcessingError | Error | string | undefined): void {
    if (error === undefined) this.#error = undefined;
    else if (typeof error === "string") this.#error = { message: error };
    else this.#error = error;
  }

  /** The message's trace context (a propagation text map), if it has one. */
  get tracing(): TraceCarrier | undefined {
    return this.#tracing;
  }

  /** Sets the trace context (a copy is kept; an empty map or `undefined` clears it). */
  setTracing(carrier: TraceCarrier | undefined): void {
    if (carrier === undefined) {
      this.#tracing = undefined;
      return;
    }
    const copy: Record<string, string> = Object.create(null);
    let any = false;
    for (const k in carrier) {
      if (!Object.hasOwn(carrier, k)) continue;
      const v = carrier[k];
      if (typeof v !== "string") throw new TypeError(`tracing: value of '${k}' must be a string`);
      copy[k] = v;
      any = true;
    }
    this.#tracing = any ? Object.freeze(copy) : undefined;
  }

  /** Index of this message in its batch (0 when it is not in one). */
  get batchIndex(): number {
    return this._index;
  }

  /** Size of this message's batch (1 when it is not in one). */
  get batchSize(): number {
    return this._batch ? this._batch.length : 1;
  }

  /** The batch this message was added to with {@link createBatch}, if any. */
  get batch(): MessageBatch | undefined {
    return this._batch;
  }

  /** A copy with the same content, metadata, error and trace context, outside any batch. */
  clone(): Message {
    const m = new Message(this.#text ?? (this.#bytes as Uint8Array));
    if (this.#meta) m.#meta = new Map(this.#meta);
    m.#error = this.#error;
    m.#tracing = this.#tracing;
    if (this.#hasBody) {
      m.#body = this.#body;
      m.#hasBody = true;
    }
    return m;
  }
}

/** Query value → the caller-facing metadata type. */
function toMetaOut(v: Value): MetaValue {
  if (typeof v !== "object" || v === null || v instanceof Uint8Array) return v as MetaValue;
  if (v instanceof Special) {
    if (v instanceof Timestamp) return new Date(Number(v.ns / 1000000n));
    if (v instanceof GoFloat) return v.f;
    if (v instanceof JsonNumber) return Number(v.text);
    return null;
  }
  if (Array.isArray(v)) return v.map(toMetaOut);
  const out: Record<string, MetaValue> = {};
  for (const k of Object.keys(v)) {
    Object.defineProperty(out, k, {
      value: toMetaOut(v[k] as Value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function toMetaValue(v: MetaValue | undefined): Value {
  if (typeof v === "string") return v;
  return fromHost(v);
}

/**
 * An ordered group of messages evaluated together: `batch_index()`, `batch_size()`, `.from(i)`
 * and `.from_all()` see the whole batch.
 */
export class MessageBatch {
  readonly messages: readonly Message[];

  constructor(messages: readonly Message[]) {
    this.messages = messages;
    messages.forEach((m, i) => {
      m._batch = this;
      m._index = i;
    });
  }

  get length(): number {
    return this.messages.length;
  }

  /** The message at `index` (negative counts from the end), or `undefined` when out of range. */
  at(index: number): Message | undefined {
    const i = index < 0 ? this.messages.length + index : index;
    return this.messages[i];
  }

  [Symbol.iterator](): Iterator<Message> {
    return this.messages[Symbol.iterator]();
  }
}

/**
 * Creates a message.
 *
 * @example
 * const msg = createMessage('{"user":{"name":"ada"}}', { metadata: { kafka_topic: "users" } });
 */
export function createMessage(content: string | Uint8Array = EMPTY, init?: MessageInit): Message {
  return new Message(content, init);
}

/**
 * Groups messages into a batch, setting each message's `batchIndex` and `batchSize`. Strings and
 * byte arrays are turned into messages.
 */
export function createBatch(items: readonly (Message | string | Uint8Array)[]): MessageBatch {
  return new MessageBatch(items.map((m) => (m instanceof Message ? m : new Message(m))));
}
