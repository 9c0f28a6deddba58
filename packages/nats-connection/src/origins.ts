import { type Path, type RawIssue, renderPath } from "./paths.js";
import type { ConnectionConfig } from "./types.js";

// Config fields that a nats context or an environment variable supplied: problems with them are
// reported where they came from, in that source's own names.

/** Where a config field came from, so issues about it name the source (context field, env var). */
export interface FieldOrigin {
  /** The config path of the field, relative to the connection fields (`auth.user_credentials_file`). */
  readonly from: Path;
  /** The path issues about it are reported at (`context`, `NATS_CREDS`). */
  readonly to: Path;
  /** Put before the message: `'prod' (/home/u/.config/nats/context/prod.json): creds: `. */
  readonly prefix: string;
  /** The source's own name for the field, used where a message names the config field. */
  readonly name: string;
}

/** {@link translateIssues} with the origins a parsed config recorded. */
export function translateOrigins(
  issues: readonly RawIssue[],
  config: { readonly origins?: ConnectionConfig["origins"] },
): RawIssue[] {
  let out = [...issues];
  for (const stage of config.origins?.stages ?? []) out = translateIssues(out, stage, config.origins?.prefix);
  return out;
}

const startsWith = (path: Path, head: Path) =>
  head.length <= path.length && head.every((s, i) => s === path[i]);

/**
 * Issues about fields that came from a context or the environment, reported where they came
 * from: `auth.user_credentials_file: cannot read …` becomes `context: 'prod' (…): creds: cannot
 * read …` or `NATS_CREDS: cannot read …`. Config field names in the message become the
 * source's names. `prefix` is the connection fields' place in a larger config.
 */
export function translateIssues(
  issues: readonly RawIssue[],
  origins: readonly FieldOrigin[],
  prefix: Path = [],
): RawIssue[] {
  if (origins.length === 0) return [...issues];
  // Full paths (`auth.user_jwt`), then field names with an underscore (`cert_file`), which
  // messages about sibling fields use; a plain word such as `user` stays as it is.
  const renames = [
    ...origins.map((o) => [renderPath(o.from, "snake"), o.name] as const),
    ...origins.flatMap((o) => {
      const last = o.from[o.from.length - 1];
      return typeof last === "string" && last.includes("_") ? [[last, o.name] as const] : [];
    }),
  ].sort((a, b) => b[0].length - a[0].length);
  const rename = (message: string) => {
    let out = message.replace(
      /tls\.client_certs\[0\]\.password is not set/g,
      "a nats context has no field for its password",
    );
    for (const [from, to] of renames) {
      const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(new RegExp(`(?<![\\w.'/])${escaped}(?![\\w'])`, "g"), to);
    }
    return out;
  };
  return issues.map((issue) => {
    const rel = startsWith(issue.path, prefix) ? issue.path.slice(prefix.length) : issue.path;
    let best: FieldOrigin | undefined;
    for (const o of origins) {
      if (startsWith(rel, o.from) && (!best || o.from.length > best.from.length)) best = o;
    }
    if (!best) return issue;
    // An issue translated before (a context's, then NATS_CONTEXT's) already speaks its source's names.
    const message = issue.verbatim ? issue.message : rename(issue.message);
    return { path: [...prefix, ...best.to], message: `${best.prefix}${message}`, verbatim: true };
  });
}
