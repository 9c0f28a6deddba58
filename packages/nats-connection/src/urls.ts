import type { RawIssue } from "./paths.js";

/** A server URL with any credentials taken out of it. */
export interface ServerUrl {
  /** What the client dials: `nats://host:port` without userinfo. */
  readonly url: string;
  /** Index of the `urls` item it came from, for error paths. */
  readonly index: number;
}

/** Credentials found in `user:pass@` or `token@` userinfo, percent-decoded. */
export type UrlCredentials =
  | { readonly kind: "user_password"; readonly user: string; readonly password: string }
  | { readonly kind: "token"; readonly token: string };

export interface ExpandedUrls {
  servers: ServerUrl[];
  credentials: UrlCredentials | undefined;
  issues: RawIssue[];
}

const SCHEMES = new Set(["nats:", "tls:"]);

/**
 * Expands comma-separated items, trims them, drops empty ones, and lifts credentials out of the
 * userinfo part (the NATS client ignores them). Error messages never contain the credentials.
 */
export function expandUrls(urls: string | readonly string[]): ExpandedUrls {
  const items = typeof urls === "string" ? [urls] : urls;
  const servers: ServerUrl[] = [];
  const issues: RawIssue[] = [];
  let credentials: UrlCredentials | undefined;
  let credentialsFrom: number | undefined;

  items.forEach((item, index) => {
    for (const part of item.split(",")) {
      const text = part.trim();
      if (text === "") continue;
      const parsed = parseServerUrl(text);
      if ("error" in parsed) {
        issues.push({ path: ["urls", index], message: parsed.error });
        continue;
      }
      servers.push({ url: parsed.url, index });
      if (!parsed.credentials) continue;
      if (credentials === undefined) {
        credentials = parsed.credentials;
        credentialsFrom = index;
      } else if (!sameCredentials(credentials, parsed.credentials)) {
        issues.push({
          path: ["urls", index],
          message: `credentials differ from those in urls[${credentialsFrom}]; one connection uses one set of credentials`,
        });
      }
    }
  });
  if (servers.length === 0 && issues.length === 0) {
    issues.push({ path: ["urls"], message: "at least one server url is required" });
  }
  return { servers, credentials, issues };
}

function parseServerUrl(text: string): { url: string; credentials?: UrlCredentials } | { error: string } {
  // The client accepts bare `host:port`; give it a scheme so WHATWG URL parsing applies.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { error: `'${redactUrl(text)}' is not a valid url` };
  }
  if (u.protocol === "ws:" || u.protocol === "wss:") {
    return {
      error: `'${redactUrl(text)}' is a websocket url: the Node client connects over TCP only; use nats:// or tls:// and the server's client port`,
    };
  }
  if (!SCHEMES.has(u.protocol)) {
    return { error: `'${redactUrl(text)}' has unsupported scheme '${u.protocol}'; use nats:// or tls://` };
  }
  if (u.hostname === "") return { error: `'${redactUrl(text)}' has no host` };
  if ((u.pathname !== "" && u.pathname !== "/") || u.search !== "" || u.hash !== "") {
    return { error: `'${redactUrl(text)}' must not have a path, query or fragment` };
  }
  let credentials: UrlCredentials | undefined;
  try {
    if (u.password !== "" || text.includes(":@")) {
      credentials = {
        kind: "user_password",
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
      };
    } else if (u.username !== "") {
      credentials = { kind: "token", token: decodeURIComponent(u.username) };
    }
  } catch {
    return { error: `'${redactUrl(text)}' has badly percent-encoded credentials` };
  }
  const port = u.port === "" ? "" : `:${u.port}`;
  const url = `${u.protocol}//${u.hostname}${port}`;
  return credentials ? { url, credentials } : { url };
}

function sameCredentials(a: UrlCredentials, b: UrlCredentials): boolean {
  if (a.kind === "token" && b.kind === "token") return a.token === b.token;
  if (a.kind === "user_password" && b.kind === "user_password")
    return a.user === b.user && a.password === b.password;
  return false;
}

/**
 * `nats://alice:secret@host` → `nats://alice:***@host`; `nats://tok@host` → `nats://***@host`.
 * Each item of a comma-separated list is masked, and everything up to an item's last `@` counts as
 * userinfo, so a password containing `/` or `@` is masked whole; an item without an `@` that is
 * not `host[:port]`, or that the next item continues (userinfo without a scheme), is masked too:
 * it may be a piece of a password split at a comma.
 */
export function redactUrl(text: string): string {
  const parts = text.split(",").map((part) => {
    const scheme = /^\s*([a-z][a-z0-9+.-]*:\/\/)?/i.exec(part)?.[0] ?? "";
    return { part, scheme, hasScheme: scheme.includes("://"), rest: part.slice(scheme.length) };
  });
  return parts
    .map(({ part, scheme, rest }, i) => {
      const at = rest.lastIndexOf("@");
      if (at === -1) {
        // No userinfo. A piece of a password that contains a comma (`user:12,34@host`,
        // `s3cr,et@host`) looks like this too: mask it when it is not host[:port], or when the
        // next item carries userinfo but no scheme (its continuation).
        const next = parts[i + 1];
        const continued = next !== undefined && !next.hasScheme && next.rest.includes("@");
        const hostLike = /^[^:]*(:\d*)?\/?\s*$|^\s*\[[^\]]*\](:\d*)?\/?\s*$/.test(rest);
        return hostLike && !continued ? part : `${scheme}***`;
      }
      const info = rest.slice(0, at);
      const colon = info.indexOf(":");
      return `${scheme}${colon === -1 ? "***" : `${info.slice(0, colon)}:***`}${rest.slice(at)}`;
    })
    .join(",");
}
