import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_RECONNECTS, parseConnectionConfig, parseConnectionOptions } from "./config.js";
import { connectFromConfig } from "./connect.js";
import { ConfigError, NatsConnectionError } from "./errors.js";
import { resolveConnection } from "./resolve.js";

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(ConfigError.isInstance(e)).toBe(true);
    return [...(e as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

const parse = (raw: unknown) => parseConnectionConfig(raw);

describe("nats-connection config", () => {
  it("nats-connection - accepts the minimal reference config", () => {
    const c = parse({ urls: ["nats://127.0.0.1:4222"] });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://127.0.0.1:4222"]);
    expect(c.auth).toEqual({ kind: "none" });
    expect(c.tls).toBeUndefined();
    expect(c.maxReconnects).toBe(DEFAULT_MAX_RECONNECTS);
    expect(c.name).toBeUndefined();
  });

  it("nats-connection - expands comma-separated items and trims them", () => {
    const c = parse({ urls: [" nats://a:4222 , nats://b:4223,", "nats://c:4224"] });
    expect(c.servers.map((s) => [s.url, s.index])).toEqual([
      ["nats://a:4222", 0],
      ["nats://b:4223", 0],
      ["nats://c:4224", 1],
    ]);
  });

  it("nats-connection - accepts bare host:port and tls:// urls", () => {
    const c = parse({ urls: ["localhost:4222", "tls://example.com:4443"] });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://localhost:4222", "tls://example.com:4443"]);
  });

  it("nats-connection - takes user:pass@ credentials out of the url, percent-decoded", () => {
    const c = parse({ urls: ["nats://alice:p%40ss%20w@127.0.0.1:4222"] });
    expect(c.servers[0]?.url).toBe("nats://127.0.0.1:4222");
    expect(c.auth).toEqual({ kind: "user_password", user: "alice", password: "p@ss w", from: "url" });
  });

  it("nats-connection - takes token@ credentials out of the url", () => {
    const c = parse({ urls: ["nats://s3cr3t@127.0.0.1:4222"] });
    expect(c.auth).toEqual({ kind: "token", token: "s3cr3t", from: "url" });
  });

  it("nats-connection - rejects different credentials in two urls without echoing them", () => {
    const issues = issuesOf(() => parse({ urls: ["nats://a:pw-AAA@h1:1", "nats://a:pw-BBB@h2:2"] }));
    expect(issues).toEqual([{ path: "urls[1]", message: expect.stringContaining("credentials differ") }]);
    expect(JSON.stringify(issues)).not.toMatch(/AAA|BBB/);
  });

  it("nats-connection - rejects url credentials together with an auth method", () => {
    const issues = issuesOf(() => parse({ urls: ["nats://tok@h:1"], auth: { token: "x" } }));
    expect(issues).toEqual([
      { path: "urls", message: "credentials in a url conflict with auth.token; use only one of them" },
    ]);
  });

  it.each([
    [[], "urls", "at least one server url is required"],
    [[" , "], "urls", "at least one server url is required"],
    [["http://h:1"], "urls[0]", "unsupported scheme 'http:'"],
    [["nats://h:1/path"], "urls[0]", "must not have a path"],
    [["nats://:pw@:99999"], "urls[0]", "is not a valid url"],
  ])("nats-connection - rejects bad urls %j", (urls, path, message) => {
    const issues = issuesOf(() => parse({ urls }));
    expect(issues[0]?.path).toBe(path);
    expect(issues[0]?.message).toContain(message);
  });

  it.each([
    ["nats://alice:pa/ss@h:4222", "'nats://alice:***@h:4222' is not a valid url"],
    ["nats://alice:pa,ss@h:4222", "percent-encode it as %2C"],
    ["nats://alice:pa,ss:x@h:4222", "percent-encode it as %2C"],
  ])("nats-connection - a password with / or , never shows in a url error (%#)", (url, message) => {
    const issues = issuesOf(() => parse({ urls: [url] }));
    expect(issues[0]).toEqual({ path: "urls[0]", message: expect.stringContaining(message) });
    expect(JSON.stringify(issues)).not.toMatch(/pa\/ss|pa,|ss@/);
  });

  it.each(["ws://h:80", "wss://h:443"])(
    "nats-connection - websocket url %s is refused: the Node client dials TCP",
    (url) => {
      expect(issuesOf(() => parse({ urls: [url] }))[0]?.message).toContain(
        "is a websocket url: the Node client connects over TCP only; use nats:// or tls://",
      );
    },
  );

  it("nats-connection - a tls:// url requires TLS, as in the Go client", () => {
    expect(parse({ urls: ["tls://h:1"] }).tls).toMatchObject({ skipCertVerify: false, clientCerts: [] });
    expect(parse({ urls: ["nats://h:1"] }).tls).toBeUndefined();
    expect(
      parse({ urls: ["tls://h:1"], tls: { enabled: true, skip_cert_verify: true } }).tls?.skipCertVerify,
    ).toBe(true);
  });

  it("nats-connection - a non-string urls item is reported on its own path", () => {
    expect(issuesOf(() => parse({ urls: ["nats://h:1", 5] }))).toEqual([
      { path: "urls[1]", message: "expected a string, got number" },
    ]);
  });

  it.each([
    [{ user_jwt: " ", user_nkey_seed: "SUAXX" }, "auth.user_jwt", "required when auth.user_nkey_seed is set"],
    [
      { user_jwt: "a.b.c", user_nkey_seed: "  " },
      "auth.user_nkey_seed",
      "required when auth.user_jwt is set",
    ],
  ])("nats-connection - a blank jwt or seed counts as missing (%#)", (auth, path, message) => {
    expect(issuesOf(() => parse({ urls: ["h:1"], auth }))).toEqual([{ path, message }]);
  });

  it("nats-connection - a bad url error masks the password", () => {
    const issues = issuesOf(() => parse({ urls: ["http://bob:hunter2@h:1"] }));
    expect(issues[0]?.message).toContain("bob:***@");
    expect(issues[0]?.message).not.toContain("hunter2");
  });

  it("nats-connection - max_reconnects negative means forever, absent means 60", () => {
    expect(parse({ urls: ["h:1"], max_reconnects: -5 }).maxReconnects).toBe(-1);
    expect(parse({ urls: ["h:1"], max_reconnects: 0 }).maxReconnects).toBe(0);
    expect(parse({ urls: ["h:1"] }).maxReconnects).toBe(60);
  });

  it("nats-connection - wait_on_first_connect takes a duration: 30s by default, 0 = one attempt, negative = no limit", () => {
    const wait = (v: unknown) => parse({ urls: ["h:1"], wait_on_first_connect: v }).waitOnFirstConnectMs;
    expect(parse({ urls: ["h:1"] }).waitOnFirstConnectMs).toBe(30_000);
    expect(wait("2m")).toBe(120_000);
    expect(wait("1.5s")).toBe(1500);
    expect(wait("0")).toBe(0);
    expect(wait(0)).toBe(0);
    expect(wait(500)).toBe(500);
    expect(wait("-1s")).toBe(-1);
    expect(wait(-1)).toBe(-1);
  });

  it("nats-connection - a bad wait_on_first_connect names the field and what a duration looks like", () => {
    expect(issuesOf(() => parse({ urls: ["h:1"], wait_on_first_connect: "soon" }))).toEqual([
      {
        path: "wait_on_first_connect",
        message: "'soon' is not a duration (use a number with a unit: ns, us, ms, s, m, h, e.g. '1m30s')",
      },
    ]);
    expect(issuesOf(() => parse({ urls: ["h:1"], wait_on_first_connect: true }))).toEqual([
      {
        path: "wait_on_first_connect",
        message: "expected a duration such as '30s' ('0': one attempt, negative: no limit), got boolean",
      },
    ]);
    expect(issuesOf(() => parseConnectionOptions({ urls: ["h:1"], waitOnFirstConnect: "30" }))).toEqual([
      { path: "waitOnFirstConnect", message: expect.stringContaining("'30' is not a duration") },
    ]);
    expect(parseConnectionOptions({ urls: ["h:1"], waitOnFirstConnect: "5s" }).waitOnFirstConnectMs).toBe(
      5000,
    );
  });

  it("nats-connection - the label becomes the connection name", () => {
    expect(parseConnectionConfig({ urls: ["h:1"] }, { label: "orders_out" }).name).toBe("orders_out");
    expect(parseConnectionConfig({ urls: ["h:1"] }, { label: "" }).name).toBeUndefined();
  });

  it.each([5, true, null, {}, ["x"]])(
    "nats-connection - a non-string label %j is a ConfigError naming label",
    (label) => {
      expect(issuesOf(() => parseConnectionConfig({ urls: ["h:1"] }, { label } as never))).toEqual([
        { path: "label", message: expect.stringMatching(/^expected string, got /) },
      ]);
    },
  );

  it("nats-connection - connectFromConfig with a non-string label rejects with a ConfigError before dialling", async () => {
    const e = await connectFromConfig({ urls: ["h:1"] }, 42 as never).catch((x: unknown) => x);
    expect(ConfigError.isInstance(e)).toBe(true);
    expect((e as ConfigError).issues).toEqual([{ path: "label", message: "expected string, got number" }]);
  });

  it("nats-connection - parse options that are not an object are a ConfigError", () => {
    expect(issuesOf(() => parseConnectionConfig({ urls: ["h:1"] }, null as never))[0]?.message).toContain(
      "expected parse options",
    );
  });

  it("nats-connection - inherited property names are unknown fields, reported with their path", () => {
    const keys = ["constructor", "toString", "hasOwnProperty", "valueOf"];
    const fields = Object.fromEntries(keys.map((k) => [k, 1]));
    const issues = issuesOf(() =>
      parse({
        urls: ["h:1"],
        ...fields,
        auth: { ...fields },
        tls: { enabled: true, ...fields, client_certs: [{ ...fields }] },
      }),
    );
    for (const prefix of ["", "auth.", "tls.", "tls.client_certs[0]."]) {
      for (const k of keys)
        expect(issues).toContainEqual({ path: `${prefix}${k}`, message: "unknown field" });
    }
  });

  it("nats-connection - an unknown key that is not a plain name is quoted in the path, so the path reads back one way", () => {
    const issues = issuesOf(() =>
      parse({ urls: ["h:1"], auth: { "a.b": 1, "x[0]": 1, "my key": 1, 'q"': 1, "": 1, plain_key: 1 } }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['auth[""]', 'auth["a.b"]', 'auth["my key"]', 'auth["q\\""]', 'auth["x[0]"]', "auth.plain_key"].sort(),
    );
  });

  it("nats-connection - a __proto__ key from JSON is an unknown field and pollutes nothing", () => {
    const raw = JSON.parse(
      '{"urls":["h:1"],"__proto__":{"polluted":1},"auth":{"__proto__":{"token":"t0k3n-HIDDEN"}},"tls":{"enabled":true,"__proto__":{"skip_cert_verify":true}}}',
    );
    const issues = issuesOf(() => parse(raw));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "__proto__", message: "unknown field" },
        { path: "auth.__proto__", message: "unknown field" },
        { path: "tls.__proto__", message: "unknown field" },
      ]),
    );
    expect(JSON.stringify(issues)).not.toContain("HIDDEN");
    const options = JSON.parse('{"urls":["h:1"],"__proto__":{"maxReconnects":3},"constructor":1}');
    expect(issuesOf(() => parseConnectionOptions(options))).toEqual([
      { path: "__proto__", message: "unknown field" },
      { path: "constructor", message: "unknown field" },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).maxReconnects).toBeUndefined();
  });

  it("nats-connection - reports every problem at once with its field path", () => {
    const issues = issuesOf(() =>
      parse({
        urls: 5,
        max_reconnects: 1.5,
        tls: { enabled: "yes", client_certs: [{ cert: 1 }], bogus: true },
        auth: { token: false },
        extra: 1,
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "urls", message: "expected a list of strings or a string, got number" },
        { path: "max_reconnects", message: expect.stringContaining("non-integer") },
        { path: "tls.enabled", message: "expected boolean, got string" },
        { path: "tls.client_certs[0].cert", message: "expected string, got number" },
        { path: "tls.bogus", message: "unknown field" },
        { path: "auth.token", message: "expected string, got boolean" },
        { path: "extra", message: "unknown field" },
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it("nats-connection - a bad field does not hide the cross-field problems of the others", () => {
    const issues = issuesOf(() =>
      parse({ urls: ["h:1"], max_reconnects: "often", auth: { token: "t", user: "u", password: "p" } }),
    );
    expect(issues).toEqual([
      { path: "max_reconnects", message: "expected number, got string" },
      {
        path: "auth",
        message: "multiple auth methods configured (token, user+password); only one is permitted",
      },
    ]);
  });

  it("nats-connection - a missing urls field is required", () => {
    expect(issuesOf(() => parse({}))).toEqual([{ path: "urls", message: "required" }]);
    expect(issuesOf(() => parse(null))[0]?.path).toBe("");
  });
});

describe("nats-connection auth", () => {
  const auth = (a: Record<string, string>) => parse({ urls: ["h:1"], auth: a }).auth;

  it.each([
    [{ nkey_file: "./seed.nk" }, { kind: "nkey_file", file: "./seed.nk" }],
    [{ nkey: " SUAXX " }, { kind: "nkey", seed: "SUAXX" }],
    [{ user_credentials_file: "./u.creds" }, { kind: "user_credentials_file", file: "./u.creds" }],
    [
      { user_jwt: "a.b.c", user_nkey_seed: "SUX" },
      { kind: "user_jwt", jwt: "a.b.c", seed: "SUX" },
    ],
    [{ token: "t" }, { kind: "token", token: "t", from: "auth" }],
    [
      { user: "u", password: "p" },
      { kind: "user_password", user: "u", password: "p", from: "auth" },
    ],
    [
      { user: "", password: "p" },
      { kind: "user_password", user: "", password: "p", from: "auth" },
    ],
    [
      { user: "u", password: "" },
      { kind: "user_password", user: "u", password: "", from: "auth" },
    ],
    [{}, { kind: "none" }],
    [{ user_jwt: "", user_nkey_seed: "" }, { kind: "none" }],
  ])("nats-connection - auth %j selects one method", (a, expected) => {
    expect(auth(a)).toEqual(expected);
  });

  it.each([
    [{ user_jwt: "a.b.c" }, "auth.user_nkey_seed", "required when auth.user_jwt is set"],
    [{ user_jwt: "a.b.c", user_nkey_seed: "" }, "auth.user_nkey_seed", "required when auth.user_jwt is set"],
    [{ user_nkey_seed: "SUX" }, "auth.user_jwt", "required when auth.user_nkey_seed is set"],
    [{ user: "u" }, "auth.password", "required when auth.user is set"],
    [{ password: "p" }, "auth.user", "required when auth.password is set"],
    [{ user: "", password: "" }, "auth", "auth.user and auth.password are both empty"],
    [
      { token: "t", user: "u", password: "p" },
      "auth",
      "multiple auth methods configured (token, user+password); only one is permitted",
    ],
    [
      {
        nkey_file: "f",
        nkey: "n",
        user_credentials_file: "c",
        user_jwt: "j",
        user_nkey_seed: "s",
        token: "t",
      },
      "auth",
      "multiple auth methods configured (nkey_file, nkey, user_credentials_file, user_jwt+user_nkey_seed, token); only one is permitted",
    ],
  ])("nats-connection - auth %j is an error", (a, path, message) => {
    expect(issuesOf(() => auth(a))).toContainEqual({ path, message });
  });

  it("nats-connection - auth errors never contain the secret values", () => {
    const issues = issuesOf(() => auth({ token: "tok-SECRET", user: "u", password: "pw-SECRET" }));
    expect(JSON.stringify(issues)).not.toContain("SECRET");
  });
});

describe("nats-connection tls", () => {
  const tls = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parse({ urls: ["h:1"], tls: t, ...extra }).tls;

  it("nats-connection - tls disabled ignores the other settings, as the reference does", () => {
    expect(tls({ enabled: false, root_cas_file: "./ca.pem" })).toBeUndefined();
  });

  it("nats-connection - tls enabled alone uses system roots", () => {
    expect(tls({ enabled: true })).toEqual({
      skipCertVerify: false,
      enableRenegotiation: false,
      rootCas: undefined,
      clientCerts: [],
      handshakeFirst: false,
    });
  });

  it("nats-connection - tls_handshake_first implies tls", () => {
    expect(parse({ urls: ["h:1"], tls_handshake_first: true }).tls?.handshakeFirst).toBe(true);
  });

  it("nats-connection - root_cas and root_cas_file together are an error", () => {
    expect(issuesOf(() => tls({ enabled: true, root_cas: "x", root_cas_file: "y" }))).toEqual([
      { path: "tls", message: "only one of root_cas and root_cas_file can be specified" },
    ]);
  });

  it("nats-connection - client certs inline and file together are an error", () => {
    expect(
      issuesOf(() =>
        tls({ enabled: true, client_certs: [{ cert: "c", key: "k", cert_file: "f", key_file: "g" }] }),
      ),
    ).toEqual([
      {
        path: "tls.client_certs[0]",
        message: "set either cert and key, or cert_file and key_file, not both",
      },
    ]);
  });

  it.each([
    [{ cert: "c" }, "tls.client_certs[0].key", "required when cert is set"],
    [{ key: "k" }, "tls.client_certs[0].cert", "required when key is set"],
    [{ cert_file: "c" }, "tls.client_certs[0].key_file", "required when cert_file is set"],
    [{ key_file: "k" }, "tls.client_certs[0].cert_file", "required when key_file is set"],
    [{ password: "p" }, "tls.client_certs[0]", "needs cert and key, or cert_file and key_file"],
  ])("nats-connection - incomplete client cert %j", (cc, path, message) => {
    expect(issuesOf(() => tls({ enabled: true, client_certs: [cc] }))).toEqual([{ path, message }]);
  });

  it("nats-connection - client cert sources keep their config path", () => {
    const t = tls({
      enabled: true,
      client_certs: [{ cert_file: "c.pem", key_file: "k.pem", password: "pw" }],
    });
    expect(t?.clientCerts[0]).toEqual({
      cert: { kind: "file", file: "c.pem", path: ["tls", "client_certs", 0, "cert_file"] },
      key: { kind: "file", file: "k.pem", path: ["tls", "client_certs", 0, "key_file"] },
      password: "pw",
      index: 0,
    });
  });
});

describe("nats-connection camelCase options", () => {
  it("nats-connection - the typed API maps to the same config", () => {
    const c = parseConnectionOptions({
      urls: "nats://a:1,nats://b:2",
      name: "svc",
      maxReconnects: -1,
      tls: { enabled: true, skipCertVerify: true },
      auth: { userJwt: "a.b.c", userNkeySeed: "SUX" },
    });
    expect(c.servers).toHaveLength(2);
    expect(c.name).toBe("svc");
    expect(c.maxReconnects).toBe(-1);
    expect(c.tls?.skipCertVerify).toBe(true);
    expect(c.auth.kind).toBe("user_jwt");
    expect(c.pathStyle).toBe("camel");
  });

  it("nats-connection - typed API errors use camelCase paths", () => {
    const issues = issuesOf(() =>
      parseConnectionOptions({
        urls: ["h:1"],
        auth: { userJwt: "a.b.c" },
        tls: { enabled: true, clientCerts: [{ certFile: "c" }] },
      } as never),
    );
    expect(issues).toEqual([
      { path: "auth.userNkeySeed", message: "required when auth.userJwt is set" },
      { path: "tls.clientCerts[0].keyFile", message: "required when certFile is set" },
    ]);
  });

  it("nats-connection - camelCase messages keep the user's own quoted text (file paths, urls) as written", () => {
    const issues = issuesOf(() =>
      resolveConnection(
        parseConnectionOptions({ urls: ["h:1"], auth: { userCredentialsFile: "/nope/my_user.creds" } }),
      ),
    );
    expect(issues).toEqual([
      { path: "auth.userCredentialsFile", message: "cannot read '/nope/my_user.creds': no such file" },
    ]);
  });
});

describe("nats-connection config properties", () => {
  it("nats-connection - any input gives a config or a ConfigError, never another exception", () => {
    const anyConfig = fc.oneof(
      fc.anything(),
      fc.record(
        {
          urls: fc.oneof(fc.array(fc.string()), fc.string(), fc.anything()),
          max_reconnects: fc.oneof(fc.integer(), fc.anything()),
          wait_on_first_connect: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.anything()),
          tls: fc.oneof(
            fc.record(
              {
                enabled: fc.boolean(),
                root_cas: fc.string(),
                root_cas_file: fc.string(),
                skip_cert_verify: fc.boolean(),
                client_certs: fc.array(
                  fc.record(
                    {
                      cert: fc.string(),
                      key: fc.string(),
                      cert_file: fc.string(),
                      key_file: fc.string(),
                      password: fc.string(),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              },
              { requiredKeys: [] },
            ),
            fc.anything(),
          ),
          tls_handshake_first: fc.boolean(),
          auth: fc.oneof(
            fc.dictionary(
              fc.constantFrom(
                "nkey_file",
                "nkey",
                "user_credentials_file",
                "user_jwt",
                "user_nkey_seed",
                "user",
                "password",
                "token",
              ),
              fc.string(),
            ),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(anyConfig, (raw) => {
        try {
          const c = parseConnectionConfig(raw);
          expect(c.servers.length).toBeGreaterThan(0);
        } catch (e) {
          expect(NatsConnectionError.isInstance(e)).toBe(true);
          expect((e as ConfigError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
