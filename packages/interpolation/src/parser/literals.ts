import { type Ctx, Node } from "../node.js";
import { QueryError, WrapErr } from "../query-error.js";
import { DELETE, goTypeName, NOTHING, newObject, type Value } from "../value.js";

/** Array of literal values minus `deleted()` / `nothing()` (`NewArrayLiteral`). */
export class ArrayLiteralNode extends Node {
  constructor(readonly items: readonly Node[]) {
    super();
  }
  get annotation(): string {
    return "array literal";
  }
  exec(ctx: Ctx): Value {
    const out: Value[] = [];
    for (const n of this.items) {
      const v = n.exec(ctx);
      if (v !== DELETE && v !== NOTHING) out.push(v);
    }
    return out;
  }
}

export type Key = string | Node;

export class ObjectLiteralNode extends Node {
  constructor(readonly entries: readonly [Key, Value | Node][]) {
    super();
  }
  get annotation(): string {
    return "object literal";
  }
  exec(ctx: Ctx): Value {
    const out = newObject();
    for (const [k, vn] of this.entries) {
      let key: string;
      if (typeof k === "string") key = k;
      else {
        let kv: Value;
        try {
          kv = k.exec(ctx);
        } catch (e) {
          if (e instanceof QueryError) throw new WrapErr("failed to resolve key", e);
          throw e;
        }
        if (typeof kv === "string") key = kv;
        else if (kv instanceof Uint8Array) key = new TextDecoder().decode(kv);
        else throw new QueryError("TYPE_MISMATCH", `mapping returned invalid key type: ${goTypeName(kv)}`);
      }
      let val: Value;
      if (vn instanceof Node) {
        try {
          val = vn.exec(ctx);
        } catch (e) {
          if (e instanceof QueryError) throw new WrapErr(`failed to resolve '${key}' value`, e);
          throw e;
        }
      } else val = vn;
      if (val !== DELETE && val !== NOTHING) out[key] = val;
    }
    return out;
  }
}
