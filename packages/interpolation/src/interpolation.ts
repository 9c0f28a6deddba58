import { InterpolationError } from "./errors.js";
import { ContentNode, MetadataNode, MetaStrNode } from "./functions/message-info.js";
import { Message, type MessageBatch } from "./message.js";
import { Literal, MetaRefNode, type Node, rootCtx } from "./node.js";
import type { Segment } from "./parser/field-parser.js";
import { QueryError } from "./query-error.js";
import type { Interpolation, Result } from "./types.js";
import { toBytes, toText, utf8Encode, type Value } from "./value.js";

type Emit = (msg: Message, batch: MessageBatch | undefined, index: number) => string;

interface QueryPart {
  readonly node: Node;
  readonly source: string;
  readonly part: number;
  readonly line: number;
  readonly column: number;
  readonly emit: Emit;
}

function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: [...(lines[lines.length - 1] as string)].length + 1 };
}

function metaText(v: Value | undefined): string {
  if (v === undefined) return "null";
  return typeof v === "string" ? v : toText(v);
}

/** Emitters that skip the generic context for the most common single lookups. */
function emitterFor(node: Node): Emit {
  if (node instanceof MetaStrNode) {
    const key = node.key;
    return (msg, batch, index) => {
      const m = batch === undefined ? msg : (batch.at(index) ?? msg);
      const v = m.metaRaw(key);
      if (v === undefined) return "null";
      const s = typeof v === "string" ? v : toText(v);
      return s === "" ? "null" : s;
    };
  }
  if (node instanceof MetadataNode) {
    const key = node.key;
    return (msg, batch, index) =>
      metaText((batch === undefined ? msg : (batch.at(index) ?? msg)).metaRaw(key));
  }
  if (node instanceof MetaRefNode && node.key !== "") {
    const key = node.key;
    return (msg) => metaText(msg.metaRaw(key));
  }
  if (node instanceof ContentNode) {
    return (msg, batch, index) => (batch === undefined ? msg : (batch.at(index) ?? msg)).text;
  }
  return (msg, batch, index) => toText(node.exec(rootCtx(msg, batch, index)));
}

let emptyMessage: Message | undefined;

/** @internal Builds the compiled form of parsed segments. */
export class CompiledInterpolation implements Interpolation {
  readonly isStatic: boolean;
  readonly dynamicCount: number;
  private readonly staticText: string | undefined;
  private staticBytes: Uint8Array | undefined;
  private readonly parts: readonly (string | QueryPart)[];
  private readonly render: Emit;
  /** Index into `parts` of the query being evaluated, for error reports. */
  private current = 0;

  constructor(
    readonly source: string,
    segments: readonly Segment[],
  ) {
    const parts: (string | QueryPart)[] = [];
    let n = 0;
    for (const s of segments) {
      if (s.kind === "text") {
        parts.push(s.text);
        continue;
      }
      const part = n++;
      if (s.node instanceof Literal) {
        parts.push(toText(s.node.value));
        continue;
      }
      const { line, column } = position(source, s.start);
      parts.push({ node: s.node, source: s.source, part, line, column, emit: emitterFor(s.node) });
    }
    // Merge adjacent text so a static result is one string.
    const merged: (string | QueryPart)[] = [];
    for (const p of parts) {
      const last = merged[merged.length - 1];
      if (typeof p === "string" && typeof last === "string") merged[merged.length - 1] = last + p;
      else if (p !== "") merged.push(p);
    }
    this.parts = merged;
    this.dynamicCount = n;
    const queries = merged.filter((p): p is QueryPart => typeof p !== "string");
    this.isStatic = queries.length === 0;
    this.staticText = this.isStatic ? ((merged[0] as string | undefined) ?? "") : undefined;
    this.render = this.buildRender(merged);
  }

  private buildRender(parts: readonly (string | QueryPart)[]): Emit {
    if (parts.length === 1 && typeof parts[0] !== "string") {
      const q = parts[0] as QueryPart;
      this.current = 0;
      return q.emit;
    }
    if (parts.length === 2) {
      const [a, b] = parts;
      if (typeof a === "string" && typeof b !== "string") {
        const e = (b as QueryPart).emit;
        return (m, bt, i) => {
          this.current = 1;
          return a + e(m, bt, i);
        };
      }
      if (typeof a !== "string" && typeof b === "string") {
        const e = (a as QueryPart).emit;
        return (m, bt, i) => {
          this.current = 0;
          return e(m, bt, i) + b;
        };
      }
    }
    return (m, bt, i) => {
      let out = "";
      for (let k = 0; k < parts.length; k++) {
        const p = parts[k] as string | QueryPart;
        if (typeof p === "string") out += p;
        else {
          this.current = k;
          out += p.emit(m, bt, i);
        }
      }
      return out;
    };
  }

  private toError(e: unknown): InterpolationError {
    const p = this.parts[this.current];
    const q: QueryPart | undefined = typeof p === "string" || p === undefined ? undefined : p;
    const init = q
      ? { expression: q.source, part: q.part, line: q.line, column: q.column }
      : { expression: "", part: 0, line: 1, column: 1 };
    if (e instanceof QueryError)
      return new InterpolationError(e.code, e.message, init, { cause: e.cause ?? e });
    if (e instanceof RangeError) {
      return new InterpolationError("FAILED", "expression too deeply nested to evaluate", init, { cause: e });
    }
    return new InterpolationError("FAILED", e instanceof Error ? e.message : String(e), init, { cause: e });
  }

  evaluate(message: Message): string {
    if (this.staticText !== undefined) return this.staticText;
    try {
      return this.render(message, message._batch, message._index);
    } catch (e) {
      throw this.toError(e);
    }
  }

  evaluateAt(batch: MessageBatch, index: number): string {
    if (this.staticText !== undefined) return this.staticText;
    if (emptyMessage === undefined) emptyMessage = new Message();
    const msg = batch.at(index) ?? emptyMessage;
    try {
      return this.render(msg, batch, index);
    } catch (e) {
      throw this.toError(e);
    }
  }

  tryString(message: Message): Result<string, InterpolationError> {
    try {
      return { ok: true, value: this.evaluate(message) };
    } catch (e) {
      if (e instanceof InterpolationError) return { ok: false, error: e };
      return { ok: false, error: this.toError(e) };
    }
  }

  evaluateBytes(message: Message): Uint8Array {
    if (this.staticText !== undefined) {
      this.staticBytes ??= utf8Encode(this.staticText);
      return this.staticBytes;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (let k = 0; k < this.parts.length; k++) {
        const p = this.parts[k] as string | QueryPart;
        let b: Uint8Array;
        if (typeof p === "string") b = utf8Encode(p);
        else {
          this.current = k;
          b = toBytes(p.node.exec(rootCtx(message, message._batch, message._index)));
        }
        chunks.push(b);
        total += b.length;
      }
    } catch (e) {
      throw this.toError(e);
    }
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }

  tryBytes(message: Message): Result<Uint8Array, InterpolationError> {
    try {
      return { ok: true, value: this.evaluateBytes(message) };
    } catch (e) {
      if (e instanceof InterpolationError) return { ok: false, error: e };
      return { ok: false, error: this.toError(e) };
    }
  }
}
