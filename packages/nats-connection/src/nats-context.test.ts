import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ContextDir } from "../test/natscli.js";
import { parseConnectionConfig, parseConnectionOptions } from "./config.js";
import { connectionConfigFromEnv } from "./env.js";
import { ConfigError } from "./errors.js";
import { loadNatsContext, natsConfigDir, selectedNatsContext } from "./nats-context.js";
import { NATS_DEFAULT_URL } from "./nats-settings.js";
import { describeConnection } from "./redact.js";
import { resolveConnection } from "./resolve.js";

const dir = new ContextDir();
afterAll(() => dir.remove());
const env = dir.env;
const home = join(dir.root, "home");

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (!ConfigError.isInstance(e)) throw e;
    return [...e.issues];
  }
  throw new Error("expected a ConfigError");
}

const SEED = "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY";
const file = (name: string) => join(dir.root, "nats", "context", `${name}.json`);
const parse = (raw: unknown) => parseConnectionConfig(raw, { env, home });

describe("nats-connection nats contexts", () => {
  it("nats-context - loads a context by name from $XDG_CONFIG_HOME/nats/context", () => {
    dir.save("prod", {
      url: "nats://a:4222,nats://b:4222",
      user: "alice",
      password: "pw-Jq7",
      description: "x",
    });
    const ctx = loadNatsContext("prod", { env, home });
    expect(ctx.name).toBe("prod");
    expect(ctx.file).toBe(file("prod"));
    expect({ ...ctx.config }).toEqual({
      urls: "nats://a:4222,nats://b:4222",
      auth: { user: "alice", password: "pw-Jq7" },
    });
    // The secrets stay readable but do not print.
    expect(inspect(ctx, { depth: 10 }) + JSON.stringify(ctx) + inspect(ctx.config)).not.toContain("pw-Jq7");
  });

  it("nats-context - loads a context by path, and ~ in the path is the home dir", () => {
    mkdirSync(join(home, "ctx"), { recursive: true });
    writeFileSync(join(home, "ctx", "edge.json"), JSON.stringify({ url: "nats://edge:4222", token: "t" }));
    const ctx = loadNatsContext("~/ctx/edge.json", { env, home });
    expect(ctx.name).toBe("edge");
    expect(ctx.file).toBe(join(home, "ctx", "edge.json"));
    expect({ ...ctx.config }).toEqual({ urls: "nats://edge:4222", auth: { token: "t" } });
  });

  it("nats-context - contexts live in ~/.config/nats without XDG_CONFIG_HOME", () => {
    expect(natsConfigDir({ env: {}, home: "/home/u" })).toBe("/home/u/.config/nats");
    expect(natsConfigDir({ env: { XDG_CONFIG_HOME: "/x/" }, home: "/home/u" })).toBe("/x/nats");
  });

  it("nats-context - a context without a url dials the default server, as the nats CLI", () => {
    dir.save("local", {});
    expect(loadNatsContext("local", { env, home }).config.urls).toBe(NATS_DEFAULT_URL);
  });

  it("nats-context - maps creds, nkey, cert, key, ca, tls_first and inbox_prefix, expanding $VAR and ~", () => {
    dir.save("files", {
      creds: "$CREDS_DIR/u.creds",
      cert: "file://~/c.pem",
      key: "${KEYS}/k.pem",
      ca: "/etc/ca.pem",
      tls_first: true,
      inbox_prefix: "_INBOX_app",
    });
    const c = loadNatsContext("files", { env: { ...env, CREDS_DIR: "/creds", KEYS: "/keys" }, home: "/h" });
    expect({ ...c.config }).toEqual({
      urls: NATS_DEFAULT_URL,
      auth: { user_credentials_file: "/creds/u.creds" },
      tls: {
        enabled: true,
        root_cas_file: "/etc/ca.pem",
        client_certs: [{ cert_file: "/h/c.pem", key_file: "/keys/k.pem" }],
      },
      tls_handshake_first: true,
      inbox_prefix: "_INBOX_app",
    });
    dir.save("nkeyfile", { nkey: "~/u.nk" });
    expect(loadNatsContext("nkeyfile", { env, home: "/h" }).config.auth).toEqual({ nkey_file: "/h/u.nk" });
  });

  it("nats-context - resolves env:// and data: references in secrets; op:// and nsc:// are errors", () => {
    const creds = `-----BEGIN NATS USER JWT-----\na.b.c\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${SEED}\n------END USER NKEY SEED------\n`;
    dir.save("embedded", { creds: `data:;base64,${Buffer.from(creds).toString("base64")}` });
    expect(loadNatsContext("embedded", { env, home }).config.auth).toEqual({
      user_jwt: "a.b.c",
      user_nkey_seed: SEED,
    });
    dir.save("envpw", { user: "bob", password: "env://BOB_PW" });
    expect(loadNatsContext("envpw", { env: { ...env, BOB_PW: "from-env" }, home }).config.auth).toEqual({
      user: "bob",
      password: "from-env",
    });
    dir.save("nkeydata", { nkey: `data:;base64,${Buffer.from(`${SEED}\n`).toString("base64")}` });
    expect(loadNatsContext("nkeydata", { env, home }).config.auth).toEqual({ nkey: SEED });
    expect(issuesOf(() => loadNatsContext("envpw", { env, home }))).toEqual([
      {
        path: "",
        message: `context 'envpw' (${file("envpw")}): password: environment variable 'BOB_PW' is not set`,
      },
    ]);
    dir.save("op", { token: "op://vault/nats/token" });
    expect(issuesOf(() => loadNatsContext("op", { env, home }))[0]?.message).toBe(
      `context 'op' (${file("op")}): token: op:// references are not supported: natskit does not run the 1Password (op) tool`,
    );
  });

  it("nats-context - description, color_scheme, jetstream_event_prefix and name are ignored", () => {
    dir.save("cosmetic", {
      description: "d",
      color_scheme: "purple",
      jetstream_event_prefix: "$JS.EVENT",
      url: "h:1",
    });
    expect({ ...loadNatsContext("cosmetic", { env, home }).config }).toEqual({ urls: "h:1" });
  });

  it.each([
    [
      "socks_proxy",
      { socks_proxy: "socks5://proxy:1080" },
      "not supported: the Node client cannot dial through a SOCKS5 proxy",
    ],
    ["nsc", { nsc: "nsc://op/acc/user" }, "not supported: natskit does not run the nsc tool"],
    [
      "jetstream_domain",
      { jetstream_domain: "hub" },
      "not supported: natskit's components use the account's own JetStream API",
    ],
    ["jetstream_api_prefix", { jetstream_api_prefix: "x.API" }, "not supported"],
    [
      "windows_cert_store",
      { windows_cert_store: "user", windows_cert_match: "s" },
      "not supported: Node's TLS cannot use the Windows certificate store",
    ],
    ["windows_ca_certs_match", { windows_ca_certs_match: ["x"] }, "not supported"],
  ] as const)("nats-context - %s is an error naming the field", (field, fields, why) => {
    dir.save(`unsupported-${field}`, fields);
    const issues = issuesOf(() => loadNatsContext(`unsupported-${field}`, { env, home }));
    expect(issues[0]?.message).toContain(
      `context 'unsupported-${field}' (${file(`unsupported-${field}`)}): ${field}: ${why}`,
    );
  });

  it("nats-context - unknown fields, wrong types, bad JSON and a missing context are errors naming the file", () => {
    dir.saveText("typo", JSON.stringify({ url: "h:1", pasword: "x", tls_first: "yes", user: 5 }));
    expect(issuesOf(() => loadNatsContext("typo", { env, home }))).toEqual([
      {
        path: "",
        message: `context 'typo' (${file("typo")}): pasword: unknown field (not a field of a nats CLI context)`,
      },
      { path: "", message: `context 'typo' (${file("typo")}): user: expected string, got number` },
      { path: "", message: `context 'typo' (${file("typo")}): tls_first: expected boolean, got string` },
    ]);
    dir.saveText("broken", '{\n  "url": "h:1",\n  "password": "Kv9-secret\n}');
    const broken = issuesOf(() => loadNatsContext("broken", { env, home }));
    expect(broken[0]?.message).toMatch(
      new RegExp(`^context 'broken' \\(${file("broken")}\\): is not valid JSON`),
    );
    expect(JSON.stringify(broken)).not.toContain("Kv9");
    dir.saveText("list", "[]");
    expect(issuesOf(() => loadNatsContext("list", { env, home }))[0]?.message).toContain(
      "expected a JSON object, got list",
    );
    expect(issuesOf(() => loadNatsContext("nope", { env, home }))).toEqual([
      { path: "", message: `context 'nope' (${file("nope")}): no such context file` },
    ]);
    expect(issuesOf(() => loadNatsContext("a..b", { env, home }))[0]?.message).toContain(
      "not a valid context name",
    );
  });

  it("nats-context - two auth methods in one context are an error", () => {
    dir.save("both", { token: "t-Jq7", user: "u", password: "p-Kv9" });
    const issues = issuesOf(() => loadNatsContext("both", { env, home }));
    expect(issues).toEqual([
      {
        path: "",
        message: `context 'both' (${file("both")}): user/password, token: more than one auth method; only one is permitted`,
      },
    ]);
  });
});

describe("nats-connection config with a context", () => {
  it("nats-context - `context: name` gives urls, auth and tls; describe names the context", () => {
    dir.save("cfg", { url: "nats://h:4222", token: "tok-Jq7", ca: "/etc/ca.pem" });
    const c = parse({ context: "cfg", max_reconnects: -1 });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://h:4222"]);
    expect(c.auth).toEqual({ kind: "token", token: "tok-Jq7", from: "auth" });
    expect(c.tls?.rootCas).toMatchObject({ kind: "file", file: "/etc/ca.pem" });
    expect(c.maxReconnects).toBe(-1);
    expect(describeConnection(c)).toMatchObject({
      context: { name: "cfg", file: file("cfg") },
      auth: "token",
    });
  });

  it("nats-context - fields set in the config override the context's", () => {
    dir.save("over", {
      url: "nats://ctx:4222",
      user: "u",
      password: "p",
      ca: "/ctx-ca.pem",
      tls_first: true,
      inbox_prefix: "_I_ctx",
    });
    const c = parse({
      context: "over",
      urls: ["nats://mine:4222"],
      auth: { token: "mine" },
      tls: { root_cas_file: "/mine.pem" },
      tls_handshake_first: false,
      inbox_prefix: "_I_mine",
    });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://mine:4222"]);
    expect(c.auth).toMatchObject({ kind: "token", token: "mine" });
    expect(c.tls).toMatchObject({ rootCas: { file: "/mine.pem" }, handshakeFirst: false });
    expect(c.inboxPrefix).toBe("_I_mine");
    // url credentials replace the context's credentials too
    expect(parse({ context: "over", urls: "nats://x:y@h:1" }).auth).toMatchObject({
      kind: "user_password",
      user: "x",
      from: "url",
    });
    // tls.enabled: false switches off the context's TLS (tls_first still implies TLS)
    expect(
      parse({ context: "over", tls: { enabled: false }, tls_handshake_first: false }).tls,
    ).toBeUndefined();
  });

  it("nats-context - problems found when files are read name the context and its field", () => {
    dir.save("missing-files", { creds: "/nope/u.creds", cert: "/nope/c.pem", key: "/nope/k.pem" });
    const c = parse({ context: "missing-files" });
    const where = `'missing-files' (${file("missing-files")})`;
    expect(issuesOf(() => resolveConnection(c))).toEqual([
      { path: "context", message: `${where}: cert: cannot read '/nope/c.pem': no such file` },
      { path: "context", message: `${where}: key: cannot read '/nope/k.pem': no such file` },
      { path: "context", message: `${where}: creds: cannot read '/nope/u.creds': no such file` },
    ]);
  });

  it("nats-context - cross-field rules speak the context's field names", () => {
    dir.save("halfcert", { cert: "/c.pem", user_jwt: "a.b.c" });
    const where = `'halfcert' (${file("halfcert")})`;
    expect(issuesOf(() => parse({ context: "halfcert" }))).toEqual([
      { path: "context", message: `${where}: user_seed: required when user_jwt is set` },
      { path: "context", message: `${where}: key: required when cert is set` },
    ]);
    // the camelCase API keeps the context's own spelling
    expect(issuesOf(() => parseConnectionOptions({ context: file("halfcert") }))[0]).toEqual({
      path: "context",
      message: `${where}: user_seed: required when user_jwt is set`,
    });
  });

  it("nats-context - context and an explicit auth method conflict only through url credentials", () => {
    dir.save("urlcreds", { url: "nats://a:b@h:1", token: "t" });
    expect(issuesOf(() => parse({ context: "urlcreds" }))).toEqual([
      {
        path: "context",
        message: `'urlcreds' (${file("urlcreds")}): url: credentials in a url conflict with token; use only one of them`,
      },
    ]);
  });

  it("nats-context - urls or context is required; an empty context value is an error", () => {
    expect(issuesOf(() => parse({}))).toEqual([{ path: "urls", message: "required" }]);
    expect(issuesOf(() => parse({ context: " " }))).toEqual([
      { path: "context", message: "empty: name a nats context or the path of a context file" },
    ]);
    expect(issuesOf(() => parse({ context: 3 }))).toEqual([
      { path: "context", message: "expected string, got number" },
    ]);
  });

  it("nats-context - inbox_prefix must be a subject prefix", () => {
    expect(parse({ urls: "h:1", inbox_prefix: "_INBOX.app" }).inboxPrefix).toBe("_INBOX.app");
    expect(issuesOf(() => parse({ urls: "h:1", inbox_prefix: "a.*" }))[0]?.path).toBe("inbox_prefix");
    expect(issuesOf(() => parse({ urls: "h:1", inbox_prefix: "a." }))[0]?.path).toBe("inbox_prefix");
  });
});

describe("nats-connection environment variables", () => {
  const fromEnv = (vars: Record<string, string>, selected = true) =>
    connectionConfigFromEnv({ ...env, ...vars }, { home, selectedContext: selected });

  it("nats-env - NATS_URL, NATS_USER and NATS_PASSWORD", () => {
    const c = fromEnv({ NATS_URL: "nats://e:4222", NATS_USER: "u", NATS_PASSWORD: "p" }, false);
    expect(c.servers.map((s) => s.url)).toEqual(["nats://e:4222"]);
    expect(c.auth).toMatchObject({ kind: "user_password", user: "u", password: "p" });
  });

  it("nats-env - NATS_USER without NATS_PASSWORD is a token, as in the nats CLI", () => {
    expect(fromEnv({ NATS_USER: "tok" }, false).auth).toMatchObject({ kind: "token", token: "tok" });
    expect(issuesOf(() => fromEnv({ NATS_USER: "a", NATS_TOKEN: "b" }, false))[0]?.path).toBe(
      "NATS_USER, NATS_TOKEN",
    );
  });

  it("nats-env - no variables dial the default server; problems name the variable", () => {
    expect(fromEnv({}, false).servers.map((s) => s.url)).toEqual([NATS_DEFAULT_URL]);
    const c = fromEnv({ NATS_CREDS: "/nope.creds", NATS_CA: "/nope-ca.pem" }, false);
    expect(issuesOf(() => resolveConnection(c))).toEqual([
      { path: "NATS_CA", message: "cannot read '/nope-ca.pem': no such file" },
      { path: "NATS_CREDS", message: "cannot read '/nope.creds': no such file" },
    ]);
    expect(issuesOf(() => fromEnv({ NATS_SOCKS_PROXY: "p:1" }, false))).toEqual([
      {
        path: "NATS_SOCKS_PROXY",
        message: "not supported: the Node client cannot dial through a SOCKS5 proxy",
      },
    ]);
    expect(issuesOf(() => fromEnv({ NATS_PASSWORD: "p" }, false))).toEqual([
      { path: "NATS_PASSWORD", message: "set but NATS_USER is empty" },
    ]);
  });

  it("nats-env - NATS_CONTEXT, else the selected context; variables override its fields", () => {
    dir.save("envctx", { url: "nats://ctx:4222", token: "ctx-token" });
    const c = fromEnv({ NATS_CONTEXT: "envctx", NATS_URL: "nats://env:4222" });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://env:4222"]);
    expect(c.auth).toMatchObject({ kind: "token", token: "ctx-token" });
    expect(c.context).toEqual({ name: "envctx", file: file("envctx") });

    dir.select("envctx");
    expect(selectedNatsContext({ env, home })).toBe("envctx");
    expect(fromEnv({}).servers.map((s) => s.url)).toEqual(["nats://ctx:4222"]);
    expect(fromEnv({}, false).servers.map((s) => s.url)).toEqual([NATS_DEFAULT_URL]);
    expect(issuesOf(() => fromEnv({ NATS_CONTEXT: "nope" }))).toEqual([
      { path: "NATS_CONTEXT", message: `'nope' (${file("nope")}): no such context file` },
    ]);
  });
});

describe("nats-connection nats contexts (property)", () => {
  const FIELDS = [
    "url",
    "user",
    "password",
    "token",
    "creds",
    "nkey",
    "cert",
    "key",
    "ca",
    "user_jwt",
    "user_seed",
    "tls_first",
    "inbox_prefix",
    "socks_proxy",
    "windows_ca_certs_match",
    "description",
  ];
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      "env://NOPE",
      "data:;base64,@@",
      "data:,x",
      "file:///nope",
      "op://v/i/f",
      "~/x",
      "$HOME/x",
      "nats://a:b@h:1",
      "",
    ),
  );
  it("nats-context - any context file content gives a config or a ConfigError, never another exception", () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), value, {
            maxKeys: 6,
          }),
          fc.jsonValue({ maxDepth: 1 }),
          fc.string({ maxLength: 40 }),
        ),
        fc.record(
          {
            urls: fc.option(fc.constantFrom("h:1", "nats://u:p@h:2"), { nil: undefined }),
            auth: fc.option(fc.constant({ token: "t" }), { nil: undefined }),
          },
          { requiredKeys: [] },
        ),
        (content, extra) => {
          const name = `prop${n++}`;
          dir.saveText(name, typeof content === "string" ? content : JSON.stringify(content));
          for (const fn of [
            () => resolveConnection(parse({ context: name, ...extra })),
            () => loadNatsContext(name, { env, home }),
            () => connectionConfigFromEnv({ ...env, NATS_CONTEXT: name }, { home }),
          ]) {
            try {
              fn();
            } catch (e) {
              if (!ConfigError.isInstance(e)) throw e;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
