import { createRequire } from "./node-builtins.js";
import { QueryError } from "./query-error.js";
import {
  GoFloat,
  getString,
  isObject,
  JsonNumber,
  newObject,
  Timestamp,
  timestampToString,
  type Value,
} from "./value.js";

type YAML = typeof import("yaml");
let lib: YAML | undefined;

/** The `yaml` package is loaded on first use (synchronously), as only YAML methods need it. */
function yaml(): YAML {
  lib ??= createRequire(import.meta.url)("yaml") as YAML;
  return lib;
}

/** `yaml.v3` `Unmarshal` into `any`: integers are int64, other numbers float64. */
export function parseYAML(text: string): Value {
  let doc: unknown;
  try {
    // logLevel "error": the library would otherwise print its warnings (an unknown `%` directive,
    // an unresolved tag), each quoting the text, to the process's stderr: message content in logs.
    doc = yaml().parse(text, { intAsBigInt: true, uniqueKeys: true, version: "1.2", logLevel: "error" });
  } catch (e) {
    const msg = ((e as Error).message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new QueryError("FAILED", `yaml: ${msg}`);
  }
  return fromYAML(doc ?? null);
}

function fromYAML(v: unknown): Value {
  if (typeof v === "bigint") return BigInt.asIntN(64, v) === v ? v : new GoFloat(Number(v));
  if (typeof v === "number") return new GoFloat(v);
  if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(fromYAML);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) {
    const out = newObject();
    for (const [k, x] of v) out[String(k)] = fromYAML(x);
    return out;
  }
  if (typeof v === "object") {
    const out = newObject();
    for (const [k, x] of Object.entries(v as object)) out[k] = fromYAML(x);
    return out;
  }
  return String(v);
}

function toYAML(v: Value): unknown {
  if (v instanceof GoFloat) return v.f;
  if (v instanceof JsonNumber) return /^-?\d+$/.test(v.text) ? BigInt(v.text) : Number(v.text);
  if (v instanceof Timestamp) return timestampToString(v);
  if (v instanceof Uint8Array) return getString(v);
  if (Array.isArray(v)) return v.map(toYAML);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = toYAML(v[k] as Value);
    return out;
  }
  return v;
}

/** `yaml.v3` `Marshal`: four-space indentation, map keys sorted. */
export function formatYAML(v: Value): string {
  return yaml().stringify(toYAML(v), { indent: 4, sortMapEntries: true, lineWidth: 0 });
}
