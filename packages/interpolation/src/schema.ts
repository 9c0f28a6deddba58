import { createHash } from "./node-builtins.js";
import { QueryError } from "./query-error.js";
import {
  GoFloat,
  isObject,
  JsonNumber,
  newObject,
  Timestamp,
  type Value,
  type ValueObject,
} from "./value.js";

/** The common schema types of the reference's `public/schema`, with their stable numbers. */
const TYPES = {
  BOOLEAN: 1,
  INT64: 3,
  FLOAT64: 5,
  STRING: 6,
  BYTE_ARRAY: 7,
  OBJECT: 8,
  ARRAY: 10,
  NULL: 11,
  TIMESTAMP: 13,
} as const;
type TypeName = keyof typeof TYPES;

interface Common {
  readonly type: TypeName;
  readonly name: string;
  readonly children: Common[];
}

function infer(name: string, v: Value): Common {
  const c = (type: TypeName, children: Common[] = []): Common => ({ type, name, children });
  if (typeof v === "boolean") return c("BOOLEAN");
  if (typeof v === "bigint") return c("INT64");
  if (typeof v === "number") return c(Number.isInteger(v) ? "INT64" : "FLOAT64");
  if (v instanceof GoFloat) return c("FLOAT64");
  if (v instanceof JsonNumber) {
    if (/^-?\d+$/.test(v.text) && BigInt.asIntN(64, BigInt(v.text)) === BigInt(v.text)) return c("INT64");
    return c("FLOAT64");
  }
  if (v instanceof Uint8Array) return c("BYTE_ARRAY");
  if (typeof v === "string") return c("STRING");
  if (v instanceof Timestamp) return c("TIMESTAMP");
  if (v === null) return c("NULL");
  if (Array.isArray(v)) {
    const children: Common[] = [];
    for (const [i, e] of v.entries()) {
      let ec: Common;
      try {
        ec = infer("", e);
      } catch (err) {
        throw new QueryError("FAILED", `.${i}${(err as Error).message}`);
      }
      if (i === 0) children.push(ec);
      else if (children[0]?.type !== ec.type)
        throw new QueryError(
          "FAILED",
          `.${i} mismatched array types, found ${children[0]?.type} and ${ec.type}`,
        );
    }
    return c("ARRAY", children);
  }
  if (isObject(v)) {
    const children: Common[] = [];
    for (const k of Object.keys(v).sort()) {
      try {
        children.push(infer(k, v[k] as Value));
      } catch (err) {
        throw new QueryError("FAILED", `.${k}${(err as Error).message}`);
      }
    }
    return c("OBJECT", children);
  }
  throw new QueryError("FAILED", " unsupported data type");
}

function fingerprintInto(c: Common, out: string[]): void {
  out.push(`T:${TYPES[c.type]}|N:${c.name}|O:0|C:${c.children.length}|`);
  c.children.forEach((child, i) => {
    out.push(`[${i}:`);
    fingerprintInto(child, out);
    out.push("]");
  });
}

function toAny(c: Common): ValueObject {
  const parts: string[] = [];
  fingerprintInto(c, parts);
  const o = newObject();
  o.type = c.type;
  o.fingerprint = createHash("sha256").update(parts.join("")).digest("hex");
  if (c.name !== "") o.name = c.name;
  if (c.children.length > 0) o.children = c.children.map(toAny);
  return o;
}

/** The reference's `infer_schema`: `schema.InferFromAny(v).ToAny()`. */
export function inferSchema(v: Value): Value {
  return toAny(infer("", v));
}
