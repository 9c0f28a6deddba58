import { ksuid, nanoid, SeededRandom, uuidV4, uuidV7 } from "./ids.js";
import { BodyError, type Message, type TraceCarrier } from "./message.js";
import {
  batchSize,
  Closure,
  type Ctx,
  dotPathToSlice,
  Literal,
  metaObject,
  msgAt,
  Node,
  searchPath,
  sliceToDotPath,
} from "./node.js";
import { hostname } from "./node-builtins.js";
import type { ParamsSpec } from "./params.js";
import { QueryError, toQueryError } from "./query-error.js";
import { type FunctionImpl, simpleFunction } from "./registry.js";
import {
  DELETE,
  getInt,
  INT64_MAX,
  LOCAL,
  NOTHING,
  sanitizeTop,
  Timestamp,
  timestampToString,
  toText,
  type Value,
} from "./value.js";

/** Nanoseconds since the epoch, as precise as the clock allows. */
export function nowNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(ms)) * 1000000n + BigInt(Math.floor((ms % 1) * 1e6));
}

const KEY_PARAM: ParamsSpec = { params: [{ name: "key", type: "string", default: "" }] };

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

function goNanoidError(e: unknown): QueryError {
  return toQueryError(e);
}

/** The built-in functions (a fresh list per environment). */
export function builtinFunctions(): FunctionImpl[] {
  const fns: FunctionImpl[] = [
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
      name: "meta",
      params: KEY_PARAM,
      ctor: (args) => {
        const key = args.str("key");
        if (key !== "") return new MetaStrNode(key);
        return new Closure("meta object", (ctx) => metaObject(msgAt(ctx), true));
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
    {
      name: "root_meta",
      params: KEY_PARAM,
      ctor: (args) => {
        const key = args.str("key");
        if (key !== "") return new Closure(`root_meta field ${key}`, (ctx) => metaStr(ctx.msg, key));
        return new Closure("root_meta object", (ctx) => metaObject(ctx.msg, true));
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
    { name: "deleted", params: { params: [] }, ctor: () => new Literal(DELETE, "delete") },
    { name: "nothing", params: { params: [] }, ctor: () => new Literal(NOTHING, "nothing") },
    {
      name: "count",
      params: { params: [{ name: "name", type: "string" }] },
      impure: true,
      ctor: (args, cctx) => {
        const name = args.str("name");
        return new Closure("function count", () => {
          const next = (cctx.counters.get(name) ?? 0n) + 1n;
          cctx.counters.set(name, next);
          return next;
        });
      },
    },
    {
      name: "counter",
      params: {
        params: [
          { name: "min", type: "query", scalarsToLiteral: true, default: 1n },
          { name: "max", type: "query", scalarsToLiteral: true, default: INT64_MAX },
          { name: "set", type: "query", optional: true },
        ],
      },
      impure: true,
      ctor: (args) => {
        const minFn = args.query("min");
        const maxFn = args.query("max");
        const setFn = args.get("set") as Node | undefined;
        let state: { i: bigint; min: bigint; max: bigint } | undefined;
        const execInt = (fn: Node, ctx: Ctx, what: string): bigint => {
          let v: Value;
          try {
            v = fn.exec(ctx);
          } catch (e) {
            throw new QueryError(
              "INVALID_ARGUMENT",
              `failed to resolve ${what} argument: ${toQueryError(e).message}`,
            );
          }
          const i = getInt(v);
          if (i === undefined) {
            throw new QueryError(
              "INVALID_ARGUMENT",
              `failed to resolve ${what} argument: expected number value`,
            );
          }
          return i;
        };
        return new Closure("function counter", (ctx) => {
          if (state === undefined) {
            const min = execInt(minFn, ctx, "min");
            if (min < 0n) throw new QueryError("INVALID_ARGUMENT", `min argument must be >0, got ${min}`);
            const max = execInt(maxFn, ctx, "max");
            if (max < 0n || max <= min) {
              throw new QueryError("INVALID_ARGUMENT", `max argument must be >0 and >min, got ${max}`);
            }
            state = { i: min - 1n, min, max };
          }
          if (setFn !== undefined) {
            let sv: Value;
            try {
              sv = setFn.exec(ctx);
            } catch (e) {
              throw new QueryError(
                "INVALID_ARGUMENT",
                `failed to resolve set argument: ${toQueryError(e).message}`,
              );
            }
            if (sv === null) return state.i;
            if (sv === DELETE) state.i = state.min - 1n;
            else if (sv !== NOTHING) {
              const iv = getInt(sv);
              if (iv === undefined) {
                throw new QueryError(
                  "INVALID_ARGUMENT",
                  "failed to resolve set argument: expected number value",
                );
              }
              state.i = iv;
              return iv;
            }
          }
          state.i += 1n;
          const v = state.i;
          if (v >= state.max) state.i = state.min - 1n;
          return v;
        });
      },
    },
    simpleFunction("hostname", () => hostname(), true),
    {
      name: "env",
      params: {
        params: [
          { name: "name", type: "string" },
          { name: "no_cache", type: "bool", default: false },
        ],
      },
      impure: true,
      ctor: (args, cctx) => {
        const name = args.str("name");
        if (args.bool("no_cache")) return new Closure("function env", () => cctx.getEnv(name) ?? null);
        const v = cctx.getEnv(name);
        return new Closure("function env", () => v ?? null);
      },
    },
    fileFunction("file"),
    fileFunction("file_rel"),
    simpleFunction("now", () => timestampToString(new Timestamp(nowNs(), LOCAL)), true),
    simpleFunction("timestamp_unix", () => BigInt(Math.floor(Date.now() / 1000)), true),
    simpleFunction("timestamp_unix_milli", () => BigInt(Date.now()), true),
    simpleFunction("timestamp_unix_micro", () => nowNs() / 1000n, true),
    simpleFunction("timestamp_unix_nano", () => nowNs(), true),
    simpleFunction("uuid_v4", () => uuidV4(), true),
    {
      name: "uuid_v7",
      params: { params: [{ name: "time", type: "timestamp", optional: true }] },
      impure: true,
      ctor: (args) => {
        const t = args.get("time") as Timestamp | undefined;
        return new Closure("function uuid_v7", () =>
          uuidV7(t === undefined ? BigInt(Date.now()) : t.ns / 1000000n),
        );
      },
    },
    {
      name: "nanoid",
      params: {
        params: [
          { name: "length", type: "int", optional: true },
          { name: "alphabet", type: "string", optional: true },
        ],
      },
      impure: true,
      ctor: (args) => {
        const len = args.optInt("length");
        const alphabet = args.optStr("alphabet");
        if (alphabet !== undefined && len === undefined) {
          throw new QueryError(
            "INVALID_ARGUMENT",
            "field length must be specified when an alphabet is specified",
          );
        }
        return new Closure("function nanoid", () => {
          try {
            return nanoid(len === undefined ? 21 : Number(len), alphabet);
          } catch (e) {
            throw goNanoidError(e);
          }
        });
      },
    },
    simpleFunction("ksuid", () => ksuid(), true),
    {
      name: "random_int",
      params: {
        params: [
          { name: "seed", type: "query", scalarsToLiteral: true, default: 0n },
          { name: "min", type: "int", default: 0n, noDynamic: true },
          { name: "max", type: "int", default: INT64_MAX - 1n, noDynamic: true },
        ],
      },
      impure: true,
      ctor: (args) => {
        const seedFn = args.query("seed");
        const min = args.int("min");
        const max = args.int("max");
        if (min < 0n) throw new QueryError("INVALID_ARGUMENT", `min (${min}) must be a positive number`);
        if (max < min)
          throw new QueryError("INVALID_ARGUMENT", `min (${min}) must be smaller or equal than max (${max})`);
        if (max === INT64_MAX) {
          throw new QueryError(
            "INVALID_ARGUMENT",
            `max must be smaller than the max allowed for an int64 (${INT64_MAX})`,
          );
        }
        let rng: SeededRandom | undefined;
        return new Closure("function random_int", (ctx) => {
          if (rng === undefined) {
            let seed: bigint | undefined;
            try {
              seed = getInt(seedFn.exec(ctx));
            } catch (e) {
              throw new QueryError(
                "FAILED",
                `failed to seed random number generator: ${toQueryError(e).message}`,
              );
            }
            if (seed === undefined)
              throw new QueryError("FAILED", "failed to seed random number generator: expected number value");
            rng = new SeededRandom(seed);
          }
          return rng.int63n(max - min + 1n) + min;
        });
      },
    },
    {
      name: "range",
      params: {
        params: [
          { name: "start", type: "int" },
          { name: "stop", type: "int" },
          { name: "step", type: "int", default: 1n },
        ],
      },
      ctor: (args) => {
        const start = args.int("start");
        const stop = args.int("stop");
        const step = args.int("step");
        if (step === 0n) throw new QueryError("INVALID_ARGUMENT", "step must be greater than or less than 0");
        if (step < 0n) {
          if (stop > start) {
            throw new QueryError(
              "INVALID_ARGUMENT",
              `with negative step arg stop (${stop}) must be <= start (${start})`,
            );
          }
        } else if (start >= stop) {
          throw new QueryError(
            "INVALID_ARGUMENT",
            `with positive step arg start (${start}) must be < stop (${stop})`,
          );
        }
        const n = (stop - start) / step;
        if (n > 1000000n) throw new QueryError("INVALID_ARGUMENT", `range of ${n} elements is too large`);
        const r: Value[] = [];
        for (let i = 0n; i < n; i++) r.push(start + step * i);
        return new Closure("function range", () => r);
      },
    },
    {
      name: "bytes",
      params: { params: [{ name: "length", type: "int" }] },
      ctor: (args) => {
        const n = args.int("length");
        if (n < 0n || n > 100000000n) throw new QueryError("INVALID_ARGUMENT", `invalid length ${n}`);
        return new Closure("function bytes", () => new Uint8Array(Number(n)));
      },
    },
    {
      name: "throw",
      params: { params: [{ name: "why", type: "string" }] },
      ctor: (args) => {
        const why = args.str("why");
        return new Closure("function throw", () => {
          throw new QueryError("THROWN", why);
        });
      },
    },
    simpleFunction("tracing_id", (ctx) => traceId(msgAt(ctx).tracing), true),
    simpleFunction("tracing_span", (ctx) => traceSpan(msgAt(ctx).tracing), true),
  ];
  return fns;
}

function fileFunction(name: "file" | "file_rel"): FunctionImpl {
  return {
    name,
    params: {
      params: [
        { name: "path", type: "string" },
        { name: "no_cache", type: "bool", default: false },
      ],
    },
    impure: true,
    ctor: (args, cctx) => {
      const path = args.str("path");
      const read = (): Uint8Array => {
        try {
          return cctx.readFile(path);
        } catch (e) {
          const code = (e as { code?: string }).code;
          const reason =
            code === "ENOENT"
              ? "no such file or directory"
              : code === "EACCES"
                ? "permission denied"
                : code === "EISDIR"
                  ? "is a directory"
                  : toQueryError(e).message;
          throw new QueryError("INVALID_ARGUMENT", `open ${path}: ${reason}`, e);
        }
      };
      if (args.bool("no_cache")) return new Closure(`function ${name}`, () => read());
      const content = read();
      return new Closure(`function ${name}`, () => content);
    },
  };
}
