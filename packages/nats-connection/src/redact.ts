import { looksLikeFileContent } from "./content.js";
import { inspect } from "./node-builtins.js";
import { isPlainObject, snakeToCamel } from "./paths.js";
import { FILE_PATHS, SECRET_PATHS } from "./schema.js";
import type { AuthMethod, ClientCertConfig, ConnectionConfig, PemSource, TlsConfig } from "./types.js";
import { redactUrl } from "./urls.js";
import { connectionWarnings } from "./warnings.js";

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
  const camel = (path: readonly string[]) => path.map((s) => (s === "*" ? s : snakeToCamel(s)));
  for (const path of SECRET_PATHS) {
    maskPath(copy, path);
    maskPath(copy, camel(path));
  }
  // A seed or PEM pasted into a `*_file` field is a secret too; a path stays readable.
  const pasted = (v: unknown) => typeof v === "string" && looksLikeFileContent(v);
  for (const path of FILE_PATHS) {
    maskPath(copy, path, pasted);
    maskPath(copy, camel(path), pasted);
  }
  const urls = copy.urls;
  if (typeof urls === "string") copy.urls = redactUrl(urls);
  else if (Array.isArray(urls)) copy.urls = urls.map((u) => (typeof u === "string" ? redactUrl(u) : u));
  return copy as T;
}

function maskPath(node: unknown, path: readonly string[], when?: (v: unknown) => boolean): void {
  if (path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === "*") {
    if (Array.isArray(node)) for (const item of node) maskPath(item, rest, when);
    return;
  }
  if (!isPlainObject(node) || !Object.hasOwn(node, head)) return;
  if (rest.length === 0) {
    const v = node[head];
    // Any non-empty value: YAML reads `password: 123456` as a number.
    if (v !== undefined && v !== null && v !== "" && (when?.(v) ?? true)) node[head] = SECRET_MASK;
    return;
  }
  maskPath(node[head], rest, when);
}

/**
 * A printable summary of a validated config: servers, name, auth method, TLS shape (with
 * `insecure: true` when the server certificate is not checked) and the
 * {@link connectionWarnings} — no secrets.
 */
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
          insecure: config.tls.skipCertVerify,
          rootCas: config.tls.rootCas ? describePem(config.tls.rootCas) : "system",
          clientCerts: config.tls.clientCerts.length,
          handshakeFirst: config.tls.handshakeFirst,
        }
      : false,
    warnings: connectionWarnings(config),
    ...(config.inboxPrefix === undefined ? {} : { inboxPrefix: config.inboxPrefix }),
    ...(config.context === undefined ? {} : { context: { ...config.context } }),
  };
}

function describePem(src: PemSource): string {
  if (src.kind === "inline") return "inline";
  return looksLikeFileContent(src.file) ? SECRET_MASK : src.file;
}

/** The auth method without its secrets: kind, user, source, file path. */
function redactAuth(auth: AuthMethod): Record<string, unknown> {
  switch (auth.kind) {
    case "nkey_file":
    case "user_credentials_file":
      return { kind: auth.kind, file: looksLikeFileContent(auth.file) ? SECRET_MASK : auth.file };
    case "nkey":
      return { kind: auth.kind, seed: SECRET_MASK };
    case "user_jwt":
      return { kind: auth.kind, jwt: SECRET_MASK, seed: SECRET_MASK };
    case "token":
      return { kind: auth.kind, token: SECRET_MASK, from: auth.from };
    case "user_password":
      return { kind: auth.kind, user: auth.user, password: SECRET_MASK, from: auth.from };
    default:
      return { kind: auth.kind };
  }
}

const redactPem = (src: PemSource) =>
  src.kind === "inline"
    ? { kind: src.kind, pem: SECRET_MASK, path: src.path }
    : { kind: src.kind, file: describePem(src), path: src.path };

/**
 * Makes `JSON.stringify`, `util.inspect` / `console.log` and `String` of an object that holds
 * secrets show `view()` instead. The secrets stay readable as properties for the code that
 * needs them; the added methods are not enumerable, so spreads and equality checks ignore them.
 */
export function hideSecrets<T extends object>(target: T, view: () => unknown): T {
  const show = () => view();
  for (const key of ["toJSON", inspect.custom] as const) {
    Object.defineProperty(target, key, {
      value: show,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(target, "toString", {
    value: () => inspect(view(), { depth: 4, breakLength: Number.POSITIVE_INFINITY }),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return target;
}

/** Applies {@link hideSecrets} to a validated config and every part of it that holds a secret. */
export function hideConfigSecrets(config: ConnectionConfig): ConnectionConfig {
  hideSecrets(config.auth, () => redactAuth(config.auth));
  if (config.tls) hideTlsSecrets(config.tls);
  return hideSecrets(config, () => describeConnection(config));
}

function hideTlsSecrets(tls: TlsConfig): void {
  if (tls.rootCas) hideSecrets(tls.rootCas, () => redactPem(tls.rootCas as PemSource));
  for (const cc of tls.clientCerts) {
    hideSecrets(cc.cert, () => redactPem(cc.cert));
    hideSecrets(cc.key, () => redactPem(cc.key));
    hideSecrets(cc, () => redactClientCert(cc));
  }
  hideSecrets(tls, () => ({
    ...tls,
    rootCas: tls.rootCas ? redactPem(tls.rootCas) : undefined,
    clientCerts: tls.clientCerts.map(redactClientCert),
  }));
}

const redactClientCert = (cc: ClientCertConfig) => ({
  cert: redactPem(cc.cert),
  key: redactPem(cc.key),
  password: cc.password === undefined ? undefined : SECRET_MASK,
  index: cc.index,
});
