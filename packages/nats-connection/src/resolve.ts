import type { KeyObject } from "node:crypto";
// The client's own copy: importing @nats-io/nkeys by name costs ESM a second scan of its CJS exports.
import { nkeys } from "@nats-io/transport-node";
import { looksLikeFileContent, notAPathMessage } from "./content.js";
import { ConfigError } from "./errors.js";
import { createPrivateKey, homedir, readFileSync, X509Certificate } from "./node-builtins.js";
import { translateOrigins } from "./origins.js";
import { type Path, type RawIssue, renderIssues, renderPath } from "./paths.js";
import { describeConnection, hideSecrets, SECRET_MASK } from "./redact.js";
import type { AuthMethod, ConnectionConfig, PemSource, TlsConfig } from "./types.js";

/** What the client needs, loaded and checked: PEMs parsed, keys decrypted, seeds validated. */
export interface ResolvedConnection {
  readonly config: ConnectionConfig;
  readonly tls: ResolvedTls | undefined;
  /** For creds files: read again at each connect so rotated files are picked up. */
  readonly auth: ResolvedAuth;
}

export interface ResolvedTls {
  readonly ca: string[] | undefined;
  readonly cert: string[];
  /** Unencrypted PKCS#8 PEM; the password never reaches the client. */
  readonly key: string[];
  readonly rejectUnauthorized: boolean;
  readonly handshakeFirst: boolean;
}

export type ResolvedAuth =
  | { readonly kind: "none" }
  | { readonly kind: "nkey"; readonly seed: Uint8Array }
  | { readonly kind: "creds"; readonly file: string; readonly read: () => Uint8Array }
  | { readonly kind: "jwt"; readonly jwt: string; readonly seed: Uint8Array }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "user_password"; readonly user: string; readonly password: string };

/**
 * Reads every file the config names and checks its contents, so a bad certificate, key,
 * password, seed or creds file is a {@link ConfigError} naming the field — not a connect failure.
 */
export function resolveConnection(config: ConnectionConfig): ResolvedConnection {
  const issues: RawIssue[] = [];
  const tls = config.tls ? resolveTls(config.tls, issues, config) : undefined;
  const auth = resolveAuth(config.auth, issues);
  if (issues.length > 0)
    throw new ConfigError(renderIssues(translateOrigins(issues, config), config.pathStyle));
  if (tls) {
    hideSecrets(tls, () => ({
      ...tls,
      ca: tls.ca && `${tls.ca.length} certificate(s)`,
      cert: `${tls.cert.length} certificate chain(s)`,
      key: tls.key.map(() => SECRET_MASK),
    }));
  }
  hideSecrets(auth, () => ({ kind: auth.kind }));
  return hideSecrets({ config, tls, auth }, () => describeConnection(config));
}

function expandHome(file: string): string {
  return file === "~" || file.startsWith("~/") ? homedir() + file.slice(1) : file;
}

function readText(file: string, path: Path, issues: RawIssue[]): string | undefined {
  if (looksLikeFileContent(file)) {
    issues.push({ path, message: notAPathMessage(String(path[path.length - 1])) });
    return undefined;
  }
  try {
    return readFileSync(expandHome(file), "utf8");
  } catch (e) {
    issues.push({ path, message: `cannot read '${file}': ${fsReason(e)}` });
    return undefined;
  }
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (e as Error).message;
}

function loadPem(src: PemSource, issues: RawIssue[]): { text: string; what: string } | undefined {
  if (src.kind === "inline") return { text: src.pem, what: "value" };
  const text = readText(src.file, src.path, issues);
  return text === undefined ? undefined : { text, what: `'${src.file}'` };
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function parseCerts(src: PemSource, issues: RawIssue[]): string[] | undefined {
  const pem = loadPem(src, issues);
  if (!pem) return undefined;
  const blocks = pem.text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    issues.push({ path: src.path, message: `${pem.what} contains no PEM certificate` });
    return undefined;
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      issues.push({
        path: src.path,
        message: `certificate ${i + 1} in ${pem.what} is not a valid x509 certificate`,
      });
      return undefined;
    }
  }
  return blocks;
}

function resolveTls(tls: TlsConfig, issues: RawIssue[], config: ConnectionConfig): ResolvedTls {
  const ca = tls.rootCas ? parseCerts(tls.rootCas, issues) : undefined;
  const cert: string[] = [];
  const key: string[] = [];
  for (const cc of tls.clientCerts) {
    const chain = parseCerts(cc.cert, issues);
    const k = loadKey(cc.key, cc.password, cc.key.path.slice(0, -1), issues, config);
    if (!chain || !k) continue;
    const leaf = new X509Certificate(chain[0] as string);
    if (!leaf.checkPrivateKey(k)) {
      issues.push({
        path: cc.key.path,
        message: `private key does not match the certificate in ${renderPath(cc.cert.path, config.pathStyle)}`,
      });
      continue;
    }
    cert.push(chain.join("\n"));
    key.push(k.export({ format: "pem", type: "pkcs8" }) as string);
  }
  return { ca, cert, key, rejectUnauthorized: !tls.skipCertVerify, handshakeFirst: tls.handshakeFirst };
}

function loadKey(
  src: PemSource,
  password: string | undefined,
  certPath: Path,
  issues: RawIssue[],
  config: ConnectionConfig,
): KeyObject | undefined {
  const pem = loadPem(src, issues);
  if (!pem) return undefined;
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem.text)) {
    issues.push({ path: src.path, message: `${pem.what} contains no PEM private key` });
    return undefined;
  }
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem.text);
  const passwordPath = renderPath([...certPath, "password"], config.pathStyle);
  if (encrypted && password === undefined) {
    issues.push({ path: src.path, message: `${pem.what} is encrypted and ${passwordPath} is not set` });
    return undefined;
  }
  try {
    return createPrivateKey(encrypted ? { key: pem.text, format: "pem", passphrase: password } : pem.text);
  } catch (e) {
    // A wrong password on a legacy (PKCS#1/SEC1) encrypted key passes the padding check about
    // once in 256 tries and then fails as garbage: any failure of an encrypted key is the password.
    const bad = encrypted || /bad decrypt|decrypt|passphrase/i.test((e as Error).message);
    issues.push({
      path: bad ? [...certPath, "password"] : src.path,
      message: bad
        ? `cannot decrypt the private key in ${renderPath(src.path, config.pathStyle)}: wrong password`
        : `${pem.what} is not a valid private key (${shortReason(e)})`,
    });
    return undefined;
  }
}

function shortReason(e: unknown): string {
  return ((e as Error).message.split(":").pop() ?? "unknown").trim();
}

const SEED_PATH: Record<string, Path> = {
  nkey_file: ["auth", "nkey_file"],
  nkey: ["auth", "nkey"],
  user_jwt: ["auth", "user_nkey_seed"],
};

function userSeed(text: string, path: Path, what: string, issues: RawIssue[]): Uint8Array | undefined {
  const seed = text.trim();
  try {
    const kp = nkeys.fromSeed(new TextEncoder().encode(seed));
    if (!kp.getPublicKey().startsWith("U")) {
      issues.push({ path, message: `${what} is not a user nkey seed (expected one starting with SU)` });
      return undefined;
    }
    return new TextEncoder().encode(seed);
  } catch {
    issues.push({ path, message: `${what} is not a valid nkey seed` });
    return undefined;
  }
}

const JWT_BLOCK = /-----BEGIN NATS USER JWT-----\s*([\s\S]*?)\s*------END NATS USER JWT------/;
const SEED_BLOCK = /-----BEGIN USER NKEY SEED-----\s*([\s\S]*?)\s*------END USER NKEY SEED------/;

function resolveAuth(auth: AuthMethod, issues: RawIssue[]): ResolvedAuth {
  switch (auth.kind) {
    case "none":
      return auth;
    case "nkey_file": {
      const path = SEED_PATH.nkey_file as Path;
      const text = readText(auth.file, path, issues);
      const seed = text === undefined ? undefined : userSeed(text, path, `'${auth.file}'`, issues);
      return seed ? { kind: "nkey", seed } : { kind: "none" };
    }
    case "nkey": {
      const seed = userSeed(auth.seed, SEED_PATH.nkey as Path, "value", issues);
      return seed ? { kind: "nkey", seed } : { kind: "none" };
    }
    case "user_credentials_file": {
      const path: Path = ["auth", "user_credentials_file"];
      const text = readText(auth.file, path, issues);
      if (text === undefined) return { kind: "none" };
      const jwt = JWT_BLOCK.exec(text)?.[1];
      const seed = SEED_BLOCK.exec(text)?.[1];
      if (!jwt) issues.push({ path, message: `'${auth.file}' has no NATS USER JWT block` });
      if (!seed) issues.push({ path, message: `'${auth.file}' has no USER NKEY SEED block` });
      else userSeed(seed, path, `the seed in '${auth.file}'`, issues);
      const file = expandHome(auth.file);
      return { kind: "creds", file: auth.file, read: () => readFileSync(file) };
    }
    case "user_jwt": {
      if (auth.jwt === "" || auth.seed === "") return { kind: "none" }; // already reported
      if (auth.jwt.split(".").length !== 3) {
        issues.push({
          path: ["auth", "user_jwt"],
          message: "is not a JWT (expected three dot-separated parts)",
        });
      }
      const seed = userSeed(auth.seed, SEED_PATH.user_jwt as Path, "value", issues);
      return seed ? { kind: "jwt", jwt: auth.jwt, seed } : { kind: "none" };
    }
    case "token":
      return { kind: "token", token: auth.token };
    case "user_password":
      return { kind: "user_password", user: auth.user, password: auth.password };
  }
}
