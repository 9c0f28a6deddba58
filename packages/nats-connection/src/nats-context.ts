import { ConfigError } from "./errors.js";
import {
  type ContextFields,
  expandPath,
  type Lookup,
  lookupOf,
  NATS_DEFAULT_URL,
  type NatsContextOptions,
  type NatsSettings,
  type Report,
  settingsToFields,
} from "./nats-settings.js";
import { readFileSync } from "./node-builtins.js";
import { isPlainObject, type Path, type RawIssue } from "./paths.js";
import { hideSecrets, redactConnectionConfig } from "./redact.js";
import type { RawConnectionConfig } from "./types.js";
import { typeOf } from "./validate.js";

// The `nats` CLI's contexts (jsm.go `natscontext`): one JSON file per context in
// `$XDG_CONFIG_HOME/nats/context/<name>.json` (default `~/.config/nats/context`), written by
// `nats context save`. Each field maps onto the connection config; what natskit cannot honour
// is an error naming the field, never silently dropped.

/** A loaded context. Its `config` holds secrets: `util.inspect` and `JSON.stringify` show them masked. */
export interface NatsContext {
  /** The context name (`prod`), or the file's base name when it was given as a path. */
  readonly name: string;
  /** The absolute path of the context file. */
  readonly file: string;
  /** The context as connection config fields (snake_case), ready for `parseConnectionConfig`. */
  readonly config: RawConnectionConfig;
}

const STRING_FIELDS = [
  "description",
  "url",
  "socks_proxy",
  "token",
  "user",
  "password",
  "creds",
  "nkey",
  "cert",
  "key",
  "ca",
  "nsc",
  "jetstream_domain",
  "jetstream_api_prefix",
  "jetstream_event_prefix",
  "inbox_prefix",
  "user_jwt",
  "user_seed",
  "color_scheme",
  "windows_cert_store",
  "windows_cert_match_by",
  "windows_cert_match",
  "name",
] as const;

/** Context fields natskit refuses, and why: using the context without them would connect differently. */
export const UNSUPPORTED_CONTEXT_FIELDS: Readonly<Record<string, string>> = {
  socks_proxy: "not supported: the Node client cannot dial through a SOCKS5 proxy",
  nsc: "not supported: natskit does not run the nsc tool; save the context with creds pointing at the user's .creds file",
  jetstream_domain:
    "not supported: natskit's components use the account's own JetStream API; use a context without a JetStream domain",
  jetstream_api_prefix:
    "not supported: natskit's components use the account's own JetStream API ($JS.API); use a context without an API prefix",
  windows_cert_store:
    "not supported: Node's TLS cannot use the Windows certificate store; export the certificate and key to PEM files and set cert, key and ca",
  windows_cert_match:
    "not supported: the Windows certificate store is not available (see windows_cert_store)",
  windows_cert_match_by:
    "not supported: the Windows certificate store is not available (see windows_cert_store)",
  windows_ca_certs_match:
    "not supported: the Windows certificate store is not available (see windows_cert_store)",
};

/** Context fields that change nothing about the connection: accepted and ignored. */
export const IGNORED_CONTEXT_FIELDS = [
  "name",
  "description",
  "color_scheme",
  "jetstream_event_prefix",
] as const;

const CONTEXT_NAMES: Readonly<Record<keyof NatsSettings, string>> = {
  url: "url",
  user: "user",
  password: "password",
  token: "token",
  creds: "creds",
  nkey: "nkey",
  user_jwt: "user_jwt",
  user_seed: "user_seed",
  cert: "cert",
  key: "key",
  ca: "ca",
  tls_first: "tls_first",
  inbox_prefix: "inbox_prefix",
};

/** The directory natscli keeps contexts in: `$XDG_CONFIG_HOME/nats` or `~/.config/nats`. */
export function natsConfigDir(options: NatsContextOptions = {}): string {
  const lookup = lookupOf(options);
  const xdg = lookup.env.XDG_CONFIG_HOME;
  return `${xdg ? xdg.replace(/\/+$/, "") : `${lookup.home}/.config`}/nats`;
}

/** Whether a `context` value is a file path (has a `/` or ends in `.json`) rather than a name. */
const isPath = (ref: string) => /[/\\]/.test(ref) || ref.endsWith(".json");

/** Where a context named or pointed at by `ref` lives. */
function contextFile(
  ref: string,
  lookup: Lookup,
  options: NatsContextOptions,
): { name: string; file: string } {
  if (isPath(ref)) {
    const expanded = expandPath(ref, lookup);
    const { resolve, basename } = process.getBuiltinModule("node:path");
    return { name: basename(expanded).replace(/\.json$/, ""), file: resolve(expanded) };
  }
  return { name: ref, file: `${natsConfigDir(options)}/context/${ref}.json` };
}

export interface ReadContext {
  readonly name: string;
  readonly file: string;
  readonly fields: ContextFields | undefined;
  /** Issues at `at`, each message starting with `'name' (file): `. */
  readonly issues: RawIssue[];
}

/**
 * Reads and checks a context file. Issues are reported at `at` (the config's `context` field),
 * each naming the context, its file and the context field: `'prod' (/…/prod.json): creds: …`.
 */
export function readNatsContext(ref: string, options: NatsContextOptions, at: Path): ReadContext {
  const lookup = lookupOf(options);
  const issues: RawIssue[] = [];
  const trimmed = ref.trim();
  if (trimmed === "") {
    issues.push({
      path: at,
      message: "empty: name a nats context or the path of a context file",
      verbatim: true,
    });
    return { name: "", file: "", fields: undefined, issues };
  }
  if (!isPath(trimmed) && trimmed.includes("..")) {
    issues.push({
      path: at,
      message: `'${trimmed}' is not a valid context name (it must not contain '..')`,
      verbatim: true,
    });
    return { name: trimmed, file: "", fields: undefined, issues };
  }
  const { name, file } = contextFile(trimmed, lookup, options);
  const where = `'${name}' (${file})`;
  const report: Report = (field, message) =>
    issues.push({ path: at, message: `${where}: ${field ? `${field}: ` : ""}${message}`, verbatim: true });

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    report(
      "",
      code === "ENOENT" ? "no such context file" : `cannot read the context file: ${code ?? "unreadable"}`,
    );
    return { name, file, fields: undefined, issues };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Node's message quotes the text around the error, which may be a password: keep the position only.
    const where = /position \d+|line \d+ column \d+/.exec((e as Error).message)?.[0];
    report("", `is not valid JSON${where ? ` (at ${where})` : ""}`);
    return { name, file, fields: undefined, issues };
  }
  if (!isPlainObject(json)) {
    report("", `expected a JSON object, got ${typeOf(json)}`);
    return { name, file, fields: undefined, issues };
  }

  const settings: NatsSettings = {};
  const known = new Set<string>([...STRING_FIELDS, "tls_first", "windows_ca_certs_match"]);
  for (const key of Object.keys(json)) {
    if (!known.has(key)) report(key, "unknown field (not a field of a nats CLI context)");
  }
  for (const key of STRING_FIELDS) {
    const value = Object.hasOwn(json, key) ? json[key] : undefined;
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      report(key, `expected string, got ${typeOf(value)}`);
      continue;
    }
    if (value === "") continue;
    const why = UNSUPPORTED_CONTEXT_FIELDS[key];
    if (why) report(key, why);
    else if (!(IGNORED_CONTEXT_FIELDS as readonly string[]).includes(key)) {
      (settings as Record<string, string>)[key] = value;
    }
  }
  const tlsFirst = Object.hasOwn(json, "tls_first") ? json.tls_first : undefined;
  if (tlsFirst !== undefined && tlsFirst !== null && typeof tlsFirst !== "boolean") {
    report("tls_first", `expected boolean, got ${typeOf(tlsFirst)}`);
  } else if (tlsFirst === true) settings.tls_first = true;
  const caMatch = Object.hasOwn(json, "windows_ca_certs_match") ? json.windows_ca_certs_match : undefined;
  if (caMatch !== undefined && caMatch !== null) {
    if (!Array.isArray(caMatch) || caMatch.some((m) => typeof m !== "string")) {
      report("windows_ca_certs_match", `expected a list of strings, got ${typeOf(caMatch)}`);
    } else if (caMatch.length > 0) {
      report("windows_ca_certs_match", UNSUPPORTED_CONTEXT_FIELDS.windows_ca_certs_match as string);
    }
  }

  const fields = settingsToFields(settings, CONTEXT_NAMES, options, report, (field) => ({
    to: at,
    prefix: `${where}: ${field}: `,
  }));
  if (fields.fields.urls === undefined) {
    // As nats.go: a context without a url dials the local default server.
    return {
      name,
      file,
      fields: { ...fields, fields: { ...fields.fields, urls: NATS_DEFAULT_URL } },
      issues,
    };
  }
  return { name, file, fields, issues };
}

/**
 * Loads a `nats` CLI context — by name from `$XDG_CONFIG_HOME/nats/context/<name>.json`
 * (default `~/.config/nats/context`), or by path (a value with a `/` or ending in `.json`) —
 * and returns it as connection config fields. Reads only the context file (and `file://` /
 * `env://` references in secret fields); the creds, nkey and certificate files it names are
 * read when the config is resolved. Prefer `context: <name>` in the config itself: then
 * problems found later name the context field too.
 *
 * @throws ConfigError naming the context, its file and the field: `context 'prod'
 *   (/home/u/.config/nats/context/prod.json): socks_proxy: not supported: …`. Never a secret.
 * @example
 * ```ts
 * const prod = loadNatsContext("prod");
 * const client = await connectFromConfig({ ...prod.config, max_reconnects: -1 });
 * ```
 */
export function loadNatsContext(nameOrPath: string, options: NatsContextOptions = {}): NatsContext {
  if (typeof nameOrPath !== "string") {
    throw new ConfigError([{ path: "context", message: `expected string, got ${typeOf(nameOrPath)}` }]);
  }
  const read = readNatsContext(nameOrPath, options, []);
  if (read.issues.length > 0 || !read.fields) {
    throw new ConfigError(read.issues.map((i) => ({ path: "", message: `context ${i.message}` })));
  }
  const f = read.fields.fields;
  const config = { ...f, urls: f.urls ?? NATS_DEFAULT_URL } as RawConnectionConfig;
  hideSecrets(config, () => redactConnectionConfig({ ...config }));
  const context: NatsContext = { name: read.name, file: read.file, config };
  return hideSecrets(context, () => ({
    name: context.name,
    file: context.file,
    config: redactConnectionConfig({ ...config }),
  }));
}

/** The context chosen with `nats context select` (`<config dir>/context.txt`), if any. */
export function selectedNatsContext(options: NatsContextOptions = {}): string | undefined {
  try {
    const name = readFileSync(`${natsConfigDir(options)}/context.txt`, "utf8").trim();
    return name === "" ? undefined : name;
  } catch {
    return undefined;
  }
}
