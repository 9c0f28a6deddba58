import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { createPki, type NatsServer, type Pki, skipReason, startNatsServer } from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectFromConfig, connectNats } from "../src/index.js";
import { Clients, expectConfigError, expectConnectError, roundTrip } from "./helpers.js";

const clients = new Clients();
afterEach(() => clients.closeAll());

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});
afterAll(() => pki.remove());

describe("nats-connection tls against a real server", () => {
  let server: NatsServer;
  let untrusted: NatsServer;
  beforeAll(async () => {
    [server, untrusted] = await Promise.all([
      startNatsServer({ tls: { pki }, monitoring: true }),
      startNatsServer({ tls: { pki, untrusted: true } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server.stop(), untrusted.stop()]);
  });

  it("nats-connection - trusts a server whose CA is given inline", async () => {
    const c = clients.add(
      await connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas: pki.ca.cert } }),
    );
    expect(await roundTrip(c)).toBe("ping");
    const connz = await server.connz();
    expect(connz.connections[0]?.tls_version).toMatch(/1\.[23]/);
  });

  it("nats-connection - trusts a server whose CA is given as a file", async () => {
    const c = clients.add(
      await connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas_file: pki.ca.certFile } }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it("nats-connection - rejects a server certificate from an untrusted CA with TLS_UNTRUSTED", async () => {
    const e = await expectConnectError(
      connectFromConfig({ urls: [untrusted.url], tls: { enabled: true, root_cas: pki.ca.cert } }),
    );
    expect(e.code).toBe("TLS_UNTRUSTED");
    expect(e.message).toContain("the server certificate is not trusted");
  });

  it("nats-connection - rejects a TLS server when no CA is configured (system roots)", async () => {
    const e = await expectConnectError(connectFromConfig({ urls: [server.url] }));
    expect(e.code).toBe("TLS_UNTRUSTED");
  });

  it("nats-connection - skip_cert_verify connects to an untrusted server", async () => {
    const c = clients.add(
      await connectFromConfig({ urls: [untrusted.url], tls: { enabled: true, skip_cert_verify: true } }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it("nats-connection - tls enabled against a server without tls fails with TLS_FAILED, not retryable, at once", async () => {
    const plain = await startNatsServer();
    try {
      const started = performance.now();
      const e = await expectConnectError(
        connectFromConfig({ urls: [plain.url], tls: { enabled: true, root_cas: pki.ca.cert } }),
      );
      expect(e.code).toBe("TLS_FAILED");
      expect(e.retryable).toBe(false);
      expect(e.message).toContain("tls is enabled but the server does not offer tls");
      // Not retried for the 30 s first-connect wait.
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await plain.stop();
    }
  });

  it("nats-connection - a root_cas without any certificate is a config error, not ignored", async () => {
    const e = await expectConfigError(
      connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas: "not a pem" } }),
    );
    expect(e.issues).toEqual([{ path: "tls.root_cas", message: "value contains no PEM certificate" }]);
  });

  it("nats-connection - a root_cas_file that holds only a key is a config error naming the file", async () => {
    const e = await expectConfigError(
      connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas_file: pki.client.keyFile } }),
    );
    expect(e.issues).toEqual([
      { path: "tls.root_cas_file", message: `'${pki.client.keyFile}' contains no PEM certificate` },
    ]);
  });

  it("nats-connection - tls_handshake_first against a server that sends INFO first fails clearly", async () => {
    const e = await expectConnectError(
      connectFromConfig({
        urls: [server.url],
        tls_handshake_first: true,
        tls: { enabled: true, root_cas: pki.ca.cert },
      }),
    );
    expect(e.code).toBe("TLS_FAILED");
    expect(e.message).toContain(
      "tls_handshake_first is set but the server does not expect a TLS handshake first",
    );
  });
});

describe("nats-connection tls handshake first", () => {
  // nats-server < 2.10 has no handshake_first; the test is skipped there with the reason in its name.
  const reason = skipReason("handshakeFirst");
  it.skipIf(reason !== undefined)(
    `nats-connection - connects to a handshake_first server with tls_handshake_first${reason ? ` (skipped: ${reason})` : ""}`,
    async () => {
      const hf = await startNatsServer({ tls: { pki, handshakeFirst: true } });
      try {
        const c = clients.add(
          await connectFromConfig({
            urls: [hf.url],
            tls_handshake_first: true,
            tls: { enabled: true, root_cas: pki.ca.cert },
          }),
        );
        expect(await roundTrip(c)).toBe("ping");
      } finally {
        await hf.stop();
      }
    },
  );
});

describe("nats-connection mutual tls against a real server", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ tls: { pki, verify: true } });
  });
  afterAll(() => server.stop());

  const tls = (clientCert: Record<string, string>) => ({
    enabled: true,
    root_cas_file: pki.ca.certFile,
    client_certs: [clientCert],
  });

  it("nats-connection - mutual tls with inline cert and key", async () => {
    const c = clients.add(
      await connectFromConfig({
        urls: [server.url],
        tls: tls({ cert: pki.client.cert, key: pki.client.key }),
      }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it("nats-connection - inspect and JSON.stringify of a client show no key, key password or url password", async () => {
    const c = clients.add(
      await connectFromConfig({
        urls: [server.url.replace("://", "://alice:url-pw-HIDDEN@")],
        tls: tls({ cert: pki.client.cert, key: pki.keys.rsaPkcs8Encrypted.pem, password: pki.passphrase }),
      }),
    );
    expect(await roundTrip(c)).toBe("ping");
    const shown = [
      inspect(c, { depth: 20 }),
      inspect({ client: c }, { depth: 20 }),
      JSON.stringify(c),
      JSON.stringify(c.config),
      String(c.config),
      inspect(c.config, { depth: 20 }),
    ].join("\n");
    expect(shown).not.toContain("PRIVATE KEY");
    expect(shown).not.toContain(pki.passphrase);
    expect(shown).not.toContain("url-pw-HIDDEN");
    expect(shown).toContain(server.url);
  });

  it("nats-connection - mutual tls with cert and key files", async () => {
    const c = clients.add(
      await connectFromConfig({
        urls: [server.url],
        tls: tls({ cert_file: pki.client.certFile, key_file: pki.client.keyFile }),
      }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it.each([
    ["RSA PKCS#8 encrypted", "rsaPkcs8Encrypted", "client"],
    ["RSA PKCS#1 AES-256 encrypted", "rsaPkcs1Aes256", "client"],
    ["RSA PKCS#1 DES-EDE3 encrypted", "rsaPkcs1Des3", "client"],
    ["EC SEC1 encrypted", "ecSec1Aes256", "ecClient"],
    ["EC PKCS#8 encrypted", "ecPkcs8Encrypted", "ecClient"],
    ["RSA PKCS#1 unencrypted", "rsaPkcs1", "client"],
  ] as const)(
    "nats-connection - mutual tls with a %s key file and the right password",
    async (_n, key, cert) => {
      const c = clients.add(
        await connectFromConfig({
          urls: [server.url],
          tls: tls({ cert_file: pki[cert].certFile, key_file: pki.keys[key].path, password: pki.passphrase }),
        }),
      );
      expect(await roundTrip(c)).toBe("ping");
    },
  );

  it("nats-connection - an inline encrypted key with the right password connects", async () => {
    const c = clients.add(
      await connectFromConfig({
        urls: [server.url],
        tls: tls({ cert: pki.client.cert, key: pki.keys.rsaPkcs1Aes256.pem, password: pki.passphrase }),
      }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it.each([
    ["rsaPkcs8Encrypted", "client"],
    ["rsaPkcs1Aes256", "client"],
    ["ecSec1Aes256", "ecClient"],
  ] as const)(
    "nats-connection - a wrong password for %s is a config error naming the field",
    async (key, cert) => {
      const e = await expectConfigError(
        connectFromConfig({
          urls: [server.url],
          tls: tls({
            cert_file: pki[cert].certFile,
            key_file: pki.keys[key].path,
            password: "wrong-PASSWORD",
          }),
        }),
      );
      expect(e.issues).toEqual([
        {
          path: "tls.client_certs[0].password",
          message: "cannot decrypt the private key in tls.client_certs[0].key_file: wrong password",
        },
      ]);
      expect(e.message).not.toContain("wrong-PASSWORD");
    },
  );

  it("nats-connection - an encrypted key without a password is a config error", async () => {
    const e = await expectConfigError(
      connectFromConfig({
        urls: [server.url],
        tls: tls({ cert_file: pki.client.certFile, key_file: pki.keys.rsaPkcs8Encrypted.path }),
      }),
    );
    expect(e.issues).toEqual([
      {
        path: "tls.client_certs[0].key_file",
        message: `'${pki.keys.rsaPkcs8Encrypted.path}' is encrypted and tls.client_certs[0].password is not set`,
      },
    ]);
  });

  it("nats-connection - a key that does not match the cert is a config error", async () => {
    const e = await expectConfigError(
      connectFromConfig({ urls: [server.url], tls: tls({ cert: pki.client.cert, key: pki.ecClient.key }) }),
    );
    expect(e.issues[0]?.path).toBe("tls.client_certs[0].key");
    expect(e.issues[0]?.message).toContain("does not match the certificate in tls.client_certs[0].cert");
  });

  it("nats-connection - a missing key file is a config error naming the path", async () => {
    const e = await expectConfigError(
      connectFromConfig({
        urls: [server.url],
        tls: tls({ cert_file: pki.client.certFile, key_file: join(pki.dir, "missing.key") }),
      }),
    );
    expect(e.issues).toEqual([
      {
        path: "tls.client_certs[0].key_file",
        message: `cannot read '${join(pki.dir, "missing.key")}': no such file`,
      },
    ]);
  });

  it("nats-connection - no client certificate is rejected quickly with TLS_CLIENT_CERT_REJECTED", async () => {
    const started = Date.now();
    const e = await expectConnectError(
      connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas_file: pki.ca.certFile } }),
    );
    expect(e.code).toBe("TLS_CLIENT_CERT_REJECTED");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("nats-connection - a client certificate from an untrusted CA is rejected", async () => {
    const e = await expectConnectError(
      connectFromConfig({
        urls: [server.url],
        tls: tls({ cert: pki.untrustedClient.cert, key: pki.untrustedClient.key }),
      }),
    );
    expect(e.code).toBe("TLS_CLIENT_CERT_REJECTED");
  });

  it("nats-connection - the typed API takes camelCase TLS fields", async () => {
    const copy = join(pki.dir, "copy-ca.pem");
    copyFileSync(pki.ca.certFile, copy);
    const c = clients.add(
      await connectNats({
        urls: [server.url],
        tls: {
          enabled: true,
          rootCasFile: copy,
          clientCerts: [{ certFile: pki.client.certFile, keyFile: pki.client.keyFile }],
        },
      }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });
});

describe("nats-connection tls server identity for IP address URLs", () => {
  // nats.js upgrades IP URLs without a server name, so Node alone would check every certificate
  // against "localhost"; the connection checks the address it dialled, as the Go client does.
  const pkis: Pki[] = [];
  const servers: NatsServer[] = [];
  async function serverWith(altNames: string[]): Promise<{ server: NatsServer; ca: string }> {
    const p = await createPki(undefined, { serverAltNames: altNames });
    pkis.push(p);
    const server = await startNatsServer({ tls: { pki: p } });
    servers.push(server);
    return { server, ca: p.ca.cert };
  }
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(pkis.map((p) => p.remove()));
  });

  it("nats-connection - a certificate with only the server's IP address is accepted for nats:// and tls:// IP URLs", async () => {
    const { server, ca } = await serverWith(["IP:127.0.0.1"]);
    for (const url of [server.url, server.url.replace("nats://", "tls://")]) {
      const c = clients.add(await connectFromConfig({ urls: [url], tls: { enabled: true, root_cas: ca } }));
      expect(await roundTrip(c)).toBe("ping");
    }
  });

  it("nats-connection - a certificate for another IP address is refused with TLS_UNTRUSTED naming both", async () => {
    const { server, ca } = await serverWith(["IP:127.0.0.2"]);
    const e = await expectConnectError(
      connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas: ca } }),
    );
    expect(e.code).toBe("TLS_UNTRUSTED");
    expect(e.message).toContain("the server certificate does not name the host or address it was reached at");
    expect(e.message).toContain("IP: 127.0.0.1 is not in the cert's list: 127.0.0.2");
  });

  it("nats-connection - a certificate for another host name is refused", async () => {
    const { server, ca } = await serverWith(["DNS:nats.example.com"]);
    const e = await expectConnectError(
      connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas: ca } }),
    );
    expect(e.code).toBe("TLS_UNTRUSTED");
    expect(e.message).toContain("not in the cert's list");
  });

  it("nats-connection - on loopback a certificate for localhost is accepted (the same host)", async () => {
    const { server, ca } = await serverWith(["DNS:localhost"]);
    const c = clients.add(
      await connectFromConfig({ urls: [server.url], tls: { enabled: true, root_cas: ca } }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });

  it("nats-connection - skip_cert_verify still skips the name check", async () => {
    const { server } = await serverWith(["IP:127.0.0.2"]);
    const c = clients.add(
      await connectFromConfig({ urls: [server.url], tls: { enabled: true, skip_cert_verify: true } }),
    );
    expect(await roundTrip(c)).toBe("ping");
  });
});
