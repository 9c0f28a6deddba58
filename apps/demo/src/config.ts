import { accessSync, constants } from "node:fs";
import {
  defaultEnvironment,
  type Environment,
  EnvVarError,
  type Interpolation,
  type Mapping,
  substituteEnvVars,
} from "@natskit/interpolation";
import { type OutputConfig, parseOutputConfig } from "@natskit/jetstream-output";
import { CacheConfigError, type KvCacheConfig, parseDuration, parseKvCacheConfig } from "@natskit/kv-cache";
import {
  ConfigError,
  type ConnectionConfig,
  connectionWarnings,
  redactUrl,
  resolveConnection,
} from "@natskit/nats-connection";
import { renderPath } from "@natskit/nats-connection/internal";
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  visit,
  YAMLParseError,
} from "yaml";
import { DEFAULT_HTTP_ADDRESS, DEFAULT_ROOT_PATH, parseHttpAddress } from "./http.js";
import {
  DEFAULT_STATIC_FIELDS,
  isLogfmtKey,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LoggerOptions,
  parseLogLevel,
} from "./log.js";

/** `input.generate.interval` when not given, as in Redpanda Connect. */
const GENERATE_DEFAULT_INTERVAL_MS = 1000;

/** A path into the config: map keys and sequence indexes. */
export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a config, with where it is. */
export interface Problem {
  path: ConfigPath;
  message: string;
  /** 1-based position in the file, when known. */
  line?: number;
  col?: number;
}

export type InputSpec =
  | { kind: "stdin" }
  | { kind: "file"; paths: string[] }
  | {
      kind: "generate";
      /** 0 = unlimited (as in Redpanda Connect). */
      count: number;
      intervalMs: number;
      content?: Interpolation;
      mapping?: Mapping;
    };

export type ProcessorSpec =
  | { kind: "mapping"; path: ConfigPath; mapping: Mapping }
  | {
      kind: "dedupe";
      path: ConfigPath;
      cache: string;
      key: Interpolation;
      dropOnErr: boolean;
      /** A key that evaluates to `""` or `null` is used as it is instead of failing the message. */
      allowEmptyKey: boolean;
    };

export interface CacheSpec {
  label: string;
  raw: Record<string, unknown>;
  config: KvCacheConfig;
}

/** The `http` section: Redpanda Connect's service endpoints (`/ping`, `/ready`, `/metrics`). */
export interface HttpSpec {
  /** @default true, as in Redpanda Connect */
  enabled: boolean;
  /** @default "0.0.0.0:4195" */
  address: string;
  /** @default "/benthos" */
  rootPath: string;
  /** `address` was set in the config (a default one already in use is only a warning). */
  configured: boolean;
}

/** The `metrics` section: `prometheus` (the default; served on `/metrics`) or `none`. */
export interface MetricsSpec {
  kind: "prometheus" | "none";
  /** The section was in the config. */
  explicit: boolean;
}

/** A validated config, compiled and ready to run. */
export interface Plan {
  input: InputSpec;
  /** `input.label`, the `label` of `input_received`; `""` when not set, as in Redpanda Connect. */
  inputLabel: string;
  processors: ProcessorSpec[];
  caches: CacheSpec[];
  output: { label: string; raw: Record<string, unknown>; config: OutputConfig };
  /** How long a shutdown waits for acks of messages in flight. */
  shutdownTimeoutMs: number;
  http: HttpSpec;
  logger: LoggerOptions;
  metrics: MetricsSpec;
}

export interface LoadResult {
  plan?: Plan;
  problems: Problem[];
  /** What runs, but not as safely as it could (printed by `lint` and `run`, never fatal). */
  warnings?: Problem[];
}

const TOP_LEVEL = [
  "input",
  "pipeline",
  "cache_resources",
  "output",
  "http",
  "logger",
  "metrics",
  "shutdown_timeout",
] as const;
const DEFAULT_SHUTDOWN_MS = 10_000;
/** Configs are small; a larger file is a mistake (or an attack), refused before parsing. */
export const MAX_CONFIG_CHARS = 4 * 1024 * 1024;

/**
 * Substitutes `${VAR}` / `${VAR:default}`, parses the YAML and validates every part without
 * connecting. Problems carry line and column of the nearest node that exists.
 */
export function loadConfig(
  text: string,
  env: Record<string, string | undefined> = process.env,
  environment: Environment = defaultEnvironment(),
): LoadResult {
  const problems: Problem[] = [];
  if (text.length > MAX_CONFIG_CHARS) {
    problems.push({
      path: [],
      message: `the config is ${text.length} characters long, over the limit of ${MAX_CONFIG_CHARS}: is this the right file?`,
      line: 1,
      col: 1,
    });
    return { problems };
  }
  let substitution: ReturnType<typeof substituteEnvVars>;
  try {
    substitution = substituteEnvVars(text, env);
  } catch (e) {
    if (!EnvVarError.isInstance(e)) throw e;
    const at = text.search(new RegExp(`\\$\\{${escapeRegExp(e.variable)}(?=[:|}])`));
    problems.push({
      path: [],
      message: `environment variable ${e.message}`,
      ...(at >= 0 ? positionOf(text, at) : {}),
    });
    return { problems };
  }
  const { text: substituted, missing } = substitution;
  for (const name of new Set(missing)) {
    const at = text.search(new RegExp(`\\$\\{\\{?${escapeRegExp(name)}\\b`));
    problems.push({
      path: [],
      message: `required environment variable '${name}' is not set (use \${${name}:default} for a default)`,
      ...(at >= 0 ? positionOf(text, at) : {}),
    });
  }

  // The YAML library's own unique-key check is quadratic in the keys of a map: done here instead.
  const doc = parseDocument(substituted, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length === 0) duplicateKeys(doc);
  const asWritten = writtenCheck(text, substitution);
  // Messages may quote the text they are about: never show what a variable put there.
  const hide = masker(
    substitution.inserted,
    doc.errors.length === 0 ? builtFromVariables(doc, asWritten) : [],
  );
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const at = substitution.originalOffset(e.pos[0]);
      const pos = positionOf(text, at);
      // The library's messages quote the text they stopped at in many shapes: when that text came
      // from a variable, none of the message is shown, only what kind of error it is.
      const variable = asWritten(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1))
        ? undefined
        : /^\$\{([0-9A-Za-z_.]+)/.exec(text.slice(at))?.[1];
      const message =
        variable === undefined
          ? `invalid YAML: ${printable(firstLine(hide(e.message)))}`
          : `invalid YAML (${e.code}) in the value of \${${variable}}, which is not shown: a value with YAML syntax in it (: , [ ] { } # & * ! | > and others) needs the reference quoted, e.g. "\${${variable}}"`;
      if (!problems.some((p) => p.message === message && p.line === pos.line && p.col === pos.col))
        problems.push({ path: [], message, line: pos.line, col: pos.col });
    }
    return { problems };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias to an anchor that is not defined (yet)
    return {
      problems: [
        {
          path: [],
          message: `invalid YAML: ${printable(firstLine(hide(String((e as Error).message ?? e))))}`,
          line: 1,
          col: 1,
        },
      ],
    };
  }
  const plan = validate(raw, problems, environment);
  for (const p of problems) {
    // Positions in the config as written, not in the text after `${VAR}` substitution.
    if (p.line === undefined)
      Object.assign(p, positionOf(text, substitution.originalOffset(locateOffset(doc, p.path))));
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  // A variable's value can become YAML structure (a comma, a brace): its pieces then show up as
  // keys in paths or as text in messages.
  for (const p of problems) {
    p.message = printable(hide(p.message));
    p.path = p.path.map((seg) => (typeof seg === "string" ? hide(seg) : seg));
  }
  if (problems.length > 0 || !plan) return { problems };
  const warnings = planWarnings(plan);
  for (const w of warnings)
    Object.assign(w, positionOf(text, substitution.originalOffset(locateOffset(doc, w.path))));
  return { plan, problems, warnings };
}

function planWarnings(plan: Plan): Problem[] {
  const warnings: Problem[] = [];
  // Settings that weaken security (tls.skip_cert_verify), as the connection package words them.
  const connections: [ConfigPath, ConnectionConfig][] = [
    ...plan.caches.map((c, i): [ConfigPath, ConnectionConfig] => [
      ["cache_resources", i, "nats_kv"],
      c.config.connection,
    ]),
    [["output", "nats_jetstream"], plan.output.config.connection],
  ];
  for (const [at, connection] of connections) {
    for (const w of connectionWarnings(connection)) {
      const sep = w.indexOf(": ");
      const field = w.slice(0, sep).split(".");
      warnings.push({ path: [...at, ...field], message: w.slice(sep + 2) });
    }
  }
  const { msgId } = plan.output.config;
  if (plan.processors.some((p) => p.kind === "dedupe") && typeof msgId === "string") {
    warnings.push({
      path: ["output", "nats_jetstream", "msg_id"],
      message:
        (msgId === "none" ? "is empty" : "is not set, so every publish gets a new id") +
        ": after a crash, a rerun publishes the messages in doubt again and the stream can drop the copies only when they carry the same Nats-Msg-Id; set it from the message, e.g. the dedupe key",
    });
  }
  if (plan.metrics.explicit && plan.metrics.kind === "prometheus" && !plan.http.enabled)
    warnings.push({
      path: ["metrics", "prometheus"],
      message: "http.enabled is false, so nothing serves /metrics: enable http or use 'none'",
    });
  return warnings;
}

/**
 * Whether a range of the substituted text is the config as written: text the config had maps back
 * to itself, anything a variable put there does not.
 */
function writtenCheck(
  text: string,
  substitution: { text: string; originalOffset(offset: number): number },
): (start: number, end: number) => boolean {
  return (start, end) => {
    const from = substitution.originalOffset(start);
    return text.slice(from, from + (end - start)) === substitution.text.slice(start, end);
  };
}

/**
 * The keys, values, anchor and alias names YAML built out of text that `${VAR}` substitution put
 * there: a value that breaks the structure (`,&a b`) can turn into keys and names that no split
 * of the value predicts, so they are found by where they are, not by what they look like.
 */
function builtFromVariables(doc: Document, asWritten: (start: number, end: number) => boolean): string[] {
  const found: string[] = [];
  visit(doc, {
    Node(_, node) {
      if (!node.range || asWritten(node.range[0], node.range[1])) return;
      if (isScalar(node)) {
        const value = String(node.value);
        // Messages quote a value as it is, as JSON, or as a url with its user info masked
        // (`a:***@rest`), which still shows the rest of it.
        found.push(String(node.source ?? ""), JSON.stringify(value).slice(1, -1));
        for (const part of [value, ...value.split(",")]) {
          for (const p of [part, part.trim()]) found.push(p, redactUrl(p));
        }
      }
      if (isAlias(node)) found.push(node.source);
      if (node.anchor !== undefined) found.push(node.anchor);
    },
  });
  return found;
}

/** Masks, in a message, the strings that `${VAR}` substitution put into the config text. */
function masker(inserted: readonly string[], built: readonly string[] = []): (s: string) => string {
  const values = new Set<string>();
  for (const b of built) if (b.length >= 3) values.add(b);
  for (const v of inserted) {
    // YAML quotes an alias or tag without its indicator (`*hunter2` → `hunter2`).
    for (const s of [v, v.replace(/^[\s*&!|>'"%@`{}[\],:#-]+/, "")]) if (s.length >= 3) values.add(s);
  }
  for (const v of inserted) {
    // Anchor, alias and tag names in a value, whatever follows them (`&a b` anchors `a` on key `b`).
    for (const m of v.matchAll(/[&*!]([^\s,[\]{}]+)/g))
      if ((m[1] as string).length >= 3) values.add(m[1] as string);
    // The pieces YAML may cut a value into, as keys, flow items or scalars.
    for (const piece of v.split(/[,{}[\]\n]|:(?=\s|$)|\s#/)) {
      const s = piece.trim().replace(/^[\s*&!|>'"%@`:?-]+|[\s'":]+$/g, "");
      if (s.length >= 3) values.add(s);
    }
  }
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (s) => sorted.reduce((out, v) => out.replaceAll(v, "***"), s);
}

function validate(raw: unknown, problems: Problem[], env: Environment): Plan | undefined {
  const push = (path: ConfigPath, message: string) => problems.push({ path, message });
  if (!isRecord(raw)) {
    push([], `expected a mapping with 'input' and 'output', got ${describe(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL as readonly string[]).includes(key))
      push([key], `unknown field '${key}' (expected one of ${TOP_LEVEL.join(", ")})`);
  }

  const caches = validateCaches(raw.cache_resources, push);
  const input = validateInput(raw.input, push, env);
  const labels = Array.isArray(raw.cache_resources)
    ? raw.cache_resources.flatMap((c) => (isRecord(c) && typeof c.label === "string" ? [c.label] : []))
    : undefined;
  const processors = validatePipeline(raw.pipeline, push, env, labels);
  const output = validateOutput(raw.output, push);

  let shutdownTimeoutMs = DEFAULT_SHUTDOWN_MS;
  if (raw.shutdown_timeout !== undefined) {
    const d = parseDuration(raw.shutdown_timeout as string);
    if ("error" in d || d.ms < 0) push(["shutdown_timeout"], "error" in d ? d.error : "must not be negative");
    else shutdownTimeoutMs = d.ms;
  }
  const http = validateHttp(raw.http, push);
  const logger = validateLogger(raw.logger, push);
  const metrics = validateMetrics(raw.metrics, push);
  let inputLabel = "";
  if (isRecord(raw.input) && raw.input.label !== undefined) {
    if (typeof raw.input.label === "string") inputLabel = raw.input.label;
    else push(["input", "label"], `expected a string, got ${describe(raw.input.label)}`);
  }
  if (!input || !processors || !caches || !output || !http || !logger || !metrics) return undefined;
  return { input, inputLabel, processors, caches, output, shutdownTimeoutMs, http, logger, metrics };
}

/** Redpanda Connect fields natskit does not take, with what to do instead. */
const UNSUPPORTED: Record<string, Record<string, string>> = {
  http: {
    cert_file: "serve /metrics behind a TLS-terminating proxy",
    key_file: "serve /metrics behind a TLS-terminating proxy",
    cors: "the endpoints are for scrapers and probes, not browsers",
    basic_auth: "bind to a private address or put a proxy in front",
  },
  logger: { file: "logs go to stderr: redirect it" },
  metrics: { mapping: "the names are Redpanda Connect's already" },
};

function unsupported(section: keyof typeof UNSUPPORTED, key: string): string | undefined {
  const hint = UNSUPPORTED[section]?.[key];
  return hint === undefined ? undefined : `Redpanda Connect's '${key}' is not supported by natskit: ${hint}`;
}

/** Unknown keys of a service section, with a hint for the Redpanda Connect fields natskit lacks. */
function sectionKeys(
  obj: Record<string, unknown>,
  section: keyof typeof UNSUPPORTED,
  known: readonly string[],
  push: Push,
): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    push(
      [section, k],
      unsupported(section, k) ?? `unknown field '${k}' (expected one of ${known.join(", ")})`,
    );
  }
}

function validateHttp(value: unknown, push: Push): HttpSpec | undefined {
  const spec: HttpSpec = {
    enabled: true,
    address: DEFAULT_HTTP_ADDRESS,
    rootPath: DEFAULT_ROOT_PATH,
    configured: false,
  };
  if (value === undefined || value === null) return spec;
  if (!isRecord(value)) {
    push(["http"], `expected a mapping with 'address' and 'enabled', got ${describe(value)}`);
    return undefined;
  }
  sectionKeys(value, "http", ["address", "enabled", "root_path", "debug_endpoints"], push);
  let ok = true;
  const bad = (field: string, message: string) => {
    push(["http", field], message);
    ok = false;
  };
  const { address, enabled, root_path: rootPath, debug_endpoints: debug } = value;
  if (enabled !== undefined) {
    if (typeof enabled === "boolean") spec.enabled = enabled;
    else bad("enabled", `expected true or false, got ${describe(enabled)}`);
  }
  if (address !== undefined) {
    const parsed = typeof address === "string" ? parseHttpAddress(address) : "expected host:port";
    if (typeof parsed === "string")
      bad("address", typeof address === "string" ? parsed : `${parsed}, got ${describe(address)}`);
    else {
      spec.address = address as string;
      spec.configured = true;
    }
  }
  if (rootPath !== undefined) {
    if (typeof rootPath === "string" && /^\/[^\s?#]*$/.test(rootPath)) spec.rootPath = rootPath;
    else bad("root_path", `expected a path starting with '/', got ${describe(rootPath)}`);
  }
  if (debug !== undefined && debug !== false)
    bad("debug_endpoints", `natskit has no debug endpoints: remove it or set false, got ${describe(debug)}`);
  return ok ? spec : undefined;
}

function validateLogger(value: unknown, push: Push): LoggerOptions | undefined {
  const spec: LoggerOptions = {};
  if (value === undefined || value === null) return { staticFields: DEFAULT_STATIC_FIELDS };
  if (!isRecord(value)) {
    push(["logger"], `expected a mapping with 'level' and 'format', got ${describe(value)}`);
    return undefined;
  }
  const names = ["level_name", "message_name", "timestamp_name"] as const;
  sectionKeys(value, "logger", ["level", "format", "add_timestamp", ...names, "static_fields"], push);
  let ok = true;
  const bad = (path: ConfigPath, message: string) => {
    push(["logger", ...path], message);
    ok = false;
  };
  if (value.level !== undefined) {
    const level = typeof value.level === "string" ? parseLogLevel(value.level) : undefined;
    if (level) spec.level = level;
    else
      bad(
        ["level"],
        `expected one of ${LOG_LEVELS.map((l) => l.toUpperCase()).join(", ")} (any case), got ${describe(value.level)}`,
      );
  }
  if (value.format !== undefined) {
    if ((LOG_FORMATS as readonly unknown[]).includes(value.format)) spec.format = value.format as LogFormat;
    else bad(["format"], `expected ${LOG_FORMATS.join(" or ")}, got ${describe(value.format)}`);
  }
  if (value.add_timestamp !== undefined) {
    if (typeof value.add_timestamp === "boolean") spec.addTimestamp = value.add_timestamp;
    else bad(["add_timestamp"], `expected true or false, got ${describe(value.add_timestamp)}`);
  }
  const keys: Record<(typeof names)[number], "levelName" | "messageName" | "timestampName"> = {
    level_name: "levelName",
    message_name: "messageName",
    timestamp_name: "timestampName",
  };
  for (const n of names) {
    const v = value[n];
    if (v === undefined) continue;
    if (typeof v === "string" && isLogfmtKey(v)) spec[keys[n]] = v;
    else bad([n], `expected a field name without spaces, '=' or quotes, got ${describe(v)}`);
  }
  const reserved = new Set([
    spec.levelName ?? "level",
    spec.messageName ?? "msg",
    spec.timestampName ?? "time",
  ]);
  const fields = value.static_fields;
  if (fields !== undefined && fields !== null) {
    if (!isRecord(fields))
      bad(["static_fields"], `expected a mapping of names to strings, got ${describe(fields)}`);
    else {
      const statics: Record<string, string> = {};
      for (const [k, v] of Object.entries(fields)) {
        if (!isLogfmtKey(k)) bad(["static_fields", k], "a field name cannot hold spaces, '=' or quotes");
        else if (reserved.has(k))
          bad(["static_fields", k], `'${k}' is the name of the level, message or time field`);
        else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
          statics[k] = String(v);
        else bad(["static_fields", k], `expected a string, got ${describe(v)}`);
      }
      spec.staticFields = statics;
    }
  } else if (fields === null) spec.staticFields = {};
  spec.staticFields ??= DEFAULT_STATIC_FIELDS;
  return ok ? spec : undefined;
}

function validateMetrics(value: unknown, push: Push): MetricsSpec | undefined {
  if (value === undefined || value === null) return { kind: "prometheus", explicit: false };
  if (!isRecord(value)) {
    push(["metrics"], `expected a mapping with 'prometheus' or 'none', got ${describe(value)}`);
    return undefined;
  }
  const types = ["prometheus", "none"];
  let ok = true;
  for (const k of Object.keys(value)) {
    if (types.includes(k)) continue;
    push(
      ["metrics", k],
      unsupported("metrics", k) ?? `unknown metrics type '${k}' (supported: ${types.join(", ")})`,
    );
    ok = false;
  }
  const found = types.filter((t) => t in value);
  if (found.length !== 1) {
    if (ok)
      push(
        ["metrics"],
        found.length === 0
          ? "missing metrics type: expected prometheus or none"
          : "expected exactly one metrics type, got 'prometheus' and 'none'",
      );
    return undefined;
  }
  const kind = found[0] as "prometheus" | "none";
  const body = value[kind];
  if (body !== null && body !== undefined) {
    if (!isRecord(body)) {
      push(["metrics", kind], `expected a mapping, got ${describe(body)}`);
      return undefined;
    }
    for (const k of Object.keys(body)) {
      push(
        ["metrics", kind, k],
        kind === "prometheus"
          ? `Redpanda Connect's '${k}' is not supported: natskit's prometheus metrics take no options and are served on the http server's /metrics`
          : `unknown field '${k}' (none takes no options)`,
      );
      ok = false;
    }
  }
  return ok ? { kind, explicit: true } : undefined;
}

type Push = (path: ConfigPath, message: string) => void;

/** Exactly one component type under `at`, e.g. `input: { generate: {…} }`. */
function componentType(
  value: unknown,
  at: ConfigPath,
  known: readonly string[],
  push: Push,
  allowed: readonly string[] = [],
): [string, unknown] | undefined {
  const what = at.join(".");
  if (value === undefined) {
    push(at, `missing: expected one of ${known.join(", ")}`);
    return undefined;
  }
  if (!isRecord(value)) {
    push(at, `expected a mapping with one of ${known.join(", ")}, got ${describe(value)}`);
    return undefined;
  }
  const types = Object.keys(value).filter((k) => !allowed.includes(k) && k !== "label");
  for (const t of types) {
    if (!known.includes(t)) push([...at, t], `unknown ${what} type '${t}' (supported: ${known.join(", ")})`);
  }
  const found = types.filter((t) => known.includes(t));
  if (found.length > 1) {
    push(at, `expected exactly one ${what} type, got ${found.map((t) => `'${t}'`).join(" and ")}`);
    return undefined;
  }
  if (found.length === 0) {
    if (types.length === 0) push(at, `missing ${what} type: expected one of ${known.join(", ")}`);
    return undefined;
  }
  const type = found[0] as string;
  return [type, value[type]];
}

function validateInput(value: unknown, push: Push, env: Environment): InputSpec | undefined {
  const comp = componentType(value, ["input"], ["stdin", "file", "generate"], push);
  if (!comp) return undefined;
  const [type, body] = comp;
  const at = ["input", type];
  const fields = body ?? {};
  if (!isRecord(fields)) {
    push(at, `expected a mapping, got ${describe(body)}`);
    return undefined;
  }
  if (type === "stdin") {
    unknownKeys(fields, at, ["codec"], push);
    checkCodec(fields.codec, at, push);
    return { kind: "stdin" };
  }
  if (type === "file") {
    unknownKeys(fields, at, ["paths", "codec"], push);
    checkCodec(fields.codec, at, push);
    const paths = fields.paths;
    if (paths === undefined) push([...at, "paths"], "required: a list of file paths");
    else if (!Array.isArray(paths) || paths.length === 0)
      push([...at, "paths"], "expected a non-empty list of paths");
    else {
      let ok = true;
      for (const [i, p] of paths.entries()) {
        if (typeof p !== "string" || p === "") {
          push([...at, "paths", i], `expected a file path, got ${describe(p)}`);
          ok = false;
        }
      }
      for (const [i, p] of paths.entries()) {
        if (typeof p !== "string" || p === "") continue;
        try {
          accessSync(p, constants.R_OK);
        } catch (e) {
          const code = (e as { code?: string }).code;
          push(
            [...at, "paths", i],
            `cannot read '${p}': ${code === "ENOENT" ? "no such file" : (code ?? String(e))}`,
          );
          ok = false;
        }
      }
      if (ok) return { kind: "file", paths: paths as string[] };
    }
    return undefined;
  }
  unknownKeys(fields, at, ["count", "interval", "content", "mapping", "batch_size"], push);
  let ok = true;
  let count = 0;
  if (fields.count !== undefined) {
    if (typeof fields.count !== "number" || !Number.isInteger(fields.count) || fields.count < 0) {
      push([...at, "count"], `expected a whole number >= 0, got ${describe(fields.count)}`);
      ok = false;
    } else count = fields.count;
  }
  // Redpanda Connect's default is 1s; an empty string means as fast as the output takes them.
  let intervalMs = GENERATE_DEFAULT_INTERVAL_MS;
  if (fields.interval === "") intervalMs = 0;
  else if (typeof fields.interval === "string" && /^@|\s/.test(fields.interval.trim())) {
    push(
      [...at, "interval"],
      "cron schedules ('@every ...', cron expressions) are not supported; use a duration such as '5m', or '' for no pause",
    );
    ok = false;
  } else if (fields.interval !== undefined) {
    const d = parseDuration(fields.interval as string);
    if ("error" in d || d.ms < 0) {
      push([...at, "interval"], "error" in d ? d.error : "must not be negative");
      ok = false;
    } else intervalMs = d.ms;
  }
  const spec: InputSpec = { kind: "generate", count, intervalMs };
  if ((fields.content === undefined) === (fields.mapping === undefined)) {
    push(at, "expected exactly one of 'content' (an interpolated string) or 'mapping' (a Bloblang mapping)");
    return undefined;
  }
  if (fields.content !== undefined) {
    const c = compileField(fields.content, [...at, "content"], push, env);
    if (c) spec.content = c;
    else ok = false;
  } else {
    const m = compileMappingField(fields.mapping, [...at, "mapping"], push, env);
    if (m) spec.mapping = m;
    else ok = false;
  }
  return ok ? spec : undefined;
}

function checkCodec(codec: unknown, at: ConfigPath, push: Push): void {
  if (codec !== undefined && codec !== "lines")
    push([...at, "codec"], `only 'lines' is supported, got ${describe(codec)}`);
}

function validatePipeline(
  value: unknown,
  push: Push,
  env: Environment,
  cacheLabels: readonly string[] | undefined,
): ProcessorSpec[] | undefined {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) {
    push(["pipeline"], `expected a mapping with 'processors', got ${describe(value)}`);
    return undefined;
  }
  unknownKeys(value, ["pipeline"], ["processors", "threads"], push);
  const list = value.processors ?? [];
  if (!Array.isArray(list)) {
    push(["pipeline", "processors"], `expected a list of processors, got ${describe(list)}`);
    return undefined;
  }
  const out: ProcessorSpec[] = [];
  let ok = true;
  for (const [i, p] of list.entries()) {
    const at: ConfigPath = ["pipeline", "processors", i];
    const comp = componentType(p, at, ["mapping", "bloblang", "dedupe"], push);
    if (!comp) {
      ok = false;
      continue;
    }
    const [type, body] = comp;
    if (type === "mapping" || type === "bloblang") {
      const mapping = compileMappingField(body, [...at, type], push, env);
      if (mapping) out.push({ kind: "mapping", path: [...at, type], mapping });
      else ok = false;
      continue;
    }
    const dat = [...at, "dedupe"];
    if (!isRecord(body)) {
      push(dat, `expected a mapping with 'cache' and 'key', got ${describe(body)}`);
      ok = false;
      continue;
    }
    unknownKeys(body, dat, ["cache", "key", "drop_on_err", "allow_empty_key"], push);
    const { cache, key, drop_on_err: dropOnErr = true, allow_empty_key: allowEmptyKey = false } = body;
    if (typeof cache !== "string" || cache === "") {
      push([...dat, "cache"], `required: the label of a cache resource, got ${describe(cache)}`);
      ok = false;
    } else if (!cacheLabels?.includes(cache)) {
      const labels = (cacheLabels ?? []).map((l) => `'${l}'`).join(", ");
      push(
        [...dat, "cache"],
        `cache resource '${cache}' is not defined${labels ? ` (defined: ${labels})` : ""}`,
      );
      ok = false;
    }
    if (typeof dropOnErr !== "boolean") {
      push([...dat, "drop_on_err"], `expected true or false, got ${describe(dropOnErr)}`);
      ok = false;
    }
    if (typeof allowEmptyKey !== "boolean") {
      push([...dat, "allow_empty_key"], `expected true or false, got ${describe(allowEmptyKey)}`);
      ok = false;
    }
    const compiled = key === undefined ? undefined : compileField(key, [...dat, "key"], push, env);
    if (key === undefined)
      push([...dat, "key"], "required: an interpolated string such as '${! json(\"id\") }'");
    if (
      !compiled ||
      typeof cache !== "string" ||
      typeof dropOnErr !== "boolean" ||
      typeof allowEmptyKey !== "boolean"
    ) {
      ok = false;
      continue;
    }
    out.push({ kind: "dedupe", path: dat, cache, key: compiled, dropOnErr, allowEmptyKey });
  }
  return ok ? out : undefined;
}

function validateCaches(value: unknown, push: Push): CacheSpec[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    push(["cache_resources"], `expected a list of caches, got ${describe(value)}`);
    return undefined;
  }
  const out: CacheSpec[] = [];
  let ok = true;
  const seen = new Set<string>();
  for (const [i, c] of value.entries()) {
    const at: ConfigPath = ["cache_resources", i];
    const comp = componentType(c, at, ["nats_kv"], push);
    const label = isRecord(c) ? c.label : undefined;
    if (typeof label !== "string" || label === "") {
      push([...at, "label"], `required: a label that processors refer to, got ${describe(label)}`);
      ok = false;
    } else if (seen.has(label)) {
      push([...at, "label"], `duplicate cache label '${label}'`);
      ok = false;
    } else seen.add(label);
    if (!comp) {
      ok = false;
      continue;
    }
    const raw = comp[1];
    try {
      const config = parseKvCacheConfig(raw, typeof label === "string" ? { label } : {});
      resolveConnection(config.connection); // reads TLS and credential files: problems get their path
      if (typeof label === "string") out.push({ label, raw: raw as Record<string, unknown>, config });
    } catch (e) {
      if (!pushIssues(e, [...at, "nats_kv"], push)) throw e;
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function validateOutput(value: unknown, push: Push): Plan["output"] | undefined {
  const comp = componentType(value, ["output"], ["nats_jetstream"], push);
  if (!comp) return undefined;
  const label = isRecord(value) && typeof value.label === "string" ? value.label : "natskit";
  if (isRecord(value) && value.label !== undefined && typeof value.label !== "string")
    push(["output", "label"], `expected a string, got ${describe(value.label)}`);
  try {
    // The CLI reads no per-message stream sequence, so it takes fast-ingest batches where the
    // server and stream have them (the library's default is off: it changes what writes return).
    const raw =
      isRecord(comp[1]) && comp[1].fast_ingest === undefined ? { ...comp[1], fast_ingest: "auto" } : comp[1];
    const config = parseOutputConfig(raw, { label });
    resolveConnection(config.connection);
    return { label, raw: comp[1] as Record<string, unknown>, config };
  } catch (e) {
    if (!pushIssues(e, ["output", "nats_jetstream"], push)) throw e;
    return undefined;
  }
}

/** Adds the issues of a package's config error under `prefix`; false for any other error. */
function pushIssues(e: unknown, prefix: ConfigPath, push: Push): boolean {
  if (!ConfigError.isInstance(e) && !CacheConfigError.isInstance(e)) return false;
  const issues = (e as { issues: readonly { path: string; message: string }[] }).issues;
  for (const i of issues) push([...prefix, ...parsePath(i.path)], i.message);
  return true;
}

function compileField(
  value: unknown,
  at: ConfigPath,
  push: Push,
  env: Environment,
): Interpolation | undefined {
  if (typeof value !== "string") {
    push(at, `expected an interpolated string, got ${describe(value)}`);
    return undefined;
  }
  const r = env.tryCompile(value);
  if (!r.ok) {
    push(at, r.error.message);
    return undefined;
  }
  return r.value;
}

function compileMappingField(
  value: unknown,
  at: ConfigPath,
  push: Push,
  env: Environment,
): Mapping | undefined {
  if (typeof value !== "string") {
    push(at, `expected a Bloblang mapping, got ${describe(value)}`);
    return undefined;
  }
  const r = env.compileMapping(value);
  if (!r.ok) {
    push(at, r.error.message);
    return undefined;
  }
  return r.value;
}

function unknownKeys(
  obj: Record<string, unknown>,
  at: ConfigPath,
  known: readonly string[],
  push: Push,
): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k))
      push([...at, k], `unknown field '${k}'${known.length ? ` (expected one of ${known.join(", ")})` : ""}`);
  }
}

/** `tls.client_certs[0].key_file` → `["tls", "client_certs", 0, "key_file"]`; `a["b.c"]` → `["a", "b.c"]`. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** `output.nats_jetstream.tls.client_certs[0].key_file`; an odd key quoted, `auth["a.b"]`. */
export function renderConfigPath(path: ConfigPath): string {
  return renderPath(path);
}

/** Adds a `DUPLICATE_KEY` error for every key seen twice in one map, in linear time. */
function duplicateKeys(doc: Document): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = isNode(pair.key) && pair.key.range ? pair.key.range[0] : 0;
        doc.errors.push(
          new YAMLParseError([at, at + 1], "DUPLICATE_KEY", `Map keys must be unique: '${String(key)}'`),
        );
      }
    },
  });
}

/** Pairs of a YAML map by key, built once per map: finding many keys stays linear. */
const pairIndex = new WeakMap<object, Map<string, Pair>>();

type Pair = { key: unknown; value: unknown };

function pairOf(map: { items: Pair[] }, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      if (!index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/**
 * Offset of the node at `path` (its key, for a map entry), or of the nearest parent that exists
 * when the field is missing.
 */
function locateOffset(doc: Document, path: ConfigPath): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(node as { items: Pair[] }, String(seg));
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (!isNode(item)) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  return offset;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && "range" in v;
}

/** Offsets where each line starts, per text: a position is a binary search, not a scan. */
const lineStarts = new Map<string, number[]>();

function positionOf(text: string, offset: number): { line: number; col: number } {
  let starts = lineStarts.get(text);
  if (!starts) {
    starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    if (lineStarts.size > 4) lineStarts.clear();
    lineStarts.set(text, starts);
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
}

/** `config.yaml:12:5: output.nats_jetstream.urls: required` */
export function formatProblem(file: string, p: Problem, kind?: "warning"): string {
  const where = p.line === undefined ? file : `${file}:${p.line}:${p.col ?? 1}`;
  const path = renderConfigPath(p.path);
  return `${where}: ${kind ? `${kind}: ` : ""}${path ? `${path}: ` : ""}${p.message}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  return `${typeof v} ${String(v)}`;
}

/**
 * The first line of a YAML library message, without the source text it quotes (it may hold a
 * variable's value, or raw bytes that would garble a terminal).
 */
function firstLine(s: string): string {
  return (s.split("\n")[0] ?? s)
    .replace(/:\s*"(?:[^"\\]|\\.)*"?$/, "")
    .replace(/ at line \d+, column \d+:?$/, "")
    .replace(/\.$/, "");
}

/** Control characters (raw bytes of a binary file, say) escaped, so a terminal shows them safely. */
function printable(s: string): string {
  return s.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
