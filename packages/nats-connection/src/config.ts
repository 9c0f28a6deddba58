import { parseDuration } from "./duration.js";
import { ConfigError } from "./errors.js";
import { readNatsContext } from "./nats-context.js";
import type { ContextFields, NatsContextOptions } from "./nats-settings.js";
import { type FieldOrigin, translateOrigins } from "./origins.js";
import {
  isPlainObject,
  keysToSnake,
  type Path,
  type PathStyle,
  type RawIssue,
  renderIssues,
} from "./paths.js";
import { hideConfigSecrets } from "./redact.js";
import { connectionConfigSchema, type ParsedConnectionFields } from "./schema.js";
import type {
  AuthMethod,
  ClientCertConfig,
  ConnectionConfig,
  NatsConnectionOptions,
  PemSource,
  RawAuthConfig,
  RawTlsConfig,
  TlsConfig,
} from "./types.js";
import { expandUrls, type UrlCredentials } from "./urls.js";
import { type Infer, type ObjectSchema, type Shape, typeOf, validate } from "./validate.js";

/** Redpanda Connect's Go client reconnects 60 times by default; nats.js would stop after 10. */
export const DEFAULT_MAX_RECONNECTS = 60;

/**
 * How long the first connect waits for a server by default: rides out a server restart or a
 * pipeline started beside its server, while a wrong url still surfaces within half a minute.
 */
export const DEFAULT_WAIT_ON_FIRST_CONNECT = "30s";

export interface ParseOptions extends NatsContextOptions {
  /** The component label; it becomes the connection name. */
  label?: string;
}

/**
 * Validates a Redpanda Connect connection config (snake_case, as parsed from YAML) and returns
 * the normalized config. Reads no files, except the nats CLI context a `context` field names
 * (`options.env` / `options.home` say where to look). Throws {@link ConfigError} listing every
 * problem.
 */
export function parseConnectionConfig(input: unknown, options: ParseOptions = {}): ConnectionConfig {
  if (options === null || typeof options !== "object") {
    throw new ConfigError([
      { path: "", message: `expected parse options ({ label }), got ${typeOf(options)}` },
    ]);
  }
  return parseWith(input, options, "snake");
}

export function parseWith(
  input: unknown,
  options: ParseOptions & { origins?: readonly FieldOrigin[] },
  pathStyle: PathStyle,
): ConnectionConfig {
  const { data, issues: schemaIssues } = parseFields(connectionConfigSchema, input);
  const { config, issues } = normalizeConnectionConfig(data, { ...options, pathStyle });
  // A bad `context` value was still meant to give the urls.
  const badContext = schemaIssues.some((i) => i.path[0] === "context");
  const cross = badContext ? issues.filter((i) => !(i.path.length === 1 && i.path[0] === "urls")) : issues;
  const all = mergeIssues(schemaIssues, cross);
  if (all.length > 0) throw new ConfigError(renderIssues(all, pathStyle));
  return config;
}

/**
 * Parses each field of an object schema on its own, so one bad field does not hide the problems
 * of the others: returns the fields that parsed, and an issue for each one that did not and for
 * each unknown field. Run the cross-field checks on `data` (with fallbacks for required fields)
 * and combine with {@link mergeIssues}.
 */
export function parseFields<S extends Shape>(
  schema: ObjectSchema<S>,
  input: unknown,
): { data: Partial<Infer<ObjectSchema<S>>>; issues: RawIssue[] } {
  const issues: RawIssue[] = [];
  const data: Record<string, unknown> = {};
  if (!isPlainObject(input)) {
    issues.push({ path: [], message: `expected an object, got ${typeOf(input)}` });
    return { data: data as Partial<Infer<ObjectSchema<S>>>, issues };
  }
  const shape: Shape = schema.def.shape;
  // Own keys only: `constructor` or `__proto__` in a config is an unknown field, not a match.
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(shape, key)) issues.push({ path: [key], message: "unknown field" });
  }
  for (const [key, field] of Object.entries(shape)) {
    const value = Object.hasOwn(input, key) ? input[key] : undefined;
    const r = validate(field, value);
    if (!r.ok) {
      for (const i of r.issues) issues.push({ path: [key, ...i.path], message: i.message });
    } else if (r.value !== undefined) data[key] = r.value;
  }
  return { data: data as Partial<Infer<ObjectSchema<S>>>, issues };
}

/** Schema issues, plus the cross-field issues that are not about a field already reported. */
export function mergeIssues(schemaIssues: readonly RawIssue[], crossIssues: readonly RawIssue[]): RawIssue[] {
  const bad = schemaIssues.map((i) => i.path);
  const under = (p: Path, q: Path) => q.length <= p.length && q.every((s, k) => s === p[k]);
  // A cross-field issue inside a bad field, or on the field a bad item belongs to (`urls` when
  // `urls[1]` is not a string), is a consequence of the schema issue: only the cause is reported.
  const related = (i: RawIssue) =>
    bad.some((b) => under(i.path, b) || (i.path.length > 0 && under(b, i.path)));
  return [...schemaIssues, ...crossIssues.filter((i) => !related(i))];
}

/** Same as {@link parseConnectionConfig} for the camelCase TypeScript API; paths in errors are camelCase. */
export function parseConnectionOptions(options: NatsConnectionOptions): ConnectionConfig {
  if (!isPlainObject(options)) throw new ConfigError([{ path: "", message: "expected an options object" }]);
  const { name, ...rest } = options;
  if (name !== undefined && typeof name !== "string") {
    throw new ConfigError([{ path: "name", message: `expected string, got ${typeOf(name)}` }]);
  }
  return parseWith(keysToSnake(rest), name === undefined ? {} : { label: name }, "camel");
}

/** The explicit fields, with the context's filling the gaps (as natscli flags override a context). */
function mergeContext(
  raw: Partial<ParsedConnectionFields>,
  ctx: ContextFields,
): { merged: Partial<ParsedConnectionFields>; used: FieldOrigin[] } {
  const c = ctx.fields;
  const merged: Partial<ParsedConnectionFields> = { ...raw };
  const used = new Set<string>();
  const explicitUrls = raw.urls !== undefined && expandUrls(raw.urls).servers.length > 0;
  if (!explicitUrls && c.urls !== undefined) {
    merged.urls = c.urls;
    used.add("urls");
  }
  // Credentials are all-or-nothing: explicit auth (or url credentials) replaces the context's.
  const explicitAuth =
    Object.values(raw.auth ?? {}).some((v) => v !== undefined) ||
    (explicitUrls && expandUrls(raw.urls ?? []).credentials !== undefined);
  if (!explicitAuth && c.auth) {
    merged.auth = c.auth;
    used.add("auth");
  }
  if (c.tls) {
    const t = raw.tls ?? {};
    const defined = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
    const fromContext = { ...c.tls };
    if (nonEmpty(t.root_cas) || nonEmpty(t.root_cas_file)) delete fromContext.root_cas_file;
    else if (fromContext.root_cas_file !== undefined) used.add("tls.root_cas_file");
    const tls: NonNullable<ParsedConnectionFields["tls"]> = { ...fromContext, ...defined };
    if (t.client_certs === undefined && tls.client_certs) used.add("tls.client_certs");
    merged.tls = tls;
    used.add("tls");
  }
  if (raw.tls_handshake_first === undefined && c.tls_handshake_first !== undefined) {
    merged.tls_handshake_first = c.tls_handshake_first;
    used.add("tls_handshake_first");
  }
  if (raw.inbox_prefix === undefined && c.inbox_prefix !== undefined) {
    merged.inbox_prefix = c.inbox_prefix;
    used.add("inbox_prefix");
  }
  const key = (o: FieldOrigin) => {
    const [a, b] = o.from;
    return a === "tls" && (b === "root_cas_file" || b === "client_certs") ? `tls.${b}` : String(a);
  };
  return { merged, used: ctx.origins.filter((o) => used.has(key(o))) };
}

const INBOX_PREFIX = /^[^\s*>]+$/;

/**
 * The cross-field rules, for components that parse the connection fields as part of a larger
 * schema (see `connectionFields`). Issue paths are relative to the connection fields; `prefix`
 * is prepended.
 */
export function normalizeConnectionConfig(
  input: Partial<ParsedConnectionFields>,
  options: ParseOptions & { pathStyle?: PathStyle; prefix?: Path; origins?: readonly FieldOrigin[] } = {},
): { config: ConnectionConfig; issues: RawIssue[] } {
  const prefix = options.prefix ?? [];
  const issues: RawIssue[] = [];
  const at = (...p: Path) => [...prefix, ...p];
  const push = (path: Path, message: string) => issues.push({ path: at(...path), message });

  let raw = input;
  let context: ConnectionConfig["context"];
  const origins: FieldOrigin[] = [];
  if (input.context !== undefined) {
    const read = readNatsContext(input.context, options, at("context"));
    issues.push(...read.issues);
    context = { name: read.name, file: read.file };
    if (read.fields) {
      const { merged, used } = mergeContext(input, read.fields);
      raw = merged;
      origins.push(...used);
    }
  }
  // Components default a missing `urls` to []: both mean "no url", and a context fills it.
  const urls = expandUrls(raw.urls ?? []);
  if (raw.urls === undefined) {
    if (context === undefined) push(["urls"], "required");
  } else for (const i of urls.issues) push(i.path, i.message);

  let inboxPrefix: string | undefined;
  if (raw.inbox_prefix !== undefined) {
    if (
      !INBOX_PREFIX.test(raw.inbox_prefix) ||
      raw.inbox_prefix.endsWith(".") ||
      raw.inbox_prefix.startsWith(".")
    ) {
      push(
        ["inbox_prefix"],
        `'${raw.inbox_prefix}' is not a valid subject prefix (no spaces, '*' or '>', and no leading or trailing '.')`,
      );
    } else inboxPrefix = raw.inbox_prefix;
  }

  const auth = selectAuth(raw.auth ?? {}, urls.credentials, push);

  let maxReconnects = raw.max_reconnects ?? DEFAULT_MAX_RECONNECTS;
  if (maxReconnects < 0) maxReconnects = -1;

  const waitOnFirstConnectMs = firstConnectWait(raw.wait_on_first_connect, push);

  // As in the Go client, a tls:// url requires TLS even without a tls section.
  const tlsScheme = urls.servers.some((s) => s.url.startsWith("tls://"));
  const tls = normalizeTls(raw.tls, raw.tls_handshake_first ?? false, tlsScheme, at, push);

  const rawLabel: unknown = options.label;
  if (rawLabel !== undefined && typeof rawLabel !== "string") {
    // The label is the component's, not one of the connection fields: no prefix.
    issues.push({ path: ["label"], message: `expected string, got ${typeOf(rawLabel)}` });
  }
  const label = typeof rawLabel === "string" ? rawLabel.trim() : undefined;
  // Context origins first: an env var (NATS_CONTEXT) may in turn have named the context.
  const stages = [origins, options.origins ?? []].filter((o) => o.length > 0);
  const config: ConnectionConfig = {
    servers: urls.servers,
    name: label ? label : undefined,
    maxReconnects,
    waitOnFirstConnectMs,
    auth,
    tls,
    pathStyle: options.pathStyle ?? "snake",
    ...(inboxPrefix === undefined ? {} : { inboxPrefix }),
    ...(context === undefined ? {} : { context }),
    ...(stages.length === 0 ? {} : { origins: { prefix, stages } }),
  };
  return { config: hideConfigSecrets(config), issues: translateOrigins(issues, config) };
}

type Push = (path: Path, message: string) => void;

function firstConnectWait(value: unknown, push: Push): number {
  const fallback = parseDuration(DEFAULT_WAIT_ON_FIRST_CONNECT) as { ms: number };
  if (value === undefined) return fallback.ms;
  if (typeof value !== "string" && typeof value !== "number") {
    // `true` is what a nats.js user (waitOnFirstConnect) would write.
    push(
      ["wait_on_first_connect"],
      `expected a duration such as '30s' ('0': one attempt, negative: no limit), got ${typeOf(value)}`,
    );
    return fallback.ms;
  }
  const d = parseDuration(value);
  if ("error" in d) {
    push(["wait_on_first_connect"], d.error);
    return fallback.ms;
  }
  return d.ms < 0 ? -1 : d.ms;
}

const nonEmpty = (s: string | undefined): s is string => s !== undefined && s !== "";

function selectAuth(a: RawAuthConfig, fromUrl: UrlCredentials | undefined, push: Push): AuthMethod {
  const methods: AuthMethod[] = [];
  const names: string[] = [];
  const add = (name: string, m: AuthMethod) => {
    names.push(name);
    methods.push(m);
  };

  if (nonEmpty(a.nkey_file)) add("nkey_file", { kind: "nkey_file", file: a.nkey_file });
  if (nonEmpty(a.nkey)) add("nkey", { kind: "nkey", seed: a.nkey.trim() });
  if (nonEmpty(a.user_credentials_file)) {
    add("user_credentials_file", { kind: "user_credentials_file", file: a.user_credentials_file });
  }
  // Both are trimmed when used, so a blank one counts as missing.
  const jwtSet = nonEmpty(a.user_jwt?.trim());
  const seedSet = nonEmpty(a.user_nkey_seed?.trim());
  if (nonEmpty(a.user_jwt) || nonEmpty(a.user_nkey_seed)) {
    // The reference accepts a jwt with an empty seed and then silently connects without auth.
    if (!seedSet) push(["auth", "user_nkey_seed"], "required when auth.user_jwt is set");
    else if (!jwtSet) push(["auth", "user_jwt"], "required when auth.user_nkey_seed is set");
    add("user_jwt+user_nkey_seed", {
      kind: "user_jwt",
      jwt: (a.user_jwt ?? "").trim(),
      seed: (a.user_nkey_seed ?? "").trim(),
    });
  }
  if (nonEmpty(a.token)) add("token", { kind: "token", token: a.token, from: "auth" });

  const hasUser = a.user !== undefined;
  const hasPassword = a.password !== undefined;
  if (hasUser && !hasPassword) push(["auth", "password"], "required when auth.user is set");
  else if (hasPassword && !hasUser) push(["auth", "user"], "required when auth.password is set");
  else if (hasUser && hasPassword) {
    if (a.user === "" && a.password === "") push(["auth"], "auth.user and auth.password are both empty");
    else
      add("user+password", {
        kind: "user_password",
        user: a.user ?? "",
        password: a.password ?? "",
        from: "auth",
      });
  }

  if (methods.length > 1) {
    push(["auth"], `multiple auth methods configured (${names.join(", ")}); only one is permitted`);
  }
  if (fromUrl) {
    if (methods.length > 0) {
      push(["urls"], `credentials in a url conflict with auth.${names[0]}; use only one of them`);
    } else {
      return fromUrl.kind === "token"
        ? { kind: "token", token: fromUrl.token, from: "url" }
        : { kind: "user_password", user: fromUrl.user, password: fromUrl.password, from: "url" };
    }
  }
  return methods[0] ?? { kind: "none" };
}

function normalizeTls(
  t: RawTlsConfig | undefined,
  handshakeFirst: boolean,
  tlsScheme: boolean,
  at: (...p: Path) => Path,
  push: Push,
): TlsConfig | undefined {
  // As in Redpanda Connect, `enabled: false` ignores the other settings; handshake-first and
  // tls:// urls need TLS (with the system's CAs unless the tls section says otherwise).
  if (!t?.enabled && !handshakeFirst && !tlsScheme) return undefined;
  const tls = t?.enabled ? t : {};

  let rootCas: PemSource | undefined;
  if (nonEmpty(tls.root_cas) && nonEmpty(tls.root_cas_file)) {
    push(["tls"], "only one of root_cas and root_cas_file can be specified");
  } else if (nonEmpty(tls.root_cas)) {
    rootCas = { kind: "inline", pem: tls.root_cas, path: at("tls", "root_cas") };
  } else if (nonEmpty(tls.root_cas_file)) {
    rootCas = { kind: "file", file: tls.root_cas_file, path: at("tls", "root_cas_file") };
  }

  const clientCerts: ClientCertConfig[] = [];
  (tls.client_certs ?? []).forEach((c, index) => {
    const p = (f: string) => ["tls", "client_certs", index, f] as Path;
    const inline = nonEmpty(c.cert) || nonEmpty(c.key);
    const files = nonEmpty(c.cert_file) || nonEmpty(c.key_file);
    if (inline && files) {
      push(["tls", "client_certs", index], "set either cert and key, or cert_file and key_file, not both");
      return;
    }
    if (!inline && !files) {
      push(["tls", "client_certs", index], "needs cert and key, or cert_file and key_file");
      return;
    }
    const [certField, keyField] = files ? ["cert_file", "key_file"] : ["cert", "key"];
    const certValue = files ? c.cert_file : c.cert;
    const keyValue = files ? c.key_file : c.key;
    if (!nonEmpty(certValue)) push(p(certField), `required when ${keyField} is set`);
    if (!nonEmpty(keyValue)) push(p(keyField), `required when ${certField} is set`);
    if (!nonEmpty(certValue) || !nonEmpty(keyValue)) return;
    const source = (value: string, field: string): PemSource =>
      files
        ? { kind: "file", file: value, path: at(...p(field)) }
        : { kind: "inline", pem: value, path: at(...p(field)) };
    clientCerts.push({
      cert: source(certValue, certField),
      key: source(keyValue, keyField),
      password: nonEmpty(c.password) ? c.password : undefined,
      index,
    });
  });

  return {
    skipCertVerify: tls.skip_cert_verify ?? false,
    enableRenegotiation: tls.enable_renegotiation ?? false,
    rootCas,
    clientCerts,
    handshakeFirst,
  };
}
