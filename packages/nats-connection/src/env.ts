import { mergeIssues, normalizeConnectionConfig, type ParseOptions } from "./config.js";
import { ConfigError } from "./errors.js";
import { selectedNatsContext } from "./nats-context.js";
import { NATS_DEFAULT_URL, type NatsSettings, settingsToFields } from "./nats-settings.js";
import type { FieldOrigin } from "./origins.js";
import { type RawIssue, renderIssues } from "./paths.js";
import type { ConnectionConfig } from "./types.js";

/**
 * The environment variables the `nats` CLI reads for its connection (natscli `nats/main.go`),
 * and the context setting each one stands for.
 */
export const NATS_ENV_VARS = {
  NATS_URL: "url",
  NATS_USER: "user",
  NATS_PASSWORD: "password",
  NATS_TOKEN: "token",
  NATS_CREDS: "creds",
  NATS_NKEY: "nkey",
  NATS_JWT: "user_jwt",
  NATS_SEED: "user_seed",
  NATS_CERT: "cert",
  NATS_KEY: "key",
  NATS_CA: "ca",
} as const satisfies Record<string, keyof NatsSettings>;

/** Options of {@link connectionConfigFromEnv}. */
export interface EnvConfigOptions extends Omit<ParseOptions, "env"> {
  /**
   * Without `NATS_CONTEXT`, use the context chosen with `nats context select`
   * (`<config dir>/nats/context.txt`), as the nats tools do.
   * @default true
   */
  selectedContext?: boolean;
}

/**
 * A connection config from the environment variables the `nats` CLI reads: `NATS_URL`,
 * `NATS_USER` + `NATS_PASSWORD` (`NATS_USER` alone is a token, as in the CLI), `NATS_TOKEN`,
 * `NATS_CREDS`, `NATS_NKEY` (a seed file), `NATS_JWT` + `NATS_SEED`, `NATS_CERT` + `NATS_KEY`,
 * `NATS_CA`, and `NATS_CONTEXT` (else the selected context). As in the CLI, the variables
 * override the context's fields, and with neither a url nor a context the server is
 * `nats://127.0.0.1:4222`. `NATS_SOCKS_PROXY` is an error (not supported); `NATS_TIMEOUT` (the
 * CLI's request timeout) and `NATS_COLOR` are ignored. Reads only when called: no other function
 * of this package looks at the environment.
 *
 * @throws ConfigError whose paths are the variables: `NATS_CREDS: cannot read '/x.creds': no such file`.
 * @example
 * ```ts
 * const client = await connectNats(connectionConfigFromEnv(process.env, { label: "orders" }));
 * ```
 */
export function connectionConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: EnvConfigOptions = {},
): ConnectionConfig {
  const { selectedContext = true, ...parseOptions } = options;
  const issues: RawIssue[] = [];
  const report = (field: string, message: string) => issues.push({ path: [field], message, verbatim: true });
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };

  if (get("NATS_SOCKS_PROXY")) {
    report("NATS_SOCKS_PROXY", "not supported: the Node client cannot dial through a SOCKS5 proxy");
  }
  const settings: NatsSettings = {};
  const names: Record<keyof NatsSettings, string> = {
    url: "NATS_URL",
    user: "NATS_USER",
    password: "NATS_PASSWORD",
    token: "NATS_TOKEN",
    creds: "NATS_CREDS",
    nkey: "NATS_NKEY",
    user_jwt: "NATS_JWT",
    user_seed: "NATS_SEED",
    cert: "NATS_CERT",
    key: "NATS_KEY",
    ca: "NATS_CA",
    tls_first: "tls_first",
    inbox_prefix: "inbox_prefix",
  };
  for (const [name, field] of Object.entries(NATS_ENV_VARS)) {
    const value = get(name);
    if (value !== undefined) settings[field] = value;
  }
  // The CLI takes a user without a password as a token.
  if (settings.user !== undefined && settings.password === undefined) {
    if (settings.token !== undefined) {
      report(
        "NATS_USER, NATS_TOKEN",
        "more than one auth method (NATS_USER without NATS_PASSWORD is a token); only one is permitted",
      );
    }
    settings.token = settings.user;
    names.token = "NATS_USER";
    delete settings.user;
  }
  const { fields, origins } = settingsToFields(
    settings,
    names,
    { env, ...pickHome(parseOptions) },
    report,
    (name) => ({
      to: [name],
      prefix: "",
    }),
  );

  const context =
    get("NATS_CONTEXT") ??
    (selectedContext ? selectedNatsContext({ env, ...pickHome(parseOptions) }) : undefined);
  const envOrigins: FieldOrigin[] = [...origins];
  if (get("NATS_CONTEXT"))
    envOrigins.push({ from: ["context"], to: ["NATS_CONTEXT"], prefix: "", name: "NATS_CONTEXT" });
  const raw = {
    ...fields,
    ...(fields.urls === undefined && context === undefined ? { urls: NATS_DEFAULT_URL } : {}),
    ...(context === undefined ? {} : { context }),
  };
  const { config, issues: configIssues } = normalizeConnectionConfig(raw, {
    ...parseOptions,
    env,
    origins: envOrigins,
    pathStyle: "snake",
  });
  const all = mergeIssues(issues, configIssues);
  if (all.length > 0) throw new ConfigError(renderIssues(all, "snake"));
  return config;
}

const pickHome = (o: { home?: string }) => (o.home === undefined ? {} : { home: o.home });
