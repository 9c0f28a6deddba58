import type { ParseErrorCode } from "../errors.js";

// Results and combinators of the reference's `parser/combinators.go`.

export interface PErr {
  /** UTF-16 index where the problem is. */
  readonly pos: number;
  readonly expected: readonly string[];
  /** Set for fatal errors ("required", or a constructor's message). */
  readonly err: string | undefined;
  readonly code: ParseErrorCode | undefined;
}

export type Res<T> = { ok: true; v: T; rem: number } | { ok: false; e: PErr; rem: number };

export function ok<T>(v: T, rem: number): Res<T> {
  return { ok: true, v, rem };
}

export function fail<T>(e: PErr, rem: number): Res<T> {
  return { ok: false, e, rem };
}

export function perr(pos: number, ...expected: string[]): PErr {
  return { pos, expected, err: undefined, code: undefined };
}

export function fatal(pos: number, message: string, code: ParseErrorCode): PErr {
  return { pos, expected: [], err: message, code };
}

export function isFatal(e: PErr): boolean {
  return e.err !== undefined;
}

/** `MustBe`: a non-fatal error becomes fatal ("required"). */
export function mustBe<T>(r: Res<T>): Res<T> {
  if (r.ok || isFatal(r.e)) return r;
  return { ok: false, e: { ...r.e, err: "required" }, rem: r.rem };
}

/** `Expect`: a non-fatal error's expectations are replaced. */
export function expect<T>(r: Res<T>, ...expected: string[]): Res<T> {
  if (r.ok || isFatal(r.e)) return r;
  return { ok: false, e: { ...r.e, expected }, rem: r.rem };
}

/** `OneOf`: first success or fatal error; otherwise the furthest error (merged when tied). */
export function oneOf<T>(p: number, parsers: readonly ((p: number) => Res<T>)[]): Res<T> {
  let best: PErr | undefined;
  for (const parser of parsers) {
    const r = parser(p);
    if (r.ok || isFatal(r.e)) return r;
    if (best === undefined || best.pos < r.e.pos) best = r.e;
    else if (best.pos === r.e.pos) best = { ...best, expected: [...best.expected, ...r.e.expected] };
  }
  return fail(best as PErr, p);
}

/** `Error.Add`. */
export function addErr(a: PErr, b: PErr): PErr {
  return {
    pos: a.pos,
    expected: [...a.expected, ...b.expected],
    err: a.err ?? b.err,
    code: a.code ?? b.code,
  };
}

export const MAX_DEPTH = 200;

export interface PCtx {
  readonly named: ReadonlySet<string>;
  readonly depth: number;
}

export function isWordChar(c: string | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_")
  );
}

export function isSnakeChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c === "_");
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}
