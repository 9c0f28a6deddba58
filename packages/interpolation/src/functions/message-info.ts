import { BodyError, type Message, type TraceCarrier } from "../message.js";
import {
  batchSize,
  Closure,
  type Ctx,
  dotPathToSlice,
  metaObject,
  msgAt,
  Node,
  searchPath,
  sliceToDotPath,
} from "../node.js";
import type { ParamsSpec } from "../params.js";
import { QueryError } from "../query-error.js";
import { type FunctionImpl, functionsIn, simpleFunction } from "../registry.js";
import { sanitizeTop, toText, type Value } from "../value.js";

export const KEY_PARAM: ParamsSpec = { params: [{ name: "key", type: "string", default: "" }] };

/** `content()`: marked so a template can take the message text without a bytes round trip. */
export class ContentNode extends Node {
  get annotation(): string {
    return "function content";
  }
  exec(ctx: Ctx): Value {
    return msgAt(ctx).content;
  }
}

/** `json(path)`. */
export class JsonNode extends Node {
  constructor(readonly path: readonly string[]) {
    super();
  }
  get annotation(): string {
    return "json path `" + sliceToDotPath(this.path) + "`";
  }
  exec(ctx: Ctx): Value {
    const b = msgAt(ctx).body();
    if (b instanceof BodyError) throw new QueryError("INVALID_BODY", b.error);
    if (this.path.length === 0) return sanitizeTop(b);
    const v = searchPath(b, this.path);
    return v === undefined ? null : sanitizeTop(v);
  }
}

/** `meta(key)`: string values; empty string or missing is null. */
export class MetaStrNode extends Node {
  constructor(readonly key: string) {
    super();
  }
  get annotation(): string {
    return "meta field " + this.key;
  }
  exec(ctx: Ctx): Value {
    return metaStr(msgAt(ctx), this.key);
  }
}

export function metaStr(m: Message, key: string): string | null {
  const v = m.metaRaw(key);
  if (v === undefined) return null;
  const s = typeof v === "string" ? v : toText(v);
  return s === "" ? null : s;
}

/** `metadata(key)`: typed values; missing is null. */
export class MetadataNode extends Node {
  constructor(readonly key: string) {
    super();
  }
  get annotation(): string {
    return "metadata field " + this.key;
  }
  exec(ctx: Ctx): Value {
    const v = msgAt(ctx).metaRaw(this.key);
    return v === undefined ? null : v;
  }
}

/** `tracing_span()`: the message's text map as an object, or null without a trace context. */
function traceSpan(carrier: TraceCarrier | undefined): Value {
  if (carrier === undefined) return null;
  const out: Record<string, Value> = Object.create(null);
  for (const k in carrier) out[k] = carrier[k] as string;
  return out;
}

const W3C_TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/;

const B3_TRACE_ID = /^([0-9a-f]{32}|[0-9a-f]{16})(?:-|$)/;

const ZERO_ID = /^0+$/;

/**
 * `tracing_id()`: the trace id (lower-case hex) from a W3C `traceparent` or a B3 header, or ""
 * without one — as the reference returns "" for a message without a span.
 */
function traceId(carrier: TraceCarrier | undefined): string {
  if (carrier === undefined) return "";
  const get = (name: string) => {
    for (const k in carrier) if (k.toLowerCase() === name) return carrier[k]?.trim().toLowerCase();
    return undefined;
  };
  const id =
    W3C_TRACEPARENT.exec(get("traceparent") ?? "")?.[1] ??
    B3_TRACE_ID.exec(get("b3") ?? "")?.[1] ??
    B3_TRACE_ID.exec(get("x-b3-traceid") ?? "")?.[1];
  return id === undefined || ZERO_ID.test(id) ? "" : id;
}

function errorOf(ctx: Ctx) {
  return msgAt(ctx).error;
}

/** Functions reading the message: body, metadata, batch position, error, trace context. */
export function messageInfoFunctions(): FunctionImpl[] {
  return functionsIn("Message Info", [
    simpleFunction("batch_index", (ctx) => BigInt(ctx.index)),
    simpleFunction("batch_size", (ctx) => BigInt(batchSize(ctx))),
    { name: "content", params: { params: [] }, ctor: () => new ContentNode() },
    {
      name: "json",
      params: { params: [{ name: "path", type: "string", default: "" }] },
      ctor: (args) => {
        const p = args.str("path");
        return new JsonNode(p === "" ? [] : dotPathToSlice(p));
      },
    },
    {
      name: "metadata",
      params: KEY_PARAM,
      ctor: (args) => {
        const key = args.str("key");
        if (key !== "") return new MetadataNode(key);
        return new Closure("metadata object", (ctx) => metaObject(msgAt(ctx), false));
      },
    },
    simpleFunction("error", (ctx) => errorOf(ctx)?.message ?? null),
    simpleFunction("errored", (ctx) => errorOf(ctx) !== undefined),
    simpleFunction("error_source_name", (ctx) => {
      const e = errorOf(ctx);
      return e?.source ? (e.source.name ?? "") : null;
    }),
    simpleFunction("error_source_label", (ctx) => {
      const e = errorOf(ctx);
      return e?.source ? (e.source.label ?? "") : null;
    }),
    simpleFunction("error_source_path", (ctx) => {
      const e = errorOf(ctx);
      return e?.source ? sliceToDotPath(e.source.path ?? []) : null;
    }),
    simpleFunction("tracing_id", (ctx) => traceId(msgAt(ctx).tracing), true),
    simpleFunction("tracing_span", (ctx) => traceSpan(msgAt(ctx).tracing), true),
  ]);
}
