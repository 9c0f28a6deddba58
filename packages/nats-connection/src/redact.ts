import { isPlainObject, snakeToCamel } from "./paths.js";
import { SECRET_PATHS } from "./schema.js";
import type { ConnectionConfig } from "./types.js";
import { redactUrl } from "./urls.js";

/** What a secret is replaced with, as in Redpanda Connect's config dumps. */
export const SECRET_MASK = "!!!SECRET_SCRUBBED!!!";

/**
 * A deep copy of a config (YAML shape or camelCase options, or a whole component config that
 * contains the connection fields at its top level) with every secret masked: passwords, tokens,
 * seeds, JWTs, inline private keys (of any type, e.g. a number), and credentials inside URLs
 * (each item of a comma-separated list). Empty values stay empty.
 */
export function redactConnectionConfig<T>(config: T): T {
  const copy = structuredClone(config) as unknown;
  if (!isPlainObject(copy)) return copy as T;
  for (const path of SECRET_PATHS) {
    maskPath(copy, path);
    maskPath(
      copy,
      path.map((s) => (s === "*" ? s : snakeToCamel(s))),
    );
  }
  const urls = copy.urls;
  if (typeof urls === "string") copy.urls = redactUrl(urls);
  else if (Array.isArray(urls)) copy.urls = urls.map((u) => (typeof u === "string" ? redactUrl(u) : u));
  return copy as T;
}

function maskPath(node: unknown, path: readonly string[]): void {
  if (path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === "*") {
    if (Array.isArray(node)) for (const item of node) maskPath(item, rest);
    return;
  }
  if (!isPlainObject(node) || !(head in node)) return;
  if (rest.length === 0) {
    const v = node[head];
    // Any non-empty value: YAML reads `password: 123456` as a number.
    if (v !== undefined && v !== null && v !== "") node[head] = SECRET_MASK;
    return;
  }
  maskPath(node[head], rest);
}

/** A printable summary of a validated config: servers, name, auth method, TLS shape — no secrets. */
export function describeConnection(config: ConnectionConfig): Record<string, unknown> {
  return {
    servers: config.servers.map((s) => s.url),
    name: config.name,
    maxReconnects: config.maxReconnects,
    waitOnFirstConnectMs: config.waitOnFirstConnectMs,
    auth: config.auth.kind,
    tls: config.tls
      ? {
          skipCertVerify: config.tls.skipCertVerify,
          rootCas: config.tls.rootCas
            ? config.tls.rootCas.kind === "file"
              ? config.tls.rootCas.file
              : "inline"
            : "system",
          clientCerts: config.tls.clientCerts.length,
          handshakeFirst: config.tls.handshakeFirst,
        }
      : false,
  };
}
