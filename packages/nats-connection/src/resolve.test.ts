import { createUser } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import { parseConnectionConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { resolveConnection } from "./resolve.js";

const seed = new TextDecoder().decode(createUser().getSeed());
const KEY_PEM = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-SECRET-BODY\n-----END PRIVATE KEY-----\n`;
const CERT_PEM = `-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUCERT-BODY-xyz\n-----END CERTIFICATE-----\n`;
const CREDS = `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.JWT-BODY.sig\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    resolveConnection(parseConnectionConfig(raw));
  } catch (e) {
    expect(ConfigError.isInstance(e)).toBe(true);
    return [...(e as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

const tls = (cc: Record<string, string>) => ({ enabled: true, client_certs: [cc] });

describe("nats-connection resolve", () => {
  it.each([
    ["a seed in nkey_file", { auth: { nkey_file: seed } }, "auth.nkey_file", "use auth.nkey instead", seed],
    [
      "a seed with a newline in nkey_file",
      { auth: { nkey_file: `${seed}\n` } },
      "auth.nkey_file",
      "use auth.nkey instead",
      seed,
    ],
    [
      "creds text in user_credentials_file",
      { auth: { user_credentials_file: CREDS } },
      "auth.user_credentials_file",
      "paste it into a file",
      "JWT-BODY",
    ],
    [
      "a key PEM in key_file",
      { tls: tls({ cert_file: "/nope/c.pem", key_file: KEY_PEM }) },
      "tls.client_certs[0].key_file",
      "use key instead",
      "SECRET-BODY",
    ],
    [
      "a certificate PEM in cert_file",
      { tls: tls({ cert_file: CERT_PEM, key_file: "/nope/k.pem" }) },
      "tls.client_certs[0].cert_file",
      "use cert instead",
      "CERT-BODY",
    ],
    [
      "a CA PEM in root_cas_file",
      { tls: { enabled: true, root_cas_file: CERT_PEM } },
      "tls.root_cas_file",
      "use tls.root_cas instead",
      "CERT-BODY",
    ],
    [
      "a long value without a newline",
      { auth: { nkey_file: `x${"LONGVALUE".repeat(80)}` } },
      "auth.nkey_file",
      "is not a file path",
      "LONGVALUE",
    ],
  ])(
    "nats-connection - %s is not echoed: the error says it is not a file path",
    (_n, fields, path, hint, secret) => {
      const issues = issuesOf({ urls: ["h:1"], ...fields });
      const issue = issues.find((i) => i.path === path);
      expect(issue?.message).toMatch(/^the value is not a file path \(it looks like /);
      expect(issue?.message).toContain(hint);
      expect(JSON.stringify(issues)).not.toContain(secret);
    },
  );

  it("nats-connection - a path that does not exist is still quoted", () => {
    expect(issuesOf({ urls: ["h:1"], auth: { nkey_file: "./no/such.nk" } })).toEqual([
      { path: "auth.nkey_file", message: "cannot read './no/such.nk': no such file" },
    ]);
  });
});

describe("nats-connection encrypted keys", () => {
  it("nats-connection - a wrong password that decrypts a legacy key to garbage is still 'wrong password'", async () => {
    const { createPrivateKey, generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "right-one" },
    });
    // Find a wrong password whose decryption passes the padding check (about 1 in 256).
    let wrong: string | undefined;
    for (let i = 0; i < 20_000 && wrong === undefined; i++) {
      try {
        createPrivateKey({ key: privateKey, format: "pem", passphrase: `wrong-${i}` });
      } catch (e) {
        if (!/decrypt|passphrase/i.test((e as Error).message)) wrong = `wrong-${i}`;
      }
    }
    expect(wrong, "no password decrypting to garbage found").toBeDefined();
    const issues = issuesOf({
      urls: ["nats://127.0.0.1:4222"],
      tls: tls({ cert: CERT_PEM, key: privateKey, password: wrong as string }),
    });
    expect(issues).toContainEqual({
      path: "tls.client_certs[0].password",
      message: "cannot decrypt the private key in tls.client_certs[0].key: wrong password",
    });
  });
});
