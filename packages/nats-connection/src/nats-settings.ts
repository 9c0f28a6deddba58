import { homedir, readFileSync } from "./node-builtins.js";
import type { FieldOrigin } from "./origins.js";
import type { Path } from "./paths.js";
import type { ParsedConnectionFields } from "./schema.js";

// The nats CLI's connection settings (a context's fields, or its environment variables) mapped
// onto the connection config, with natscontext's expansion of `$VAR`, `~` and `file://`,
// `env://`, `data:` references.

/** Where contexts are looked up and how `$VAR`, `~` and `env://` are expanded. */
export interface NatsContextOptions {
  /**
   * The environment: `XDG_CONFIG_HOME`, `$VAR` in paths and `env://NAME` references are read here.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** The home directory, for `~` and the default `~/.config`. @default os.homedir() */
  home?: string;
}

/** The fields a context (or the environment) sets, in the config's shape, and their origins. */
export interface ContextFields {
  readonly fields: Omit<ParsedConnectionFields, "urls" | "context"> & { urls?: string };
  readonly origins: readonly FieldOrigin[];
}

/** The nats CLI's default server, used when a context names no url (nats.go `DefaultURL`). */
export const NATS_DEFAULT_URL = "nats://127.0.0.1:4222";

/** The settings a context or the environment can give, by the nats CLI's own names. */
export interface NatsSettings {
  url?: string;
  user?: string;
  password?: string;
  token?: string;
  creds?: string;
  nkey?: string;
  user_jwt?: string;
  user_seed?: string;
  cert?: string;
  key?: string;
  ca?: string;
  tls_first?: boolean;
  inbox_prefix?: string;
}

export type Report = (field: string, message: string) => void;

export interface Lookup {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

export const lookupOf = (options: NatsContextOptions): Lookup => ({
  env: options.env ?? process.env,
  home: options.home ?? homedir(),
});

/** `$VAR` / `${VAR}` then a leading `~`, as natscontext expands its path fields. */
export function expandPath(path: string, lookup: Lookup): string {
  const expanded = path.replace(
    /\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g,
    (_, braced: string | undefined, bare: string | undefined) => lookup.env[braced ?? bare ?? ""] ?? "",
  );
  return expanded === "~" || expanded.startsWith("~/") ? lookup.home + expanded.slice(1) : expanded;
}

/** The reference schemes natscontext resolves (`file://`, `env://`, `data:`, `op://`, `nsc://`). */
function schemeOf(ref: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]+):/i.exec(ref);
  const scheme = m?.[1]?.toLowerCase();
  return scheme && ["file", "env", "data", "op", "nsc"].includes(scheme) ? scheme : undefined;
}

const stripScheme = (ref: string) => ref.slice(ref.indexOf(":") + 1).replace(/^\/\//, "");

/**
 * The bytes behind an `env://NAME` or `data:;base64,…` reference, or a message saying why not.
 * Messages never contain the value.
 */
function resolveReference(
  ref: string,
  scheme: string,
  lookup: Lookup,
): { value: string } | { error: string } {
  if (scheme === "env") {
    const name = stripScheme(ref);
    if (name === "") return { error: "env:// reference without a variable name" };
    const value = lookup.env[name];
    if (value === undefined) return { error: `environment variable '${name}' is not set` };
    if (value === "") return { error: `environment variable '${name}' is empty` };
    return { value };
  }
  if (scheme === "data") {
    const rest = ref.slice("data:".length);
    const comma = rest.indexOf(",");
    if (comma === -1) return { error: "data: reference without the ',' separator" };
    if (
      !rest
        .slice(0, comma)
        .split(";")
        .some((p) => p.trim() === "base64")
    ) {
      return { error: "data: reference must declare ';base64' encoding" };
    }
    const payload = rest.slice(comma + 1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 !== 0) {
      return { error: "data: reference is not valid base64" };
    }
    return { value: Buffer.from(payload, "base64").toString("utf8") };
  }
  return {
    error: `${scheme}:// references are not supported: natskit does not run the ${scheme === "op" ? "1Password (op)" : "nsc"} tool`,
  };
}

/** A literal value, or the value behind a reference (natscontext `resolveLiteral`). */
function literal(field: string, ref: string, lookup: Lookup, report: Report): string | undefined {
  const scheme = schemeOf(ref);
  if (scheme === undefined) return ref;
  if (scheme === "file") {
    const file = expandPath(stripScheme(ref), lookup);
    try {
      return readFileSync(file, "utf8").replace(/[\r\n]+$/, "");
    } catch (e) {
      report(
        field,
        `cannot read '${file}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "unreadable"}`,
      );
      return undefined;
    }
  }
  const r = resolveReference(ref, scheme, lookup);
  if ("error" in r) {
    report(field, r.error);
    return undefined;
  }
  return r.value.replace(/[\r\n]+$/, "");
}

/** A path field (`creds`, `nkey`, `cert`, `key`, `ca`): a bare path or `file://`, expanded. */
function pathOrContent(
  field: string,
  ref: string,
  lookup: Lookup,
  report: Report,
  contentAllowed: boolean,
): { file: string } | { content: string } | undefined {
  const scheme = schemeOf(ref);
  if (scheme === undefined || scheme === "file") {
    return { file: expandPath(scheme ? stripScheme(ref) : ref, lookup) };
  }
  if (!contentAllowed) {
    report(field, `${scheme}: references are not supported here: a file path (or file://) is required`);
    return undefined;
  }
  const r = resolveReference(ref, scheme, lookup);
  if ("error" in r) {
    report(field, r.error);
    return undefined;
  }
  return { content: r.value };
}

const JWT_BLOCK = /-----BEGIN NATS USER JWT-----\s*([\s\S]*?)\s*------END NATS USER JWT------/;
const SEED_BLOCK = /-----BEGIN USER NKEY SEED-----\s*([\s\S]*?)\s*------END USER NKEY SEED------/;

/**
 * Maps nats CLI settings (a context's fields, or the environment) onto the connection fields.
 * `names` gives each setting's name as the source spells it (`creds`, or `NATS_CREDS`);
 * problems go to `report` under that name.
 */
export function settingsToFields(
  s: NatsSettings,
  names: Readonly<Record<keyof NatsSettings, string>>,
  options: NatsContextOptions,
  report: Report,
  origin: (name: string) => Omit<FieldOrigin, "from" | "name">,
): ContextFields {
  const lookup = lookupOf(options);
  const fields: ContextFields["fields"] & {
    auth?: NonNullable<ParsedConnectionFields["auth"]>;
    tls?: NonNullable<ParsedConnectionFields["tls"]>;
  } = {};
  const origins: FieldOrigin[] = [];
  const from = (path: Path, key: keyof NatsSettings) =>
    origins.push({ from: path, name: names[key], ...origin(names[key]) });
  const set = (v: string | undefined): v is string => v !== undefined && v !== "";

  if (set(s.url)) {
    fields.urls = s.url;
    from(["urls"], "url");
  }

  // One auth method, as natscontext.Validate asks (it lets a token slip in beside a user).
  const methods: string[] = [];
  if (set(s.user)) methods.push(`${names.user}/${names.password}`);
  else if (set(s.password)) report(names.password, `set but ${names.user} is empty`);
  if (set(s.token)) methods.push(names.token);
  if (set(s.creds)) methods.push(names.creds);
  if (set(s.nkey)) methods.push(names.nkey);
  if (set(s.user_jwt) || set(s.user_seed)) methods.push(`${names.user_jwt}/${names.user_seed}`);
  if (methods.length > 1) {
    report(methods.join(", "), "more than one auth method; only one is permitted");
  } else {
    const auth: NonNullable<ParsedConnectionFields["auth"]> = {};
    if (set(s.user)) {
      auth.user = s.user;
      from(["auth", "user"], "user");
      const password = set(s.password) ? literal(names.password, s.password, lookup, report) : "";
      if (password !== undefined) {
        auth.password = password;
        from(["auth", "password"], "password");
      }
    }
    if (set(s.token)) {
      const token = literal(names.token, s.token, lookup, report);
      if (token !== undefined) auth.token = token;
      from(["auth", "token"], "token");
    }
    if (set(s.creds)) {
      const c = pathOrContent(names.creds, s.creds, lookup, report, true);
      if (c && "file" in c) {
        auth.user_credentials_file = c.file;
        from(["auth", "user_credentials_file"], "creds");
      } else if (c) {
        const jwt = JWT_BLOCK.exec(c.content)?.[1];
        const seed = SEED_BLOCK.exec(c.content)?.[1];
        if (!jwt) report(names.creds, "the credentials have no NATS USER JWT block");
        if (!seed) report(names.creds, "the credentials have no USER NKEY SEED block");
        if (jwt && seed) {
          Object.assign(auth, { user_jwt: jwt, user_nkey_seed: seed });
          from(["auth", "user_jwt"], "creds");
          from(["auth", "user_nkey_seed"], "creds");
        }
      }
    }
    if (set(s.nkey)) {
      const n = pathOrContent(names.nkey, s.nkey, lookup, report, true);
      if (n && "file" in n) {
        auth.nkey_file = n.file;
        from(["auth", "nkey_file"], "nkey");
      } else if (n) {
        // A decorated seed file's content, or the bare seed.
        auth.nkey = /\bSU[A-Z2-7]{40,}/.exec(n.content)?.[0] ?? n.content.trim();
        from(["auth", "nkey"], "nkey");
      }
    }
    if (set(s.user_jwt) || set(s.user_seed)) {
      // natscontext would send a seedless jwt as a bearer token; the config rules require both.
      const jwt = set(s.user_jwt) ? literal(names.user_jwt, s.user_jwt, lookup, report) : "";
      const seed = set(s.user_seed) ? literal(names.user_seed, s.user_seed, lookup, report) : "";
      if (jwt !== undefined && seed !== undefined) {
        Object.assign(auth, { user_jwt: jwt, user_nkey_seed: seed });
        from(["auth", "user_jwt"], "user_jwt");
        from(["auth", "user_nkey_seed"], "user_seed");
      }
    }
    if (Object.keys(auth).length > 0) fields.auth = auth;
  }

  const tls: NonNullable<ParsedConnectionFields["tls"]> = {};
  if (set(s.ca)) {
    const ca = pathOrContent(names.ca, s.ca, lookup, report, false);
    if (ca && "file" in ca) {
      tls.root_cas_file = ca.file;
      from(["tls", "root_cas_file"], "ca");
    }
  }
  if (set(s.cert) || set(s.key)) {
    const cert = set(s.cert) ? pathOrContent(names.cert, s.cert, lookup, report, false) : { file: "" };
    const key = set(s.key) ? pathOrContent(names.key, s.key, lookup, report, false) : { file: "" };
    if (cert && "file" in cert && key && "file" in key) {
      tls.client_certs = [{ cert_file: cert.file, key_file: key.file }];
      from(["tls", "client_certs", 0, "cert_file"], "cert");
      from(["tls", "client_certs", 0, "key_file"], "key");
    }
  }
  if (Object.keys(tls).length > 0) {
    fields.tls = { enabled: true, ...tls };
    from(["tls"], set(s.ca) ? "ca" : "cert");
  }
  if (s.tls_first === true) {
    fields.tls_handshake_first = true;
    from(["tls_handshake_first"], "tls_first");
  }
  if (set(s.inbox_prefix)) {
    fields.inbox_prefix = s.inbox_prefix;
    from(["inbox_prefix"], "inbox_prefix");
  }
  return { fields, origins };
}
