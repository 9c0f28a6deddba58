import type { Environment } from "./environment.js";
import { InterpolationError, InterpolationParseError } from "./errors.js";
import type { Message } from "./message.js";
import { type CompiledQuery, DELETED, UNCHANGED } from "./query.js";
import type { PlainValue, Result } from "./types.js";

/**
 * A Bloblang mapping of plain assignments, one per line, applied to a message in place:
 *
 * - `meta = <query>` (replace all metadata with an object), `meta <key> = <query>`,
 *   `meta "<key>" = <query>`, `@<key> = <query>` (one key; `null` deletes it);
 * - `root = <query>` (the whole body) and `root.<path> = <query>` or `<path> = <query>` (a field
 *   of the JSON body, created as needed; other fields are kept).
 *
 * Queries see `this` as the given context, or the message's body. `#` starts a comment line.
 * As in the reference, assigning `deleted()` removes the target (`root = deleted()` deletes the
 * message: `apply` returns `true`, and the caller drops it) and `nothing()` leaves it unchanged.
 * Not supported: `let`, `if` statements, multi-line queries.
 */
export interface Mapping {
  readonly source: string;
  /**
   * Runs every assignment in order; throws `InterpolationError` when a query fails. Returns `true`
   * when the mapping deleted the message (`root = deleted()`): drop it. Later assignments are not
   * run then.
   */
  apply(message: Message, context?: PlainValue): boolean;
}

type Target = { kind: "meta_all" } | { kind: "meta_key"; key: string } | { kind: "root"; path: string[] };

const TARGET =
  /^(meta(?:\s+(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"))?|@(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")?|root(?:\.[A-Za-z0-9_.-]+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*=(?!=)\s*/;

/** @internal Compiles a {@link Mapping}; use `Environment.compileMapping`. */
export function compileMapping(text: string, env: Environment): Result<Mapping, InterpolationParseError> {
  const assignments: { target: Target; query: CompiledQuery }[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = TARGET.exec(line);
    if (!m)
      return {
        ok: false,
        error: lineError(text, i, "expected an assignment such as 'meta = @.merge(this)'"),
      };
    const compiled = env.tryCompileQuery(line.slice(m[0].length));
    if (!compiled.ok) return { ok: false, error: lineError(text, i, compiled.error.message) };
    assignments.push({
      target: parseTarget((m[1] as string).trim()),
      query: compiled.value as CompiledQuery,
    });
  }
  if (assignments.length === 0)
    return { ok: false, error: lineError(text, 0, "the mapping has no assignment") };
  return {
    ok: true,
    value: { source: text, apply: (message, context) => run(assignments, message, context) },
  };
}

function lineError(text: string, index: number, reason: string): InterpolationParseError {
  const char = text
    .split("\n")
    .slice(0, index)
    .reduce((n, l) => n + [...l].length + 1, 1);
  return new InterpolationParseError("INVALID_MAPPING", {
    source: text,
    char,
    line: index + 1,
    column: 1,
    reason: `line ${index + 1}: ${reason}`,
    got: undefined,
    listsExpected: false,
  });
}

function unquote(s: string): string {
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

function parseTarget(t: string): Target {
  if (t === "meta" || t === "@") return { kind: "meta_all" };
  if (t.startsWith("meta")) return { kind: "meta_key", key: unquote(t.slice(4).trim()) };
  if (t.startsWith("@")) return { kind: "meta_key", key: unquote(t.slice(1)) };
  if (t === "root") return { kind: "root", path: [] };
  return { kind: "root", path: (t.startsWith("root.") ? t.slice(5) : t).split(".") };
}

/** Evaluates against the body; a failure on a body that is not JSON says so. */
function evaluateOnBody(
  query: CompiledQuery,
  message: Message,
): PlainValue | typeof DELETED | typeof UNCHANGED {
  try {
    return query.evaluateAssignment(message);
  } catch (e) {
    const body = message.structured();
    if (!body.ok && InterpolationError.isInstance(e)) {
      throw new InterpolationError(
        e.code,
        `${e.message} (the message body is not JSON: ${body.error})`,
        { expression: e.expression, part: e.part, line: e.line, column: e.column },
        { cause: e },
      );
    }
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Date)
  );
}

function run(
  assignments: readonly { target: Target; query: CompiledQuery }[],
  message: Message,
  context?: PlainValue,
): boolean {
  for (const { target, query } of assignments) {
    const value =
      context === undefined ? evaluateOnBody(query, message) : query.evaluateAssignment(message, context);
    if (value === UNCHANGED) continue;
    switch (target.kind) {
      case "meta_all":
        for (const k of message.metaKeys()) message.deleteMeta(k);
        if (isObject(value))
          for (const [k, v] of Object.entries(value)) if (v !== null) message.setMeta(k, v as never);
        break;
      case "meta_key":
        if (value === null || value === DELETED) message.deleteMeta(target.key);
        else message.setMeta(target.key, value as never);
        break;
      case "root": {
        if (target.path.length === 0) {
          if (value === DELETED) return true;
          message.setStructured(value);
          break;
        }
        const current = message.structured();
        const body = current.ok && isObject(current.value) ? current.value : undefined;
        const last = target.path[target.path.length - 1] as string;
        if (value === DELETED) {
          // Removes the field if the whole path exists; anything else is left as it is.
          let node: unknown = body;
          for (const key of target.path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
          if (isObject(node) && Object.hasOwn(node, last)) {
            delete node[last];
            message.setStructured(body);
          }
          break;
        }
        const root: Record<string, unknown> = body ?? {};
        let node = root;
        for (const key of target.path.slice(0, -1)) {
          if (!isObject(node[key])) node[key] = {};
          node = node[key] as Record<string, unknown>;
        }
        node[last] = value;
        message.setStructured(root);
        break;
      }
    }
  }
  return false;
}
