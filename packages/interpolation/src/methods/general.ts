import { batchSize, Closure, LazyAnnotated, MapNode, NotNode, withIndex, withValue } from "../node.js";
import { QueryError } from "../query-error.js";
import { inCategory, type MethodImpl, NO_PARAMS, p } from "../registry.js";
import { isNullish, type Value } from "../value.js";

/** General methods: error handling, batch access, mapping (`catch`, `or`, `from`, `map`). */
export function generalMethods(): MethodImpl[] {
  return inCategory("General", [
    {
      name: "catch",
      params: p([{ name: "fallback", type: "query", scalarsToLiteral: true }]),
      ctor: (target, args) => {
        const fb = args.query("fallback");
        return new Closure("method catch", (ctx) => {
          try {
            return target.exec(ctx);
          } catch (e) {
            if (!(e instanceof QueryError)) throw e;
            return fb.exec(withValue(ctx, e.message));
          }
        });
      },
    },
    {
      name: "or",
      params: p([{ name: "fallback", type: "query", scalarsToLiteral: true }]),
      ctor: (target, args) => {
        const fb = args.query("fallback");
        return new Closure("method or", (ctx) => {
          try {
            const v = target.exec(ctx);
            if (!isNullish(v)) return v;
          } catch (e) {
            if (!(e instanceof QueryError)) throw e;
          }
          return fb.exec(ctx);
        });
      },
    },
    {
      name: "from",
      params: p([{ name: "index", type: "int" }]),
      ctor: (target, args) => {
        const index = Number(args.int("index"));
        return new LazyAnnotated(
          () => `${target.annotation} from ${index}`,
          (ctx) => target.exec(withIndex(ctx, index)),
        );
      },
    },
    {
      name: "from_all",
      params: NO_PARAMS,
      ctor: (target) =>
        new Closure("method from_all", (ctx) => {
          const n = batchSize(ctx);
          const out: Value[] = [];
          for (let i = 0; i < n; i++) out.push(target.exec(withIndex(ctx, i)));
          return out;
        }),
    },
    { name: "not", params: NO_PARAMS, ctor: (target) => new NotNode(target) },
    {
      name: "map",
      params: p([{ name: "query", type: "query" }]),
      ctor: (target, args) => new MapNode(target, args.query("query")),
    },
  ]);
}
