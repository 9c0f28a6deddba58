import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ContextDir, type NatscliContext, natscliContextJson } from "../test/natscli.js";
import { parseConnectionConfig } from "./config.js";
import { connectNats } from "./connect.js";
import { connectionConfigFromEnv } from "./env.js";
import { ConfigError, ConnectError, NatsConnectionError } from "./errors.js";
import { loadNatsContext } from "./nats-context.js";
import { describeConnection, redactConnectionConfig } from "./redact.js";
import { resolveConnection } from "./resolve.js";
import type { ConnectionConfig } from "./types.js";
import { redactUrl } from "./urls.js";

// Every secret holds one of these markers, which no message, path or port can contain by
// chance: if a marker shows, a piece of a secret escaped.
const MARKERS = ["Jq7", "Kv9", "Wz3", "Xj5", "Qy8"];
const LEAK = new RegExp(MARKERS.join("|"), "i");
const CHARS = [..."}],:#\"'\n@/% ", ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
const piece = (min: number, max: number) =>
  fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** At least 6 characters, with the special characters mixed in around a marker. */
const secret = fc
  .tuple(piece(2, 12), fc.constantFrom(...MARKERS), piece(1, 12))
  .map(([a, m, b]) => `${a}${m}${b}`);

const dir = join(tmpdir(), `natskit-no-secrets-${process.pid}`);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A file holding `content`, or the content pasted into the `*_file` field itself. */
function fileField(content: string, asFile: boolean): string {
  if (!asFile) return content;
  const path = join(dir, `f${files++}`);
  writeFileSync(path, content);
  return path;
}
const pem = (type: string, body: string) => `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;
const creds = (body: string) =>
  `-----BEGIN NATS USER JWT-----\n${body}\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\n${body}\n------END USER NKEY SEED------\n`;

const positions = fc.record(
  {
    urlPassword: secret,
    urlToken: secret.filter((s) => !s.includes(":")),
    password: secret,
    token: secret,
    userJwt: secret,
    userNkeySeed: secret,
    nkey: secret,
    key: secret,
    keyPassword: secret,
    rootCas: secret,
    nkeyFile: secret,
    credsFile: secret,
    keyFile: secret,
    certFile: secret,
    rootCasFile: secret,
  },
  { requiredKeys: [] },
);

type Positions = Partial<Record<string, string>>;

function buildConfig(p: Positions, asFile: boolean, host = "127.0.0.1:4222"): Record<string, unknown> {
  const urls = [
    p.urlPassword !== undefined ? `nats://svc:${p.urlPassword}@${host}` : `nats://${host}`,
    ...(p.urlToken !== undefined ? [`nats://${p.urlToken}@${host}`] : []),
  ];
  const auth: Record<string, string> = {};
  if (p.password !== undefined) Object.assign(auth, { user: "svc", password: p.password });
  if (p.token !== undefined) auth.token = p.token;
  if (p.userJwt !== undefined || p.userNkeySeed !== undefined) {
    Object.assign(auth, { user_jwt: p.userJwt ?? "a.b.c", user_nkey_seed: p.userNkeySeed ?? "SUAXX" });
  }
  if (p.nkey !== undefined) auth.nkey = p.nkey;
  if (p.nkeyFile !== undefined) auth.nkey_file = fileField(`${p.nkeyFile}\n`, asFile);
  if (p.credsFile !== undefined) auth.user_credentials_file = fileField(creds(p.credsFile), asFile);
  const clientCerts: Record<string, string>[] = [];
  if (p.key !== undefined || p.keyPassword !== undefined) {
    clientCerts.push({
      cert: pem("CERTIFICATE", "MIIB"),
      key: pem("PRIVATE KEY", p.key ?? "MIIE"),
      ...(p.keyPassword !== undefined ? { password: p.keyPassword } : {}),
    });
  }
  if (p.keyFile !== undefined || p.certFile !== undefined) {
    clientCerts.push({
      cert_file: fileField(pem("CERTIFICATE", p.certFile ?? "MIIB"), asFile),
      key_file: fileField(pem("PRIVATE KEY", p.keyFile ?? "MIIE"), asFile),
    });
  }
  const tls: Record<string, unknown> = { enabled: true, client_certs: clientCerts };
  if (p.rootCas !== undefined) tls.root_cas = pem("CERTIFICATE", p.rootCas);
  else if (p.rootCasFile !== undefined)
    tls.root_cas_file = fileField(pem("CERTIFICATE", p.rootCasFile), asFile);
  const withTls = clientCerts.length > 0 || tls.root_cas !== undefined || tls.root_cas_file !== undefined;
  return { urls, auth, ...(withTls ? { tls } : {}), wait_on_first_connect: 0 };
}

/** Everything a user could print: the value itself, inspected, serialized and as a string. */
function shown(...values: unknown[]): string {
  return values
    .flatMap((v) => {
      const out = [inspect(v, { depth: 20 }), JSON.stringify(v) ?? "", String(v)];
      if (NatsConnectionError.isInstance(v)) {
        out.push(v.message);
        if (ConfigError.isInstance(v)) out.push(JSON.stringify(v.issues));
        for (let c: unknown = v.cause; c instanceof Error; c = c.cause) out.push(c.message, String(c));
      }
      return out;
    })
    .join("\n");
}

function expectNoSecret(text: string, p: Positions): void {
  expect(text).not.toMatch(LEAK);
  for (const s of Object.values(p)) if (s !== undefined) expect(text).not.toContain(s);
}

describe("nats-connection secrets never escape (property)", () => {
  it("nats-connection - parse, resolve, describe, inspect and every ConfigError show no secret", () => {
    fc.assert(
      fc.property(positions, fc.boolean(), (p, asFile) => {
        const raw = buildConfig(p, asFile);
        const out: unknown[] = [redactConnectionConfig(raw), ...(raw.urls as string[]).map(redactUrl)];
        try {
          const config = parseConnectionConfig(raw, { label: "out" });
          out.push(config, describeConnection(config), config.auth, config.tls, config.servers);
          out.push(resolveConnection(config));
        } catch (e) {
          if (!ConfigError.isInstance(e)) throw e;
          out.push(e);
        }
        expectNoSecret(shown(...out), p);
      }),
      { numRuns: 500 },
    );
  });

  it("nats-connection - a connect attempt to a closed port shows no secret in its ConnectError", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const connectable = fc.record(
      {
        urlPassword: secret,
        urlToken: secret.filter((s) => !s.includes(":")),
        password: secret,
        token: secret,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(connectable, async (p) => {
        let error: unknown;
        try {
          // Generated configs are untyped: the runtime-validated path.
          const raw: unknown = buildConfig(p, false, `127.0.0.1:${port}`);
          const c = await connectNats(parseConnectionConfig(raw, { label: "out" }));
          await c.close();
        } catch (e) {
          error = e;
        }
        expect(ConfigError.isInstance(error) || ConnectError.isInstance(error)).toBe(true);
        expectNoSecret(shown(error), p);
      }),
      { numRuns: 40 },
    );
  });
});

describe("nats-connection secrets in nats contexts and env vars never escape (property)", () => {
  const contexts = new ContextDir();
  afterAll(() => contexts.remove());
  let n = 0;

  const contextSecrets = fc.record(
    {
      password: secret,
      token: secret,
      userJwt: secret,
      userSeed: secret,
      nkeyData: secret,
      credsData: secret,
      envPassword: secret,
      socks: secret,
      unknownValue: secret,
    },
    { requiredKeys: [] },
  );
  const b64 = (s: string) => `data:;base64,${Buffer.from(s).toString("base64")}`;

  it("nats-context - parse, resolve, load, describe, inspect and every ConfigError show no secret from a context file", () => {
    fc.assert(
      fc.property(
        contextSecrets,
        fc.constantFrom("natscli", "broken-json", "unknown-field"),
        fc.boolean(),
        (p, shape, byEnvRef) => {
          const fields: NatscliContext = { url: "nats://127.0.0.1:4222" };
          if (p.password !== undefined)
            Object.assign(fields, { user: "svc", password: byEnvRef ? "env://CTX_PW" : p.password });
          if (p.token !== undefined) fields.token = p.token;
          if (p.userJwt !== undefined || p.userSeed !== undefined) {
            Object.assign(fields, { user_jwt: p.userJwt ?? "a.b.c", user_seed: p.userSeed ?? "SUAXX" });
          }
          if (p.nkeyData !== undefined) fields.nkey = b64(p.nkeyData);
          if (p.credsData !== undefined) fields.creds = b64(creds(p.credsData));
          if (p.socks !== undefined) fields.socks_proxy = `socks5://u:${p.socks}@proxy:1080`;
          let text = natscliContextJson(fields);
          if (shape === "broken-json") text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
          if (shape === "unknown-field")
            text = text.replace("{", `{\n  "extra": ${JSON.stringify(p.unknownValue ?? "x")},`);
          const name = `ctx${n++}`;
          contexts.saveText(name, text);
          const env = { ...contexts.env, CTX_PW: p.password ?? "unused", NATS_PASSWORD: p.envPassword ?? "" };
          const out: unknown[] = [];
          const attempt = (fn: () => unknown) => {
            try {
              const v = fn();
              out.push(v);
              if (v && typeof v === "object" && "servers" in v) {
                const config = v as ConnectionConfig;
                out.push(describeConnection(config), config.auth, config.tls, resolveConnection(config));
              }
            } catch (e) {
              if (!ConfigError.isInstance(e)) throw e;
              out.push(e);
            }
          };
          attempt(() => parseConnectionConfig({ context: name }, { env, home: contexts.root }));
          attempt(() => loadNatsContext(name, { env, home: contexts.root }));
          attempt(() =>
            connectionConfigFromEnv(
              { ...env, NATS_CONTEXT: name, NATS_USER: "svc" },
              { home: contexts.root },
            ),
          );
          const text2 = shown(...out);
          expectNoSecret(text2, p);
          expect(text2).not.toContain(Buffer.from(p.credsData ?? "\u0000none").toString("base64"));
        },
      ),
      { numRuns: 300 },
    );
  });
});
