import { InterpolationError, InterpolationParseError } from "./errors.js";
import type { Message } from "./message.js";
import { type Node, rootCtx, withValue } from "./node.js";
import type { Segment } from "./parser/field-parser.js";
import { QueryError } from "./query-error.js";
import type { PlainValue, Query } from "./types.js";
import { DELETE, fromHost, NOTHING, type Value } from "./value.js";

/** @internal What `deleted()` assigns. */
export const DELETED: unique symbol = Symbol("deleted");
/** @internal What `nothing()` assigns: the assignment is skipped. */
export const UNCHANGED: unique symbol = Symbol("nothing");

/** @internal A single Bloblang query, evaluated with an optional `this`. */
export class CompiledQuery implements Query {
  readonly #node: Node;

  constructor(
    readonly source: string,
    node: Node,
    private readonly toPlain: (v: Value) => PlainValue,
  ) {
    this.#node = node;
  }

  evaluate(message: Message, context?: PlainValue): PlainValue {
    return this.toPlain(this.#exec(message, context));
  }

  /**
   * @internal For mapping assignments: `deleted()` and `nothing()` are told apart from `null`.
   */
  evaluateAssignment(message: Message, context?: PlainValue): PlainValue | typeof DELETED | typeof UNCHANGED {
    const v = this.#exec(message, context);
    if (v === DELETE) return DELETED;
    if (v === NOTHING) return UNCHANGED;
    return this.toPlain(v);
  }

  #exec(message: Message, context?: PlainValue): Value {
    let ctx = rootCtx(message, message._batch, message._index);
    if (context !== undefined) ctx = withValue(ctx, fromHost(context));
    try {
      return this.#node.exec(ctx);
    } catch (e) {
      const init = { expression: this.source, part: 0, line: 1, column: 1 };
      if (e instanceof QueryError)
        throw new InterpolationError(e.code, e.message, init, { cause: e.cause ?? e });
      throw new InterpolationError("FAILED", e instanceof Error ? e.message : String(e), init, { cause: e });
    }
  }
}

/** The one query of `${! <text> }`, or a parse error when the text is anything else. */
export function singleQuery(text: string, segments: readonly Segment[]): Node {
  const only = segments[0];
  if (segments.length !== 1 || only?.kind !== "query") {
    throw new InterpolationParseError("EXPECTED_END_OF_EXPRESSION", {
      source: text,
      char: 1,
      line: 1,
      column: 1,
      reason: "required: expected a single query",
      got: text.slice(0, 5),
    });
  }
  return only.node;
}
