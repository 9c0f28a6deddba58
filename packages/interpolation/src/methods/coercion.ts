import { Closure, type Node } from "../node.js";
import { errFrom, QueryError, toQueryError, typeError } from "../query-error.js";
import { inCategory, type MethodImpl, NO_PARAMS, p, simpleMethod } from "../registry.js";
import { getTimestamp } from "../timestamps.js";
import {
  GoFloat,
  getBool,
  isObject,
  type Timestamp,
  toBytes,
  toText,
  typeOf,
  utf8Decode,
  type Value,
} from "../value.js";
import { toNumberValue } from "./numbers.js";

function toBoolValue(v: Value): boolean {
  const b = getBool(v);
  if (b !== undefined) return b;
  const s = typeof v === "string" ? v : v instanceof Uint8Array ? utf8Decode(v) : undefined;
  if (s !== undefined) {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  }
  throw typeError(v, "bool");
}

/**
 * `.number()`, `.bool()`, `.timestamp()`: convert the target; with a `default`, a failing target
 * or a failed conversion gives the default instead of an error.
 */
function coerceWithDefault(
  name: string,
  target: Node,
  def: Value | undefined,
  convert: (v: Value) => Value,
): Node {
  return new Closure(`method ${name}`, (ctx) => {
    let v: Value;
    try {
      v = target.exec(ctx);
    } catch (e) {
      if (def !== undefined && e instanceof QueryError) return def;
      throw e;
    }
    try {
      return convert(v);
    } catch (e) {
      if (def !== undefined) return def;
      throw errFrom(toQueryError(e), target.annotation);
    }
  });
}

/** Type coercion: `string`, `number`, `bool`, `timestamp`, `type`, `not_null`, …. */
export function coercionMethods(): MethodImpl[] {
  return inCategory("Type Coercion", [
    simpleMethod("string", NO_PARAMS, () => (v) => toText(v)),
    simpleMethod("bytes", NO_PARAMS, () => (v) => toBytes(v)),
    simpleMethod("array", NO_PARAMS, () => (v) => (Array.isArray(v) ? v : [v])),
    {
      name: "number",
      params: p([{ name: "default", type: "float", optional: true }]),
      ctor: (target, args) => {
        const def = args.optNum("default");
        return coerceWithDefault(
          "number",
          target,
          def === undefined ? undefined : new GoFloat(def),
          (v) => new GoFloat(toNumberValue(v)),
        );
      },
    },
    {
      name: "bool",
      params: p([{ name: "default", type: "bool", optional: true }]),
      ctor: (target, args) => coerceWithDefault("bool", target, args.optBool("default"), toBoolValue),
    },
    {
      name: "timestamp",
      params: p([{ name: "default", type: "timestamp", optional: true }]),
      ctor: (target, args) =>
        coerceWithDefault("timestamp", target, args.get("default") as Timestamp | undefined, getTimestamp),
    },
    simpleMethod("type", NO_PARAMS, () => (v) => typeOf(v)),
    simpleMethod("not_null", NO_PARAMS, () => (v) => {
      if (v === null) throw new QueryError("NULL_VALUE", "value is null");
      return v;
    }),
    simpleMethod("not_empty", NO_PARAMS, () => (v) => {
      if (typeof v === "string") {
        if (v === "") throw new QueryError("EMPTY_VALUE", "string value is empty");
      } else if (v instanceof Uint8Array) {
        if (v.length === 0) throw new QueryError("EMPTY_VALUE", "bytes value is empty");
      } else if (Array.isArray(v)) {
        if (v.length === 0) throw new QueryError("EMPTY_VALUE", "array value is empty");
      } else if (isObject(v)) {
        if (Object.keys(v).length === 0) throw new QueryError("EMPTY_VALUE", "object value is empty");
      } else throw typeError(v, "string", "bytes", "array", "object");
      return v;
    }),
  ]);
}
