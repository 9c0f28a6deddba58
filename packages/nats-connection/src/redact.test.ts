import { describe, expect, it } from "vitest";
import { parseConnectionConfig } from "./config.js";
import { describeConnection, redactConnectionConfig, SECRET_MASK } from "./redact.js";

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
      "nats://***,***@h5",
      "nats://***,***@h6:4222",
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
    });
    expect(JSON.stringify(d)).not.toContain("HIDDEN");
  });
});
