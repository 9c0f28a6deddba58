import type { Path, RawIssue } from "./paths.js";

// The config schemas need only a few shapes; describing them as data (rather than pulling in a
// schema library) keeps the import cheap, and the same description yields the JSON Schema.

const MAX_INT = Number.MAX_SAFE_INTEGER;

/** What a schema accepts; `optional` also accepts `undefined` (a missing field). */
export type SchemaDef =
  | { readonly kind: "string" | "boolean" | "int" | "unknown" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "array"; readonly items: Schema }
  | { readonly kind: "record"; readonly values: Schema }
  | { readonly kind: "object"; readonly shape: Shape }
  | { readonly kind: "union"; readonly options: readonly Schema[] };

export interface Schema<T = unknown> {
  readonly def: SchemaDef;
  readonly optional: boolean;
  /** Type only: the value a successful validation returns. */
  readonly "~output"?: T;
}

export type Shape = Readonly<Record<string, Schema>>;
export type Infer<S> = S extends Schema<infer T> ? T : never;

type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type ShapeOutput<S extends Shape> = {
  -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]>;
} & { -readonly [K in OptionalKeys<S>]?: Infer<S[K]> };
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export interface ObjectSchema<S extends Shape> extends Schema<Simplify<ShapeOutput<S>>> {
  readonly def: { readonly kind: "object"; readonly shape: S };
}

const schema = <T>(def: SchemaDef): Schema<T> & { optional: false } => ({ def, optional: false });

export const v = {
  string: () => schema<string>({ kind: "string" }),
  boolean: () => schema<boolean>({ kind: "boolean" }),
  /** A safe integer. */
  int: () => schema<number>({ kind: "int" }),
  /** Anything; checked by the caller (durations, so their messages say "duration"). */
  unknown: () => schema<unknown>({ kind: "unknown" }),
  enum: <const V extends readonly string[]>(values: V) => schema<V[number]>({ kind: "enum", values }),
  array: <T>(items: Schema<T>) => schema<T[]>({ kind: "array", items }),
  /** An object of string keys to `values`. */
  record: <T>(values: Schema<T>) => schema<Record<string, T>>({ kind: "record", values }),
  /** An object with exactly these fields: any other key is an unknown field. */
  object: <S extends Shape>(shape: S): ObjectSchema<S> & { optional: false } => ({
    def: { kind: "object", shape },
    optional: false,
  }),
  union: <O extends readonly Schema[]>(...options: O) => schema<Infer<O[number]>>({ kind: "union", options }),
  optional: <T>(s: Schema<T>): Schema<T | undefined> & { optional: true } => ({ def: s.def, optional: true }),
};

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: RawIssue[] };

/**
 * Checks `value` against `s` and returns a copy holding only the schema's fields, or every issue
 * (paths relative to `value`): `unknown field`, `required`, `expected string, got null`, …
 */
export function validate<T>(s: Schema<T>, value: unknown): Validated<T> {
  const issues: RawIssue[] = [];
  const out = check(s, value, [], issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out as T };
}

function check(s: Schema, value: unknown, path: Path, issues: RawIssue[]): unknown {
  if (value === undefined && s.optional) return undefined;
  const d = s.def;
  const push = (message: string, at: Path = path) => issues.push({ path: at, message });
  const expected = (what: string) =>
    push(value === undefined ? "required" : `expected ${what}, got ${typeOf(value)}`);
  switch (d.kind) {
    case "unknown":
      return value;
    case "string":
    case "boolean":
      if (typeof value !== d.kind) expected(d.kind);
      return value;
    case "int":
      if (typeof value !== "number" || !Number.isFinite(value)) expected("number");
      else if (!Number.isInteger(value)) expected("int");
      else if (value > MAX_INT) push(`too big: expected int to be <=${MAX_INT}`);
      else if (value < -MAX_INT) push(`too small: expected int to be >=${-MAX_INT}`);
      return value;
    case "enum":
      if (typeof value !== "string" || !d.values.includes(value)) {
        push(`invalid option: expected one of ${d.values.map((x) => JSON.stringify(x)).join("|")}`);
      }
      return value;
    case "array": {
      if (!Array.isArray(value)) return expected("array");
      const items: unknown[] = [];
      for (let i = 0; i < value.length; i++) items.push(check(d.items, value[i], [...path, i], issues));
      return items;
    }
    case "record": {
      if (!isRecord(value)) return expected("record");
      const out: Record<string, unknown> = {};
      for (const key of Reflect.ownKeys(value)) {
        if (key === "__proto__" || !Object.prototype.propertyIsEnumerable.call(value, key)) continue;
        if (typeof key === "symbol") push("invalid key in record");
        else out[key] = check(d.values, value[key], [...path, key], issues);
      }
      return out;
    }
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return expected("object");
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(d.shape)) {
        const present = key in input;
        const r = check(field, input[key], [...path, key], issues);
        if (present || r !== undefined) out[key] = r;
      }
      // Inherited keys too: a field must be one of the schema's, wherever it comes from.
      for (const key in input) if (!Object.hasOwn(d.shape, key)) push("unknown field", [...path, key]);
      return out;
    }
    case "union": {
      const tried: RawIssue[][] = [];
      for (const option of d.options) {
        const r: RawIssue[] = [];
        const out = check(option, value, path, r);
        if (r.length === 0) return out;
        tried.push(r);
      }
      // A list with a bad item: name the item, as a list is clearly what was meant.
      if (Array.isArray(value)) {
        const item = d.options.find((o) => o.def.kind === "array")?.def;
        const bad = item?.kind === "array" ? value.findIndex((x) => !accepts(item.items, x)) : -1;
        if (item?.kind === "array" && bad !== -1) {
          return push(`expected ${describe(item.items)}, got ${typeOf(value[bad])}`, [...path, bad]);
        }
      }
      return expected(d.options.map(describe).join(" or "));
    }
  }
}

function accepts(s: Schema, value: unknown): boolean {
  const issues: RawIssue[] = [];
  check(s, value, [], issues);
  return issues.length === 0;
}

/** The schema in words, for the message of a union: `a list of strings or a string`. */
function describe(s: Schema): string {
  const d = s.def;
  if (d.kind === "array") return `a list of ${describe(d.items).replace(/^an? /, "")}s`;
  return `${/^[aeiou]/.test(d.kind) ? "an" : "a"} ${d.kind}`;
}

// As plain as a parsed YAML or JSON object: a class instance (a Date, a Map) is not a record.
function isRecord(o: unknown): o is Record<string | symbol, unknown> {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return false;
  const ctor: unknown = (o as { constructor?: unknown }).constructor;
  if (typeof ctor !== "function") return true;
  const proto: unknown = ctor.prototype;
  if (proto === null || typeof proto !== "object" || Array.isArray(proto)) return false;
  return Object.hasOwn(proto, "isPrototypeOf");
}

/** The kind of a value as messages name it: `null`, `list`, `non-integer number`, `string`, … */
export function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "number" && !Number.isInteger(v)) return "non-integer number";
  return typeof v;
}

/**
 * The JSON Schema (draft 2020-12) of what `s` accepts, for editor completion. Describes types
 * and fields only: the cross-field rules and value ranges stay with the parse functions.
 */
export function toJsonSchema(s: Schema): Record<string, unknown> {
  const d = s.def;
  switch (d.kind) {
    case "unknown":
      return {};
    case "string":
    case "boolean":
      return { type: d.kind };
    case "int":
      return { type: "integer", minimum: -MAX_INT, maximum: MAX_INT };
    case "enum":
      return { type: "string", enum: [...d.values] };
    case "array":
      return { type: "array", items: toJsonSchema(d.items) };
    case "record":
      return {
        type: "object",
        propertyNames: { type: "string" },
        additionalProperties: toJsonSchema(d.values),
      };
    case "object": {
      const entries = Object.entries(d.shape);
      const required = entries.filter(([, f]) => !f.optional).map(([k]) => k);
      return {
        type: "object",
        properties: Object.fromEntries(entries.map(([k, f]) => [k, toJsonSchema(f)])),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      };
    }
    case "union":
      return { anyOf: d.options.map(toJsonSchema) };
  }
}
