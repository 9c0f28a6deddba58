import type { Environment } from "../src/environment.js";
import { InterpolationError } from "../src/errors.js";
import { createMessage } from "../src/message.js";
import { type CompiledQuery, DELETED, UNCHANGED } from "../src/query.js";
import type { PlainValue } from "../src/types.js";
import { fromHost, toJSON, utf8Decode } from "../src/value.js";

/**
 * Runs a reference example the way the reference's `mapping` processor does: `root` starts empty,
 * `this` is the input document, and a failing assignment gives the processor's error text
 * (`failed assignment (line 1): …`). Assignments may span lines (a line that is not an assignment
 * continues the previous one). Returns what the reference docs print as the output, or
 * `{ unsupported }` for statements this package has no mapping support for (`let`, `map`, `if`).
 */
export function compileReferenceExample(
  env: Environment,
  mapping: string,
): ((input: string) => string) | { unsupported: string } {
  const statements: { line: number; target: string; query: string }[] = [];
  for (const [i, full] of mapping.split("\n").entries()) {
    const raw = stripComment(full);
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m =
      /^(root(?:\.[A-Za-z0-9_."-]+)?|meta(?:\s+[A-Za-z0-9_"-]+)?|@[A-Za-z0-9_"-]*|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*=(?![=>])\s*(.*)$/.exec(
        line,
      );
    if (m && !/^(let|map|import|if)\b/.test(line)) {
      statements.push({ line: i + 1, target: m[1] as string, query: m[2] as string });
      continue;
    }
    if (/^(let|map|import|if)\b/.test(line))
      return { unsupported: `mapping statement '${line.split(" ")[0]}'` };
    const prev = statements[statements.length - 1];
    if (!prev) return { unsupported: `mapping line '${line}'` };
    prev.query += `\n${raw}`;
  }
  const compiled = statements.map((s) => {
    const c = env.tryCompileQuery(s.query);
    if (!c.ok) throw new Error(`line ${s.line}: ${c.error.message}`);
    return { ...s, query: c.value as CompiledQuery };
  });
  return (input) => run(compiled, input);
}

function run(statements: { line: number; target: string; query: CompiledQuery }[], input: string): string {
  const msg = createMessage(input);
  let root: PlainValue | undefined;
  let deleted = false;
  for (const s of statements) {
    let v: ReturnType<CompiledQuery["evaluateAssignment"]>;
    try {
      v = s.query.evaluateAssignment(msg);
    } catch (e) {
      if (!InterpolationError.isInstance(e)) throw e;
      return `Error("failed assignment (line ${s.line}): ${e.message}")`;
    }
    if (v === UNCHANGED) continue;
    const t = s.target;
    if (t === "meta" || t.startsWith("meta ") || t.startsWith("@")) {
      const key = t.startsWith("@") ? t.slice(1) : t.slice(4).trim();
      if (key === "") continue;
      if (v === DELETED || v === null) msg.deleteMeta(key);
      else msg.setMeta(key, v as never);
      continue;
    }
    const path = t === "root" ? [] : (t.startsWith("root.") ? t.slice(5) : t).split(".").map(unquote);
    if (path.length === 0) {
      if (v === DELETED) deleted = true;
      else root = v;
      continue;
    }
    if (root === undefined || root === null || typeof root !== "object" || Array.isArray(root)) root = {};
    let node = root as Record<string, PlainValue>;
    for (const k of path.slice(0, -1)) {
      const next = node[k];
      if (next === null || typeof next !== "object" || Array.isArray(next) || next instanceof Uint8Array)
        node[k] = {};
      node = node[k] as Record<string, PlainValue>;
    }
    const last = path[path.length - 1] as string;
    if (v === DELETED) delete node[last];
    else node[last] = v;
  }
  if (deleted) return "<Message deleted>";
  if (typeof root === "string") return root;
  if (root instanceof Uint8Array) return utf8Decode(root);
  return toJSON(fromHost(root ?? {}), false);
}

/** Drops a `# comment` that ends a line, outside string literals. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\") i++;
      else if (line.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
    } else if (line.startsWith('"""', i)) {
      quote = '"""';
      i += 2;
    } else if (c === '"') quote = '"';
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function unquote(s: string): string {
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

/**
 * Output equality: the same text (the docs print raw outputs without their final newline), or
 * the same JSON document.
 */
export function sameOutput(actual: string, expected: string): boolean {
  if (actual === expected || actual === `${expected}\n`) return true;
  try {
    return JSON.stringify(sortKeys(JSON.parse(actual))) === JSON.stringify(sortKeys(JSON.parse(expected)));
  } catch {
    return false;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
