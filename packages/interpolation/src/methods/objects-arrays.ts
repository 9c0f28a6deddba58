import { diff, patch } from "../changelog.js";
import { compileJSONSchema } from "../json-schema.js";
import { compileJSONPath } from "../jsonpath.js";
import { type Ctx, dotPathToSlice, type Node, newGet, searchPath, withValue } from "../node.js";
import { errFrom, QueryError, typeError, WrapErr } from "../query-error.js";
import {
  inCategory,
  type MethodImpl,
  NO_PARAMS,
  p,
  simpleMethod,
  VARIADIC,
  withCategories,
} from "../registry.js";
import {
  DELETE,
  GoFloat,
  getKey,
  getNumber,
  getString,
  isObject,
  NOTHING,
  newObject,
  sanitizeNumber,
  sortedKeys,
  toText,
  typeOf,
  utf8Decode,
  type Value,
  type ValueObject,
  valuesEqual,
  wrapInt,
} from "../value.js";

function existsPath(v: Value, path: readonly string[]): boolean {
  return searchPath(v, path) !== undefined;
}

function deletePath(v: Value, path: readonly string[]): Value {
  if (path.length === 0) return v;
  if (!isObject(v)) return v;
  const [head, ...rest] = path as [string, ...string[]];
  const out = newObject();
  for (const k of Object.keys(v)) {
    if (k !== head) out[k] = v[k] as Value;
    else if (rest.length > 0) out[k] = deletePath(v[k] as Value, rest);
  }
  return out;
}

/**
 * `gabs` `MergeFn`: the keys of both objects; where both hold an object they merge recursively,
 * any other clash is resolved by `collide(existing, incoming)`.
 */
function mergeObjects(a: ValueObject, b: ValueObject, collide: (x: Value, y: Value) => Value): ValueObject {
  const out = newObject();
  for (const k of Object.keys(a)) out[k] = a[k] as Value;
  for (const k of Object.keys(b)) {
    const existing = getKey(out, k);
    const incoming = b[k] as Value;
    if (existing === undefined) out[k] = incoming;
    else if (isObject(existing) && isObject(incoming)) out[k] = mergeObjects(existing, incoming, collide);
    else out[k] = collide(existing, incoming);
  }
  return out;
}

/** `gabs` `Merge`'s clash rule: the two values end up in one array. */
function mergeClash(existing: Value, incoming: Value): Value {
  if (Array.isArray(existing))
    return Array.isArray(incoming) ? [...existing, ...incoming] : [...existing, incoming];
  if (Array.isArray(incoming)) return [existing, ...incoming];
  return [existing, incoming];
}

/**
 * The reference's `merge` / `assign`: an array target gets the value appended (an array's
 * elements), an object target takes an object's keys (clashes by `collide`) and ignores anything
 * that is not an object.
 */
function mergeInto(target: Value, incoming: Value, collide: (x: Value, y: Value) => Value): Value {
  if (Array.isArray(target))
    return Array.isArray(incoming) ? [...target, ...incoming] : [...target, incoming];
  if (!isObject(target)) throw typeError(target, "object", "array");
  return isObject(incoming)
    ? mergeObjects(target, incoming, collide)
    : mergeObjects(target, newObject(), collide);
}

/** `gabs` `Flatten` / `FlattenIncludeEmpty`: leaves keyed by their dot path (not escaped). */
function collapseValue(v: Value, includeEmpty: boolean): Value {
  if (!Array.isArray(v) && !isObject(v)) throw new QueryError("FAILED", "not an object or array");
  const out = newObject();
  const walk = (node: Value, path: string) => {
    const entries: [string, Value][] = Array.isArray(node)
      ? node.map((e, i) => [String(i), e])
      : Object.keys(node as ValueObject).map((k) => [k, (node as ValueObject)[k] as Value]);
    for (const [k, child] of entries) {
      const at = path === "" ? k : `${path}.${k}`;
      const empty = Array.isArray(child)
        ? child.length === 0
        : isObject(child) && Object.keys(child).length === 0;
      if ((Array.isArray(child) || isObject(child)) && !empty) walk(child, at);
      else if (!empty || includeEmpty) out[at] = child;
    }
  };
  walk(v, "");
  return out;
}

/** `gabs` `Set`: a copy of `root` with `value` at `path`, creating objects on the way. */
function setPath(root: Value, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const out = newObject();
  if (isObject(root)) for (const k of Object.keys(root)) out[k] = root[k] as Value;
  const child = isObject(root) ? getKey(root, head) : undefined;
  out[head] = setPath(child ?? null, rest, value);
  return out;
}

function findByIndexes(fn: Node, ctx: Ctx, v: Value, all: boolean): Value {
  if (!Array.isArray(v)) throw typeError(v, "array");
  const out: Value[] = [];
  for (let i = 0; i < v.length; i++) {
    let r: Value;
    try {
      r = execWith(fn, ctx, v[i] as Value);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      throw new WrapErr(`query returned an error for index ${i}`, err);
    }
    if (typeof r !== "boolean") {
      throw new WrapErr(`query returned a non-boolean value for index ${i}`, typeError(r, "bool"));
    }
    if (r) {
      if (!all) return BigInt(i);
      out.push(BigInt(i));
    }
  }
  return all ? out : -1n;
}

function compareForSort(a: Value, b: Value): number {
  const na = getNumber(a);
  const nb = getNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  const sa = getString(a);
  const sb = getString(b);
  if (sa !== undefined && sb !== undefined) return sa < sb ? -1 : sa > sb ? 1 : 0;
  throw new QueryError(
    "TYPE_MISMATCH",
    `expected number or string value, got ${typeOf(na === undefined ? a : b)}`,
  );
}

/** The reference's `mapWith`: keeps only the listed (dot) paths. */
function mapWith(m: ValueObject, paths: readonly string[][]): ValueObject {
  const out = newObject();
  for (const k of Object.keys(m)) {
    let included = false;
    const nested: string[][] = [];
    for (const p of paths) {
      if (p[0] !== k) continue;
      included = true;
      if (p.length > 1) nested.push(p.slice(1));
    }
    if (!included) continue;
    const v = m[k] as Value;
    out[k] = nested.length > 0 && isObject(v) ? mapWith(v, nested) : v;
  }
  return out;
}

function execWith(fn: Node, ctx: Ctx, v: Value): Value {
  return fn.exec(withValue(ctx, v));
}

function quantifier(name: "any" | "all", any: boolean): MethodImpl {
  return simpleMethod(name, p([{ name: "test", type: "query" }]), (args) => {
    const fn = args.query("test");
    return (v, ctx) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) return false;
      for (let i = 0; i < v.length; i++) {
        let r: Value;
        try {
          r = execWith(fn, ctx, v[i] as Value);
        } catch (e) {
          if (!(e instanceof QueryError)) throw e;
          throw new WrapErr(`element ${i}`, e);
        }
        if (typeof r !== "boolean") throw new WrapErr(`element ${i}`, typeError(r, "bool"));
        if (r === any) return any;
      }
      return !any;
    };
  });
}

/** Object and array manipulation: paths, searching, sorting, merging, folding. */
export function objectArrayMethods(): MethodImpl[] {
  return inCategory("Object & Array Manipulation", [
    {
      name: "get",
      params: p([{ name: "path", type: "string" }]),
      ctor: (target, args) => newGet(target, args.str("path")),
    },
    simpleMethod("exists", p([{ name: "path", type: "string" }]), (args) => {
      const path = dotPathToSlice(args.str("path"));
      return (v) => existsPath(v, path);
    }),
    simpleMethod("keys", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v);
    }),
    simpleMethod("values", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v).map((k) => v[k] as Value);
    }),
    simpleMethod("key_values", NO_PARAMS, () => (v) => {
      if (!isObject(v)) throw typeError(v, "object");
      return sortedKeys(v).map((k) => {
        const o = newObject();
        o.key = k;
        o.value = v[k] as Value;
        return o;
      });
    }),
    withCategories(
      ["Object & Array Manipulation", "String Manipulation"],
      simpleMethod("contains", p([{ name: "value", type: "any" }]), (args) => {
        const right = args.value("value");
        const sub = toText(right);
        return (v) => {
          if (typeof v === "string") return v.includes(sub);
          if (v instanceof Uint8Array) return utf8Decode(v).includes(sub);
          if (Array.isArray(v)) return v.some((e) => valuesEqual(right, e));
          if (isObject(v)) return Object.keys(v).some((k) => valuesEqual(right, v[k] as Value));
          throw typeError(v, "string", "array", "object");
        };
      }),
    ),
    simpleMethod("index", p([{ name: "index", type: "int" }]), (args) => {
      const index = Number(args.int("index"));
      return (v) => {
        // On bytes the reference returns the byte as an integer.
        if (!Array.isArray(v) && !(v instanceof Uint8Array)) throw typeError(v, "array");
        const i = index < 0 ? v.length + index : index;
        if (i < 0 || i >= v.length) {
          throw new QueryError("OUT_OF_BOUNDS", `index '${i}' was out of bounds for array size: ${v.length}`);
        }
        return v instanceof Uint8Array ? BigInt(v[i] as number) : (v[i] as Value);
      };
    }),
    simpleMethod("first", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) throw new QueryError("OUT_OF_BOUNDS", "array is empty");
      return v[0] as Value;
    }),
    simpleMethod("last", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      if (v.length === 0) throw new QueryError("OUT_OF_BOUNDS", "array is empty");
      return v[v.length - 1] as Value;
    }),
    simpleMethod("append", VARIADIC, (args) => {
      const extra = args.rest();
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        return [...v, ...extra];
      };
    }),
    simpleMethod("flatten", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      const out: Value[] = [];
      for (const e of v) {
        if (Array.isArray(e)) out.push(...e);
        else out.push(e);
      }
      return out;
    }),
    simpleMethod("unique", p([{ name: "emit", type: "query", optional: true }]), (args) => {
      const emit = args.get("emit") as Node | undefined;
      return (v, ctx) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const strs = new Set<string>();
        const nums = new Set<number>();
        const out: Value[] = [];
        for (const [i, e] of v.entries()) {
          let check = e;
          if (emit !== undefined) {
            try {
              check = execWith(emit, ctx, e);
            } catch (err) {
              if (err instanceof QueryError) throw new WrapErr(`index ${i}`, err);
              throw err;
            }
          }
          const s =
            typeof check === "string" ? check : check instanceof Uint8Array ? utf8Decode(check) : undefined;
          const n = s === undefined ? sanitizeNumber(check) : undefined;
          let fresh: boolean;
          if (s !== undefined) fresh = !strs.has(s) && Boolean(strs.add(s));
          else if (n !== undefined) {
            const f = Number(n);
            fresh = !nums.has(f) && Boolean(nums.add(f));
          } else throw new WrapErr(`index ${i}`, typeError(check, "string", "number"));
          if (fresh) out.push(e);
        }
        return out;
      };
    }),
    simpleMethod("json_schema", p([{ name: "schema", type: "string" }]), (args) => {
      const check = compileJSONSchema(args.str("schema"));
      return (v) => {
        const errors = check(v);
        if (errors.length > 0) throw new QueryError("FAILED", errors.join("\n"));
        return v;
      };
    }),
    simpleMethod("json_path", p([{ name: "expression", type: "string" }]), (args) =>
      compileJSONPath(args.str("expression")),
    ),
    simpleMethod("diff", p([{ name: "other", type: "any" }]), (args) => {
      const other = args.value("other");
      return (v) => (v === null ? null : diff(v, other));
    }),
    simpleMethod("patch", p([{ name: "changelog", type: "any" }]), (args) => {
      const changelog = args.value("changelog");
      return (v) => (v === null ? null : patch(v, changelog));
    }),
    simpleMethod("concat", VARIADIC, (args) => {
      const arrays = args.rest().map((a) => {
        if (!Array.isArray(a)) throw typeError(a, "array");
        return a;
      });
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        return v.concat(...arrays);
      };
    }),
    simpleMethod("zip", VARIADIC, (args) => {
      const arrays = args.rest().map((a) => {
        if (!Array.isArray(a)) throw typeError(a, "array");
        return a;
      });
      const sizeError = () => new QueryError("FAILED", "can't zip different length array values");
      if (arrays.some((a) => a.length !== arrays[0]?.length)) throw sizeError();
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        if (arrays.length === 0) throw new QueryError("FAILED", "zip requires at least one argument");
        if (v.length !== arrays[0]?.length) throw sizeError();
        return v.map((e, i) => [e, ...arrays.map((a) => a[i] as Value)]);
      };
    }),
    simpleMethod("squash", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      let root: Value = newObject();
      for (const e of v) if (isObject(e)) root = mergeInto(root, e, mergeClash);
      return root;
    }),
    simpleMethod("with", VARIADIC, (args) => {
      const paths = args.rest().map((x, i) => {
        const s = getString(x);
        if (s === undefined) throw new WrapErr(`argument ${i}`, typeError(x, "string"));
        return dotPathToSlice(s);
      });
      return (v) => {
        if (!isObject(v)) throw typeError(v, "object");
        return mapWith(v, paths);
      };
    }),
    simpleMethod("enumerated", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      return v.map((e, i) => {
        const o = newObject();
        o.index = BigInt(i);
        o.value = e;
        return o;
      });
    }),
    simpleMethod("find", p([{ name: "value", type: "any" }]), (args) => {
      const val = args.value("value");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        return BigInt(v.findIndex((e) => valuesEqual(val, e)));
      };
    }),
    simpleMethod("find_all", p([{ name: "value", type: "any" }]), (args) => {
      const val = args.value("value");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const out: Value[] = [];
        v.forEach((e, i) => {
          if (valuesEqual(val, e)) out.push(BigInt(i));
        });
        return out;
      };
    }),
    simpleMethod("find_by", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => findByIndexes(fn, ctx, v, false);
    }),
    simpleMethod("find_all_by", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => findByIndexes(fn, ctx, v, true);
    }),
    simpleMethod(
      "fold",
      p([
        { name: "initial", type: "any" },
        { name: "query", type: "query" },
      ]),
      (args) => {
        const initial = args.value("initial");
        const fn = args.query("query");
        return (v, ctx) => {
          if (!Array.isArray(v)) throw typeError(v, "array");
          let tally = initial;
          for (const e of v) {
            const o = newObject();
            o.tally = tally;
            o.value = e;
            tally = execWith(fn, ctx, o);
          }
          return tally;
        };
      },
    ),
    simpleMethod("map_each", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => {
        if (Array.isArray(v)) {
          const out: Value[] = [];
          v.forEach((e, i) => {
            let r: Value;
            try {
              r = execWith(fn, ctx, e);
            } catch (err) {
              if (!(err instanceof QueryError)) throw err;
              throw new WrapErr(`failed to process element ${i}`, errFrom(err, fn.annotation));
            }
            if (r === DELETE) return;
            out.push(r === NOTHING ? e : r);
          });
          return out;
        }
        if (isObject(v)) {
          const out = newObject();
          for (const k of sortedKeys(v)) {
            const kv = newObject();
            kv.key = k;
            kv.value = v[k] as Value;
            let r: Value;
            try {
              r = execWith(fn, ctx, kv);
            } catch (err) {
              if (!(err instanceof QueryError)) throw err;
              throw new WrapErr(`failed to process element ${k}`, errFrom(err, fn.annotation));
            }
            if (r === DELETE) continue;
            out[k] = r === NOTHING ? (v[k] as Value) : r;
          }
          return out;
        }
        throw typeError(v, "array", "object");
      };
    }),
    simpleMethod("map_each_key", p([{ name: "query", type: "query" }]), (args) => {
      const fn = args.query("query");
      return (v, ctx) => {
        if (!isObject(v)) throw typeError(v, "object");
        const out = newObject();
        for (const k of sortedKeys(v)) {
          const r = execWith(fn, ctx, k);
          if (r === NOTHING) out[k] = v[k] as Value;
          else if (typeof r === "string") out[r] = v[k] as Value;
          else throw new WrapErr("unexpected result from key mapping", typeError(r, "string"));
        }
        return out;
      };
    }),
    simpleMethod("filter", p([{ name: "test", type: "query" }]), (args) => {
      const fn = args.query("test");
      return (v, ctx) => {
        if (Array.isArray(v)) return v.filter((e) => execWith(fn, ctx, e) === true);
        if (isObject(v)) {
          const out = newObject();
          for (const k of sortedKeys(v)) {
            const kv = newObject();
            kv.key = k;
            kv.value = v[k] as Value;
            if (execWith(fn, ctx, kv) === true) out[k] = v[k] as Value;
          }
          return out;
        }
        throw typeError(v, "array", "object");
      };
    }),
    quantifier("any", true),
    quantifier("all", false),
    simpleMethod("sort", p([{ name: "compare", type: "query", optional: true }]), (args) => {
      const cmp = args.get("compare") as Node | undefined;
      return (v, ctx) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const out = [...v];
        if (cmp === undefined) {
          out.sort(compareForSort);
          return out;
        }
        out.sort((a, b) => {
          const o = newObject();
          o.left = a;
          o.right = b;
          const r = execWith(cmp, ctx, o);
          if (typeof r !== "boolean") throw typeError(r, "bool");
          return r ? -1 : 1;
        });
        return out;
      };
    }),
    simpleMethod("sort_by", p([{ name: "query", type: "query" }]), (args) => {
      const q = args.query("query");
      return (v, ctx) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const keyed = v.map((e) => ({ e, k: execWith(q, ctx, e) }));
        keyed.sort((a, b) => compareForSort(a.k, b.k));
        return keyed.map((x) => x.e);
      };
    }),
    simpleMethod("sum", NO_PARAMS, () => (v) => {
      if (!Array.isArray(v)) throw typeError(v, "array");
      let acc: bigint | number = 0n;
      for (const e of v) {
        const n = sanitizeNumber(e);
        if (n === undefined) throw typeError(e, "number");
        if (typeof acc === "bigint" && typeof n === "bigint") acc = wrapInt(acc + n);
        else acc = Number(acc) + Number(n);
      }
      return typeof acc === "bigint" ? acc : new GoFloat(acc);
    }),
    simpleMethod("join", p([{ name: "delimiter", type: "string", default: "" }]), (args) => {
      const delim = args.str("delimiter");
      return (v) => {
        if (!Array.isArray(v)) throw typeError(v, "array");
        const parts = v.map((e, i) => {
          const s = typeof e === "string" ? e : e instanceof Uint8Array ? utf8Decode(e) : undefined;
          if (s === undefined) throw new WrapErr(`failed to join element ${i}`, typeError(e, "string"));
          return s;
        });
        return parts.join(delim);
      };
    }),
    simpleMethod("assign", p([{ name: "with", type: "any" }]), (args) => {
      const other = args.value("with");
      return (v) => mergeInto(v, other, (_existing, incoming) => incoming);
    }),
    simpleMethod("merge", p([{ name: "with", type: "any" }]), (args) => {
      const other = args.value("with");
      return (v) => mergeInto(v, other, mergeClash);
    }),
    simpleMethod("collapse", p([{ name: "include_empty", type: "bool", default: false }]), (args) => {
      const includeEmpty = args.bool("include_empty");
      return (v) => collapseValue(v, includeEmpty);
    }),
    simpleMethod("explode", p([{ name: "path", type: "string" }]), (args) => {
      const raw = args.str("path");
      const path = dotPathToSlice(raw);
      return (v) => {
        if (!isObject(v)) throw typeError(v, "object");
        const target = searchPath(v, path);
        const base = deletePath(v, path);
        if (Array.isArray(target)) return target.map((e) => setPath(base, path, e));
        if (isObject(target)) {
          const out = newObject();
          for (const k of Object.keys(target)) out[k] = setPath(base, path, target[k] as Value);
          return out;
        }
        throw new QueryError(
          "FAILED",
          `expected array or object value at path '${raw}', found: ${typeOf(target ?? null)}`,
        );
      };
    }),
    simpleMethod("without", VARIADIC, (args) => {
      const paths = args.rest().map((x) => {
        const s = getString(x);
        if (s === undefined) throw typeError(x, "string");
        return dotPathToSlice(s);
      });
      return (v) => {
        if (!isObject(v)) throw typeError(v, "object");
        let out: Value = v;
        for (const path of paths) out = deletePath(out, path);
        return out;
      };
    }),
  ]);
}
