import { type Ctx, type Node, withValue } from "./node.js";
import { QueryError, toQueryError } from "./query-error.js";
import { DELETE, isObject, NOTHING, newObject, type Value } from "./value.js";

const ASSIGNMENT =
  /^(root(?:\.[A-Za-z0-9_.-]+)?|this(?:\.[A-Za-z0-9_.-]+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*=(?![=>])\s*/;

/**
 * A mapping run on a value rather than a message (the `bloblang` method): `root = …` and
 * `root.<path> = …` assignments, one per line (a line that is not an assignment continues the
 * previous query). `root` starts as nothing; the result is what was assigned to it.
 */
export type ValueMapping = (ctx: Ctx, value: Value) => Value;

export function compileValueMapping(text: string, parseQuery: (query: string) => Node): ValueMapping {
  const statements: { line: number; path: string[]; query: string }[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = ASSIGNMENT.exec(line);
    if (m && !/^(let|map|import|if|meta)\b/.test(line)) {
      const target = (m[1] as string).replace(/^(root|this)\.?/, "");
      statements.push({
        line: i + 1,
        path: target === "" ? [] : target.split("."),
        query: line.slice(m[0].length),
      });
      continue;
    }
    const last = statements[statements.length - 1];
    if (last === undefined || /^(let|map|import|meta|if)\b/.test(line)) {
      throw new QueryError(
        "INVALID_ARGUMENT",
        `line ${i + 1}: natskit mappings support only root assignments (root = …, root.<path> = …)`,
      );
    }
    last.query += `\n${raw}`;
  }
  const compiled = statements.map((s) => {
    try {
      return { ...s, node: parseQuery(s.query) };
    } catch (e) {
      throw new QueryError("INVALID_ARGUMENT", `line ${s.line}: ${(e as Error).message}`);
    }
  });
  return (ctx, value) => {
    const inner = withValue(ctx, value);
    let root: Value = NOTHING;
    for (const s of compiled) {
      let v: Value;
      try {
        v = s.node.exec(inner);
      } catch (e) {
        throw new QueryError("FAILED", `failed assignment (line ${s.line}): ${toQueryError(e).message}`);
      }
      if (v === NOTHING) continue;
      if (s.path.length === 0) {
        root = v;
        continue;
      }
      if (!isObject(root)) root = newObject();
      let node = root;
      for (const k of s.path.slice(0, -1)) {
        const next = node[k];
        if (!isObject(next)) node[k] = newObject();
        node = node[k] as typeof node;
      }
      const last = s.path[s.path.length - 1] as string;
      if (v === DELETE) delete node[last];
      else node[last] = v;
    }
    return root === DELETE ? NOTHING : root;
  };
}
