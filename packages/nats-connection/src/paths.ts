import type { ConfigIssue } from "./errors.js";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** How field paths are spelled in messages: as in YAML (`snake`) or as in the TypeScript API (`camel`). */
export type PathStyle = "snake" | "camel";

export function snakeToCamel(key: string): string {
  // Only an inner `_x`: `__proto__` stays as it is.
  return key.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * `tls.client_certs[0].key_file`. A key that is not a plain name (an unknown key with a dot, a
 * bracket, a space in it) is written quoted, `auth["a.b"]`, so a path reads back one way only.
 */
export function renderPath(path: Path, style: PathStyle = "snake", quote = true): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (quote && !PLAIN_KEY.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += (out ? "." : "") + (style === "camel" ? snakeToCamel(seg) : seg);
  }
  return out;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** An issue before its path is rendered, so one validator serves both naming styles. */
export interface RawIssue {
  path: Path;
  message: string;
  /** Path and message name fields in another source's spelling (a nats context, env vars): render them as they are. */
  verbatim?: boolean;
}

function camelFieldNames(message: string): string {
  return message
    .split(/('[^']*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, snakeToCamel)))
    .join("");
}

export function renderIssues(issues: readonly RawIssue[], style: PathStyle): ConfigIssue[] {
  return issues.map((i) => ({
    // A verbatim issue's path names what another source calls it (`NATS_USER, NATS_TOKEN`).
    path: renderPath(i.path, style, !i.verbatim),
    // Messages name other fields in YAML spelling; the typed API's users see their own spelling.
    // Quoted parts ('/etc/nats/my_user.creds', urls) are the user's own text and stay as they are.
    message: style === "camel" && !i.verbatim ? camelFieldNames(i.message) : i.message,
  }));
}

/** Deeply renames object keys from camelCase to snake_case (arrays are walked, values kept). */
export function keysToSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysToSnake);
  if (value === null || typeof value !== "object" || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty: a `__proto__` key from JSON stays an own (unknown) field, not a prototype.
    Object.defineProperty(out, camelToSnake(k), {
      value: keysToSnake(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
