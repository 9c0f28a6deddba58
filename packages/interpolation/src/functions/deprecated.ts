import { Closure, metaObject, msgAt } from "../node.js";
import { type FunctionImpl, functionsIn } from "../registry.js";
import { KEY_PARAM, MetaStrNode, metaStr } from "./message-info.js";

/** Functions the reference keeps for old configs (`meta`, `root_meta`, `count`). */
export function deprecatedFunctions(): FunctionImpl[] {
  return functionsIn("Deprecated", [
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
      name: "root_meta",
      params: KEY_PARAM,
      ctor: (args) => {
        const key = args.str("key");
        if (key !== "") return new Closure(`root_meta field ${key}`, (ctx) => metaStr(ctx.msg, key));
        return new Closure("root_meta object", (ctx) => metaObject(ctx.msg, true));
      },
    },
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
  ]);
}
