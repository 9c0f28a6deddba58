import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The fields of a nats CLI context, in the order `nats context save` writes them (jsm.go natscontext `settings`). */
export interface NatscliContext {
  description?: string;
  url?: string;
  socks_proxy?: string;
  token?: string;
  user?: string;
  password?: string;
  creds?: string;
  nkey?: string;
  cert?: string;
  key?: string;
  ca?: string;
  nsc?: string;
  jetstream_domain?: string;
  jetstream_api_prefix?: string;
  jetstream_event_prefix?: string;
  inbox_prefix?: string;
  user_jwt?: string;
  user_seed?: string;
  color_scheme?: string;
  tls_first?: boolean;
  windows_cert_store?: string;
  windows_cert_match_by?: string;
  windows_cert_match?: string;
  windows_ca_certs_match?: readonly string[] | null;
}

/**
 * A context file's text exactly as `nats context save` writes it: Go's `json.MarshalIndent(settings,
 * "", "  ")` — every field, in struct order, two-space indent, `<`, `>`, `&` escaped, no final newline.
 */
export function natscliContextJson(c: NatscliContext): string {
  const all = {
    description: c.description ?? "",
    url: c.url ?? "",
    socks_proxy: c.socks_proxy ?? "",
    token: c.token ?? "",
    user: c.user ?? "",
    password: c.password ?? "",
    creds: c.creds ?? "",
    nkey: c.nkey ?? "",
    cert: c.cert ?? "",
    key: c.key ?? "",
    ca: c.ca ?? "",
    nsc: c.nsc ?? "",
    jetstream_domain: c.jetstream_domain ?? "",
    jetstream_api_prefix: c.jetstream_api_prefix ?? "",
    jetstream_event_prefix: c.jetstream_event_prefix ?? "",
    inbox_prefix: c.inbox_prefix ?? "",
    user_jwt: c.user_jwt ?? "",
    user_seed: c.user_seed ?? "",
    color_scheme: c.color_scheme ?? "",
    tls_first: c.tls_first ?? false,
    windows_cert_store: c.windows_cert_store ?? "",
    windows_cert_match_by: c.windows_cert_match_by ?? "",
    windows_cert_match: c.windows_cert_match ?? "",
    windows_ca_certs_match: c.windows_ca_certs_match ?? null,
  };
  return JSON.stringify(all, null, 2)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/** A temp dir laid out as `$XDG_CONFIG_HOME` (`nats/context/<name>.json`, `nats/context.txt`). */
export class ContextDir {
  readonly root = mkdtempSync(join(tmpdir(), "natskit-contexts-"));
  readonly env: Record<string, string> = { XDG_CONFIG_HOME: this.root };

  /** Writes a context as `nats context save <name>` does; returns its path. */
  save(name: string, c: NatscliContext): string {
    const dir = join(this.root, "nats", "context");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${name}.json`);
    writeFileSync(file, natscliContextJson(c), { mode: 0o600 });
    return file;
  }

  /** Writes raw text as a context file. */
  saveText(name: string, text: string): string {
    const dir = join(this.root, "nats", "context");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.json`);
    writeFileSync(file, text);
    return file;
  }

  /** As `nats context select <name>`. */
  select(name: string): void {
    mkdirSync(join(this.root, "nats"), { recursive: true });
    writeFileSync(join(this.root, "nats", "context.txt"), name);
  }

  /** A file beside the contexts (creds, keys), returning its path. */
  file(name: string, content: string): string {
    const file = join(this.root, name);
    writeFileSync(file, content);
    return file;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
