import { QueryError } from "./query-error.js";
import {
  getNumber,
  getString,
  isObject,
  newObject,
  type Value,
  type ValueObject,
  valuesEqual,
} from "./value.js";

/** One r3labs/diff change, as the reference's `diff` method returns it. */
type Change = { type: "create" | "update" | "delete"; path: string[]; from: Value; to: Value };

function kind(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (isObject(v)) return "object";
  if (getNumber(v) !== undefined) return "number";
  return typeof v === "string" || v instanceof Uint8Array ? "string" : typeof v;
}

function diffInto(path: string[], a: Value | undefined, b: Value | undefined, out: Change[]): void {
  if (a === undefined || a === null) {
    if (b !== undefined && b !== null)
      out.push({ type: a === null ? "update" : "create", path, from: null, to: b });
    return;
  }
  if (b === undefined || b === null) {
    out.push({ type: b === null ? "update" : "delete", path, from: a, to: null });
    return;
  }
  if (kind(a) !== kind(b)) throw new QueryError("FAILED", "types do not match");
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) diffInto([...path, k], a[k], Object.hasOwn(b, k) ? b[k] : undefined, out);
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) diffInto([...path, k], undefined, b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // diffSliceGeneric: elements missing from the other side, by index.
    const onlyA = a.map((e, i) => [i, e] as const).filter(([, e]) => !b.some((x) => valuesEqual(x, e)));
    const onlyB = b.map((e, i) => [i, e] as const).filter(([, e]) => !a.some((x) => valuesEqual(x, e)));
    const indexes = [...new Set([...onlyA.map(([i]) => i), ...onlyB.map(([i]) => i)])].sort((x, y) => x - y);
    for (const i of indexes) {
      const ea = onlyA.find(([j]) => j === i)?.[1];
      const eb = onlyB.find(([j]) => j === i)?.[1];
      diffInto([...path, String(i)], ea, eb, out);
    }
    return;
  }
  if (!valuesEqual(a, b)) out.push({ type: "update", path, from: a, to: b });
}

/** The reference's `diff`: r3labs/diff changes as objects, sorted by their dotted path. */
export function diff(a: Value, b: Value): Value {
  const changes: Change[] = [];
  diffInto([], a, b, changes);
  const key = (c: Change) => c.path.join(".");
  changes.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return changes.map((c) => {
    const o = newObject();
    o.From = c.from;
    o.Path = c.path;
    o.To = c.to;
    o.Type = c.type;
    return o;
  });
}

function clone(v: Value): Value {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) {
    const o = newObject();
    for (const k of Object.keys(v)) o[k] = clone(v[k] as Value);
    return o;
  }
  return v;
}

/** The reference's `patch`: applies a changelog from `diff` (creating objects on the way). */
export function patch(v: Value, changelog: Value): Value {
  if (!Array.isArray(changelog)) throw new QueryError("FAILED", "'' expected a map, got 'string'");
  const root = newObject();
  root.v = clone(v);
  for (const raw of changelog) {
    if (!isObject(raw)) throw new QueryError("FAILED", "changelog entries must be objects");
    const c = raw as ValueObject;
    const type = getString(c.Type ?? c.type ?? null);
    const pathV = c.Path ?? c.path;
    if (!Array.isArray(pathV)) throw new QueryError("FAILED", "changelog entry has no Path");
    const path = ["v", ...pathV.map((p) => getString(p) ?? String(getNumber(p)))];
    let node: ValueObject | Value[] = root;
    for (const k of path.slice(0, -1)) {
      const next: Value | undefined = Array.isArray(node) ? node[Number(k)] : node[k];
      if (isObject(next) || Array.isArray(next)) node = next;
      else {
        const made = newObject();
        if (Array.isArray(node)) node[Number(k)] = made;
        else node[k] = made;
        node = made;
      }
    }
    const last = path[path.length - 1] as string;
    if (type === "delete") {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
    } else if (type === "create" || type === "update") {
      const to = (c.To ?? c.to ?? null) as Value;
      if (Array.isArray(node)) node[Number(last)] = to;
      else node[last] = to;
    } else throw new QueryError("FAILED", `unknown change type: ${String(type)}`);
  }
  return root.v as Value;
}
