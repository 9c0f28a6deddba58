import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseConnectionConfig, parseConnectionOptions } from "./config.js";
import { describeConnection, redactConnectionConfig, SECRET_MASK } from "./redact.js";
import { connectionWarnings } from "./warnings.js";

describe("nats-connection redaction", () => {
  const config = {
    label: "out",
    urls: ["nats://alice:pw-HIDDEN@h:1", "nats://tok-HIDDEN@h:2,nats://h:3"],
    subject: "events",
    tls: {
      enabled: true,
      root_cas: "-----BEGIN CERTIFICATE-----",
      client_certs: [
        { cert: "CERT", key: "key-HIDDEN", password: "kp-HIDDEN" },
        { cert_file: "c", key_file: "k" },
      ],
    },
    auth: {
      nkey: "SU-HIDDEN",
      user_jwt: "jwt-HIDDEN",
      user_nkey_seed: "seed-HIDDEN",
      user: "alice",
      password: "pw-HIDDEN",
      token: "tok-HIDDEN",
      nkey_file: "./seed.nk",
      user_credentials_file: "./u.creds",
    },
  };

  it("nats-connection - masks every secret field and url credentials", () => {
    const r = redactConnectionConfig(config);
    const text = JSON.stringify(r);
    expect(text).not.toContain("HIDDEN");
    expect(r.urls).toEqual(["nats://alice:***@h:1", "nats://***@h:2,nats://h:3"]);
    expect(r.auth.password).toBe(SECRET_MASK);
    expect(r.auth.token).toBe(SECRET_MASK);
    expect(r.tls.client_certs[0]?.key).toBe(SECRET_MASK);
    // Non-secrets stay readable, so a dump is still useful.
    expect(r.auth.user).toBe("alice");
    expect(r.auth.nkey_file).toBe("./seed.nk");
    expect(r.tls.client_certs[0]?.cert).toBe("CERT");
    expect(r.subject).toBe("events");
    // The input is not modified.
    expect(config.auth.password).toBe("pw-HIDDEN");
  });

  it("nats-connection - masks the camelCase spelling too", () => {
    const r = redactConnectionConfig({
      urls: "h:1",
      auth: { userNkeySeed: "seed-HIDDEN", userJwt: "j-HIDDEN" },
    });
    expect(JSON.stringify(r)).not.toContain("HIDDEN");
  });

  it("nats-connection - masks every item of a comma list, passwords with / or @, and non-string secrets", () => {
    const r = redactConnectionConfig({
      urls: [
        "nats://a:s1-HIDDEN@h1,nats://b:s2-HIDDEN@h2",
        "nats://c:p/HIDDEN@h3",
        "nats://d:p@HIDDEN@h4",
        "nats://e:1234,5678HIDDEN@h5",
        "nats://HIDDEN,et@h6:4222",
      ],
      auth: { password: 123456, token: true },
    });
    expect(JSON.stringify(r)).not.toMatch(/HIDDEN|1234/);
    expect(r.urls).toEqual([
      "nats://a:***@h1,nats://b:***@h2",
      "nats://c:***@h3",
      "nats://d:***@h4",
      "nats://e:***@h5",
      "nats://***@h6:4222",
    ]);
    expect(r.auth).toEqual({ password: SECRET_MASK, token: SECRET_MASK });
  });

  it("nats-connection - leaves empty secrets empty", () => {
    expect(redactConnectionConfig({ urls: [], auth: { password: "" } }).auth.password).toBe("");
  });

  it("nats-connection - describeConnection shows the shape without secrets", () => {
    const c = parseConnectionConfig({ urls: ["nats://u:pw-HIDDEN@h:1"] }, { label: "x" });
    const d = describeConnection(c);
    expect(d).toEqual({
      servers: ["nats://h:1"],
      name: "x",
      maxReconnects: 60,
      waitOnFirstConnectMs: 30_000,
      auth: "user_password",
      tls: false,
      warnings: [],
    });
    expect(JSON.stringify(d)).not.toContain("HIDDEN");
  });

  it("nats-connection - skip_cert_verify is reported as a warning and as tls.insecure", () => {
    const warning =
      "tls.skip_cert_verify: true: the server's certificate is not checked; anyone on the path can read and change the traffic";
    const c = parseConnectionConfig({ urls: ["h:1"], tls: { enabled: true, skip_cert_verify: true } });
    expect(connectionWarnings(c)).toEqual([warning]);
    expect(describeConnection(c)).toMatchObject({ tls: { insecure: true }, warnings: [warning] });
    const camel = parseConnectionOptions({ urls: ["h:1"], tls: { enabled: true, skipCertVerify: true } });
    expect(connectionWarnings(camel)[0]).toMatch(/^tls\.skipCertVerify: true: /);
    const safe = parseConnectionConfig({ urls: ["tls://h:1"] });
    expect(connectionWarnings(safe)).toEqual([]);
    expect(describeConnection(safe)).toMatchObject({ tls: { insecure: false }, warnings: [] });
  });

  it("nats-connection - inspect, JSON.stringify and String of a parsed config and its parts show no secret", () => {
    const configs = [
      parseConnectionConfig({
        urls: ["nats://alice:pw-HIDDEN@h:1"],
        tls: {
          enabled: true,
          root_cas: "-----BEGIN CERTIFICATE-----ca-HIDDEN",
          client_certs: [
            { cert: "CERT", key: "-----BEGIN PRIVATE KEY-----key-HIDDEN", password: "kp-HIDDEN" },
          ],
        },
      }),
      parseConnectionConfig({ urls: ["nats://tok-HIDDEN@h:1"] }),
      parseConnectionConfig({
        urls: ["h:1"],
        auth: { user_jwt: "a.b.jwt-HIDDEN", user_nkey_seed: "SU-HIDDEN" },
      }),
      parseConnectionConfig({ urls: ["h:1"], auth: { nkey: "SU-HIDDEN" } }),
      parseConnectionConfig({ urls: ["h:1"], auth: { nkey_file: `SUAM${"HIDDEN".repeat(10)}` } }),
      parseConnectionOptions({
        urls: ["h:1"],
        tls: { enabled: true, clientCerts: [{ certFile: "c.pem", keyFile: "k.pem", password: "kp-HIDDEN" }] },
      }),
    ];
    for (const c of configs) {
      const parts: unknown[] = [c, c.auth, c.tls, ...(c.tls?.clientCerts ?? []), c.tls?.rootCas];
      for (const part of parts) {
        const shown = [
          inspect(part, { depth: 10 }),
          inspect({ wrapped: part }, { depth: 10 }),
          JSON.stringify(part),
          JSON.stringify({ wrapped: part }),
          String(part),
          `${part}`,
        ].join("\n");
        expect(shown).not.toContain("HIDDEN");
      }
    }
    // The secrets are still there for the code that connects.
    expect(configs[0]?.auth).toEqual({
      kind: "user_password",
      user: "alice",
      password: "pw-HIDDEN",
      from: "url",
    });
    expect(configs[0]?.tls?.clientCerts[0]?.password).toBe("kp-HIDDEN");
    expect(JSON.parse(JSON.stringify(configs[0]))).toEqual(describeConnection(configs[0] as never));
  });
});
