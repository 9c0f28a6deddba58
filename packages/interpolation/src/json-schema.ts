import { parseJSONValue } from "./json.js";
import { QueryError } from "./query-error.js";
import { compileRegexp } from "./regexp.js";
import { getNumber, isObject, JsonNumber, type Value, type ValueObject, valuesEqual } from "./value.js";

/**
 * A JSON Schema (draft 4 to 7) validator giving gojsonschema's error texts, as the reference's
 * `json_schema` method prints them: `<field> <description>` per error, one a line. Covers the
 * validation keywords; `format` is not checked and `$ref` resolves within the document only.
 */
export type SchemaCheck = (v: Value) => string[];

export function compileJSONSchema(text: string): SchemaCheck {
  const r = parseJSONValue(text);
  if (!r.ok) throw new QueryError("INVALID_ARGUMENT", `failed to parse json schema definition: ${r.error}`);
  const root = r.value;
  return (v) => {
    const errors: string[] = [];
    validate(root, root, v, "(root)", errors);
    return errors;
  };
}

const num = (v: Value | undefined): number | undefined => (v === undefined ? undefined : getNumber(v));

function jsonType(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  if (isObject(v)) return "object";
  const n = getNumber(v);
  if (n !== undefined) {
    if (typeof v === "bigint" || (v instanceof JsonNumber && /^-?\d+$/.test(v.text))) return "integer";
    return Number.isInteger(n) ? "integer" : "number";
  }
  return "string";
}

function typeMatches(t: string, actual: string): boolean {
  return t === actual || (t === "number" && actual === "integer");
}

function goNum(v: Value | undefined): string {
  if (v === undefined) return "";
  if (v instanceof JsonNumber) return v.text;
  return String(getNumber(v));
}

function resolveRef(root: Value, ref: string): Value | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: Value | undefined = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

function child(field: string, key: string | number): string {
  return field === "(root)" ? String(key) : `${field}.${key}`;
}

function validate(root: Value, schema: Value, v: Value, field: string, errors: string[]): void {
  if (schema === true || schema === undefined) return;
  if (schema === false) {
    errors.push(`${field} false schema does not allow ${JSON.stringify(v)}`);
    return;
  }
  if (!isObject(schema)) return;
  const s = schema as ValueObject;
  const err = (description: string) => errors.push(`${field} ${description}`);
  if (typeof s.$ref === "string") {
    const target = resolveRef(root, s.$ref);
    if (target === undefined) throw new QueryError("FAILED", `invalid JSON pointer: ${s.$ref}`);
    validate(root, target, v, field, errors);
    return;
  }
  const actual = jsonType(v);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(t, actual))) {
      err(`invalid type. expected: ${types.join(", ")}, given: ${actual}`);
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => valuesEqual(e, v)))
    err(`${field} must be one of the following: ${s.enum.map((e) => JSON.stringify(plain(e))).join(", ")}`);
  if (s.const !== undefined && !valuesEqual(s.const, v))
    err(`${field} does not match: ${JSON.stringify(plain(s.const))}`);
  for (const [kw, check, message] of [
    ["allOf", (n: number, len: number) => n === len, "must validate all the schemas (allof)"],
    ["anyOf", (n: number) => n >= 1, "must validate at least one schema (anyof)"],
    ["oneOf", (n: number) => n === 1, "must validate one and only one schema (oneof)"],
  ] as const) {
    const list = s[kw];
    if (!Array.isArray(list)) continue;
    const passing = list.filter((sub) => {
      const e: string[] = [];
      validate(root, sub, v, field, e);
      return e.length === 0;
    }).length;
    if (!check(passing, list.length)) {
      if (kw === "allOf") for (const sub of list) validate(root, sub, v, field, errors);
      err(message);
    }
  }
  if (s.not !== undefined) {
    const e: string[] = [];
    validate(root, s.not, v, field, e);
    if (e.length === 0) err("must not validate the schema (not)");
  }
  if (typeof s.if !== "undefined" && isObject(s.if)) {
    const e: string[] = [];
    validate(root, s.if, v, field, e);
    if (e.length === 0 && s.then !== undefined) validate(root, s.then, v, field, errors);
    if (e.length > 0 && s.else !== undefined) validate(root, s.else, v, field, errors);
  }
  if (actual === "string") {
    const str = v as string;
    const len = [...str].length;
    const min = num(s.minLength);
    const max = num(s.maxLength);
    if (min !== undefined && len < min) err(`string length must be greater than or equal to ${min}`);
    if (max !== undefined && len > max) err(`string length must be less than or equal to ${max}`);
    if (typeof s.pattern === "string" && !compileRegexp(s.pattern).matchString(str))
      err(`does not match pattern '${s.pattern}'`);
  }
  if (actual === "integer" || actual === "number") {
    const n = getNumber(v) as number;
    const exMin = s.exclusiveMinimum;
    const exMax = s.exclusiveMaximum;
    const min = num(s.minimum);
    const max = num(s.maximum);
    if (min !== undefined) {
      if (exMin === true ? n <= min : n < min)
        err(
          exMin === true
            ? `must be greater than ${goNum(s.minimum)}`
            : `must be greater than or equal to ${goNum(s.minimum)}`,
        );
    }
    if (max !== undefined) {
      if (exMax === true ? n >= max : n > max)
        err(
          exMax === true
            ? `must be less than ${goNum(s.maximum)}`
            : `must be less than or equal to ${goNum(s.maximum)}`,
        );
    }
    const exMinN = typeof exMin === "boolean" ? undefined : num(exMin);
    const exMaxN = typeof exMax === "boolean" ? undefined : num(exMax);
    if (exMinN !== undefined && n <= exMinN) err(`must be greater than ${goNum(exMin)}`);
    if (exMaxN !== undefined && n >= exMaxN) err(`must be less than ${goNum(exMax)}`);
    const mult = num(s.multipleOf);
    if (mult !== undefined && !Number.isInteger(n / mult))
      err(`must be a multiple of ${goNum(s.multipleOf)}`);
  }
  if (actual === "array") {
    const arr = v as Value[];
    const min = num(s.minItems);
    const max = num(s.maxItems);
    if (min !== undefined && arr.length < min) err(`array must have at least ${min} items`);
    if (max !== undefined && arr.length > max) err(`array must have at most ${max} items`);
    if (s.uniqueItems === true) {
      outer: for (let i = 0; i < arr.length; i++)
        for (let j = i + 1; j < arr.length; j++)
          if (valuesEqual(arr[i] as Value, arr[j] as Value)) {
            err(`array items[${i},${j}] must be unique`);
            break outer;
          }
    }
    if (Array.isArray(s.items)) {
      arr.forEach((e, i) => {
        const items = s.items as Value[];
        if (i < items.length) validate(root, items[i] as Value, e, child(field, i), errors);
        else if (s.additionalItems === false) err(`array must have at most ${items.length} items`);
        else if (s.additionalItems !== undefined)
          validate(root, s.additionalItems, e, child(field, i), errors);
      });
    } else if (s.items !== undefined) {
      for (const [i, e] of arr.entries()) validate(root, s.items as Value, e, child(field, i), errors);
    }
    if (s.contains !== undefined) {
      const ok = arr.some((e) => {
        const x: string[] = [];
        validate(root, s.contains as Value, e, field, x);
        return x.length === 0;
      });
      if (!ok) err("at least one of the items must match");
    }
  }
  if (actual === "object") {
    const obj = v as ValueObject;
    const keys = Object.keys(obj);
    const min = num(s.minProperties);
    const max = num(s.maxProperties);
    if (min !== undefined && keys.length < min) err(`must have at least ${min} properties`);
    if (max !== undefined && keys.length > max) err(`must have at most ${max} properties`);
    if (Array.isArray(s.required))
      for (const r of s.required)
        if (typeof r === "string" && !Object.hasOwn(obj, r)) err(`${r} is required`);
    const props = isObject(s.properties) ? (s.properties as ValueObject) : undefined;
    const patterns = isObject(s.patternProperties) ? Object.entries(s.patternProperties as ValueObject) : [];
    // gojsonschema checks the schema's properties in schema order, then the others.
    if (props) {
      for (const k of Object.keys(props))
        if (Object.hasOwn(obj, k))
          validate(root, props[k] as Value, obj[k] as Value, child(field, k), errors);
    }
    for (const k of keys) {
      let matched = false;
      if (props && Object.hasOwn(props, k)) matched = true;
      for (const [pattern, sub] of patterns) {
        if (compileRegexp(pattern).matchString(k)) {
          matched = true;
          validate(root, sub, obj[k] as Value, child(field, k), errors);
        }
      }
      if (!matched && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) err(`additional property ${k} is not allowed`);
        else validate(root, s.additionalProperties, obj[k] as Value, child(field, k), errors);
      }
    }
    if (isObject(s.dependencies)) {
      for (const [k, dep] of Object.entries(s.dependencies as ValueObject)) {
        if (!Object.hasOwn(obj, k)) continue;
        if (Array.isArray(dep)) {
          for (const d of dep)
            if (typeof d === "string" && !Object.hasOwn(obj, d)) err(`has a dependency on ${d}`);
        } else validate(root, dep, v, field, errors);
      }
    }
    if (s.propertyNames !== undefined)
      for (const k of keys) validate(root, s.propertyNames, k, field, errors);
  }
}

function plain(v: Value): unknown {
  if (typeof v === "bigint") return Number(v);
  const n = getNumber(v);
  if (n !== undefined && typeof v !== "number") return n;
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x as Value)]));
  return v;
}
