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
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

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
    const parts = item.split(",");
    // Split at commas, `nats://bob:4222,Tr0ub4dor@h` would dial `bob:4222` and show a piece of
    // the password as a server: credentials after a comma with no scheme are refused.
    if (parts.some((p, i) => i > 0 && p.includes("@") && !SCHEME.test(p.trim()))) {
      issues.push({
        path: ["urls", index],
        message:
          "has credentials after a ',' but no scheme there: the item is split into urls at commas, so a password or token containing ',' must percent-encode it as %2C (or give each url its scheme, e.g. nats://)",
      });
      return;
    }
    for (const part of parts) {
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
  const withScheme = SCHEME.test(text) ? text : `nats://${text}`;
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
 * Each url of a comma-separated list is masked. A part after a comma that has an `@` but no
 * scheme continues the last url with a scheme (`nats://svc:P@ss,2024@host` is one url whose password
 * contains `@` and `,`), and everything up to a url's last `@` is userinfo, so a password is
 * masked whole. A url without `@` that is not `host[:port]` is masked too: it may be a piece of
 * a password.
 */
export function redactUrl(text: string): string {
  const urls: string[] = [];
  for (const [i, part] of text.split(",").entries()) {
    if (i > 0 && part.includes("@") && !SCHEME.test(part.trim())) {
      // Userinfo back to the last url with a scheme: `nats://a:1,,2,3@h` is one password.
      let start = urls.length - 1;
      while (start > 0 && !SCHEME.test((urls[start] as string).trim())) start--;
      urls.push([...urls.splice(start), part].join(","));
    } else urls.push(part);
  }
  return urls
    .map((url) => {
      const scheme = /^\s*([a-z][a-z0-9+.-]*:\/\/)?/i.exec(url)?.[0] ?? "";
      const rest = url.slice(scheme.length);
      const at = rest.lastIndexOf("@");
      if (at === -1) {
        const hostLike = /^[^:]*(:\d*)?\/?\s*$|^\s*\[[^\]]*\](:\d*)?\/?\s*$/.test(rest);
        return hostLike ? url : `${scheme}***`;
      }
      const info = rest.slice(0, at);
      const colon = info.indexOf(":");
      return `${scheme}${colon === -1 ? "***" : `${info.slice(0, colon)}:***`}${rest.slice(at)}`;
    })
    .join(",");
}
