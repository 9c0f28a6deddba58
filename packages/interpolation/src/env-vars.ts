import { EnvVarError } from "./errors.js";
import type { EnvSubstitution } from "./types.js";

// The reference's `envRegex`, plus an optional `|filter` suffix.
const ENV_VAR = /\$\{([0-9A-Za-z_.]+)(:(?:\$\{[^}]+\}|[^}])*)?(?:\|([0-9A-Za-z]+))?\}/g;
const ESCAPED = /\$\{(\{[0-9A-Za-z_.]+(?::(?:\$\{[^}]+\}|[^}])*)?(?:\|[0-9A-Za-z]+)?\})\}/g;
const FILTER = /\|([0-9A-Za-z]+)$/;
const FILTERS = new Set(["base64decode"]);

type Lookup = Readonly<Record<string, string | undefined>> | ((name: string) => string | undefined);

function applyFilter(variable: string, filter: string, value: string): string {
  if (filter === "base64decode") {
    const s = value.replace(/[\r\n]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
      throw new EnvVarError("BASE64_DECODE", variable, `${variable}: value is not valid base64`);
    }
    return Buffer.from(s, "base64").toString("utf8");
  }
  throw new EnvVarError("UNKNOWN_FILTER", variable, `${variable}: unknown filter '${filter}'`);
}

/**
 * Replaces environment variables in raw config text, before any parsing, as the reference does:
 *
 * - `${VAR}` becomes the value of `VAR`; when it is not set it becomes `""` and `VAR` is listed in
 *   `missing` (so the caller can warn or fail).
 * - `${VAR:default}` uses `default` when `VAR` is unset **or empty**; never listed as missing.
 * - `${VAR|base64decode}` (also after a default) decodes the value.
 * - `${{VAR}}` is an escape that leaves the literal text `${VAR}`.
 * - `${! … }` is never touched (`!` is not a name character).
 * - Newlines in values are written as `\n`, so they cannot break the config's structure.
 *
 * Throws {@link EnvVarError} for a value that a filter cannot decode.
 *
 * @example
 * substituteEnvVars("url: ${NATS_URL:nats://localhost:4222}", { NATS_URL: "nats://a:4222" })
 * // { text: "url: nats://a:4222", missing: [] }
 */
export function substituteEnvVars(text: string, env: Lookup = process.env): EnvSubstitution {
  const lookup = typeof env === "function" ? env : (name: string) => env[name];
  const missing: string[] = [];
  const inserted: string[] = [];
  const first: Edit[] = [];
  const second: Edit[] = [];
  const replaced = text.replace(
    ENV_VAR,
    (match: string, varName: string, rest: string | undefined, f0: string | undefined, offset: number) => {
      let filter = f0;
      let def = rest === undefined ? undefined : rest.slice(1);
      if (def !== undefined && filter === undefined) {
        // The default is greedy, so a trailing `|filter` lands in it.
        const f = FILTER.exec(def);
        if (f && FILTERS.has(f[1] as string)) {
          filter = f[1];
          def = def.slice(0, f.index);
        }
      }
      let value: string;
      if (def === undefined) {
        const v = lookup(varName);
        if (v === undefined) {
          if (!missing.includes(varName)) missing.push(varName);
          value = "";
        } else value = v;
      } else {
        const v = lookup(varName);
        value = v === undefined || v === "" ? def : v;
      }
      if (filter !== undefined && value !== "") value = applyFilter(varName, filter, value);
      const out = value.replaceAll("\n", "\\n");
      first.push({ at: offset, from: match.length, to: out.length });
      if (out !== "" && !inserted.includes(out)) inserted.push(out);
      return out;
    },
  );
  const final = replaced.replace(ESCAPED, (match: string, inner: string, offset: number) => {
    second.push({ at: offset, from: match.length, to: inner.length + 1 });
    return "$" + inner;
  });
  return {
    text: final,
    missing,
    originalOffset: (offset) => unmap(first, unmap(second, offset)),
    inserted,
  };
}

/** One replacement: `from` characters at `at` (in the text before) became `to` characters. */
interface Edit {
  at: number;
  from: number;
  to: number;
}

/** The offset before the edits of the offset after them. */
function unmap(edits: readonly Edit[], offset: number): number {
  let delta = 0;
  for (const e of edits) {
    const start = e.at + delta;
    if (offset < start) break;
    if (offset < start + e.to) return e.at;
    delta += e.to - e.from;
  }
  return offset - delta;
}
