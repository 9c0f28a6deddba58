import { ksuid, nanoid, SeededRandom, SnowflakeNode, ulid, uuidV4, uuidV7 } from "../ids.js";
import { Closure, type Ctx, Literal, type Node } from "../node.js";
import { QueryError, toQueryError } from "../query-error.js";
import { type FunctionImpl, functionsIn, simpleFunction } from "../registry.js";
import { DELETE, GoFloat, getInt, INT64_MAX, NOTHING, type Timestamp, type Value } from "../value.js";

function goNanoidError(e: unknown): QueryError {
  return toQueryError(e);
}

/** General functions: literals, ranges, counters, ids, random numbers, errors. */
export function generalFunctions(): FunctionImpl[] {
  return functionsIn("General", [
    { name: "deleted", params: { params: [] }, ctor: () => new Literal(DELETE, "delete") },
    { name: "nothing", params: { params: [] }, ctor: () => new Literal(NOTHING, "nothing") },
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
    simpleFunction("uuid_v4", () => uuidV4(), true),
    simpleFunction("pi", () => new GoFloat(Math.PI)),
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
      name: "ulid",
      params: {
        params: [
          { name: "encoding", type: "string", default: "crockford" },
          { name: "random_source", type: "string", default: "secure_random" },
        ],
      },
      impure: true,
      ctor: (args) => {
        const encoding = args.str("encoding");
        if (encoding !== "crockford" && encoding !== "hex")
          throw new QueryError("INVALID_ARGUMENT", `invalid ulid encoding: ${encoding}`);
        const source = args.str("random_source");
        if (source !== "secure_random" && source !== "fast_random")
          throw new QueryError("INVALID_ARGUMENT", `invalid randomness source: ${source}`);
        return new Closure("function ulid", () => ulid(encoding));
      },
    },
    {
      name: "snowflake_id",
      params: { params: [{ name: "node_id", type: "int", default: 1n }] },
      impure: true,
      ctor: (args) => {
        const id = args.int("node_id");
        if (id < 0n || id > 1023n)
          throw new QueryError("INVALID_ARGUMENT", "Node number must be between 0 and 1023");
        const node = new SnowflakeNode(Number(id));
        return new Closure("function snowflake_id", () => node.generate());
      },
    },
  ]);
}
