import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPki, type NatsServer, type Pki, startNatsServer, trackedResources } from "../src/index.js";

const conns: NatsConnection[] = [];
async function dial(opts: ConnectionOptions): Promise<NatsConnection> {
  // reconnect: false makes a rejected mTLS handshake fail at once instead of after `timeout`
  const nc = await connect({ reconnect: false, timeout: 3000, ...opts });
  conns.push(nc);
  return nc;
}
async function rejection(opts: ConnectionOptions): Promise<Error> {
  const err = await dial(opts).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, "connect should have been rejected").toBeDefined();
  return err!;
}

afterEach(async () => {
  await Promise.all(conns.splice(0).map((nc) => nc.close().catch(() => {})));
});

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});
afterAll(async () => {
  const dir = pki?.dir;
  await pki?.remove();
  expect(dir && existsSync(dir)).toBe(false);
  expect(trackedResources()).toEqual({ pids: [], dirs: [] });
});

describe("test-nats pki", () => {
  it("test-nats - creates a CA, a server cert for localhost and 127.0.0.1, and client certs", () => {
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toContain("DNS:localhost");
    expect(server.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(server.checkPrivateKey(createPrivateKey(pki.server.key))).toBe(true);
    expect(new X509Certificate(pki.client.cert).checkIssued(ca)).toBe(true);
    expect(new X509Certificate(pki.ecClient.cert).checkIssued(ca)).toBe(true);
    expect(new X509Certificate(pki.untrustedServer.cert).checkIssued(ca)).toBe(false);
    expect(pki.client.key).toContain("-----BEGIN PRIVATE KEY-----");
    expect(existsSync(pki.ca.certFile)).toBe(true);
  });

  it("test-nats - key encodings and encryption are what they claim", () => {
    const k = pki.keys;
    expect(k.rsaPkcs1.pem).toContain("-----BEGIN RSA PRIVATE KEY-----");
    expect(k.rsaPkcs8Encrypted.pem).toContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    expect(k.rsaPkcs1Aes256.pem).toMatch(/Proc-Type: 4,ENCRYPTED[\s\S]*DEK-Info: AES-256-CBC/);
    expect(k.rsaPkcs1Des3.pem).toMatch(/Proc-Type: 4,ENCRYPTED[\s\S]*DEK-Info: DES-EDE3-CBC/);
    expect(k.ecSec1.pem).toContain("-----BEGIN EC PRIVATE KEY-----");
    expect(k.ecSec1Aes256.pem).toMatch(/BEGIN EC PRIVATE KEY[\s\S]*Proc-Type: 4,ENCRYPTED/);
    expect(k.ecPkcs8Encrypted.pem).toContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    const rsa = createPrivateKey(pki.client.key).export({ format: "der", type: "pkcs8" });
    for (const key of [k.rsaPkcs8Encrypted, k.rsaPkcs1Aes256, k.rsaPkcs1Des3]) {
      const dec = createPrivateKey({ key: key.pem, passphrase: pki.passphrase });
      expect(dec.export({ format: "der", type: "pkcs8" }).equals(rsa)).toBe(true);
      expect(() => createPrivateKey({ key: key.pem, passphrase: "wrong" })).toThrow();
    }
    const ec = createPrivateKey(pki.ecClient.key).export({ format: "der", type: "pkcs8" });
    for (const key of [k.ecSec1Aes256, k.ecPkcs8Encrypted]) {
      const dec = createPrivateKey({ key: key.pem, passphrase: pki.passphrase });
      expect(dec.export({ format: "der", type: "pkcs8" }).equals(ec)).toBe(true);
    }
  });
});

describe("test-nats TLS", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false, tls: { pki }, monitoring: true });
  });
  afterAll(() => server?.stop());

  it("test-nats - a client trusting the CA connects over TLS", async () => {
    const nc = await dial({ servers: server.url, tls: { ca: pki.ca.cert }, name: "tls-client" });
    expect(nc.info?.tls_required).toBe(true);
    const nc2 = await dial({ servers: server.url, tls: { caFile: pki.ca.certFile } });
    await nc2.flush();
    const connz = await server.connz();
    const c = connz.connections.find((x) => x.name === "tls-client");
    expect(c?.tls_version).toMatch(/^1\.[23]$/);
  });

  it("test-nats - a client without the CA is rejected", async () => {
    const err = await rejection({ servers: server.url, tls: {} });
    expect(`${err.message} ${(err as { code?: string }).code}`).toMatch(
      /unable to verify|UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    const err2 = await rejection({ servers: server.url, tls: { ca: pki.untrustedCa.cert } });
    expect(err2.message).toMatch(/unable to verify/);
  });

  it("test-nats - a server with the untrusted cert is rejected by a client trusting the CA", async () => {
    const bad = await startNatsServer({ jetstream: false, tls: { pki, untrusted: true } });
    try {
      const err = await rejection({ servers: bad.url, tls: { ca: pki.ca.cert } });
      expect(err.message).toMatch(/unable to verify|self.signed|certificate/i);
    } finally {
      await bad.stop();
    }
  });
});

describe("test-nats mutual TLS", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false, tls: { pki, verify: true } });
  });
  afterAll(() => server?.stop());

  it("test-nats - a client cert signed by the CA is accepted (RSA and EC)", async () => {
    const nc = await dial({
      servers: server.url,
      tls: { caFile: pki.ca.certFile, certFile: pki.client.certFile, keyFile: pki.client.keyFile },
    });
    await nc.flush();
    const nc2 = await dial({
      servers: server.url,
      tls: { ca: pki.ca.cert, cert: pki.ecClient.cert, key: pki.ecClient.key },
    });
    await nc2.flush();
    const nc3 = await dial({
      servers: server.url,
      tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.keys.rsaPkcs1.pem },
    });
    await nc3.flush();
  });

  it("test-nats - no client cert, or one from another CA, is rejected", async () => {
    const t0 = Date.now();
    const err = await rejection({ servers: server.url, tls: { ca: pki.ca.cert } });
    // the client sees the server's alert or, depending on timing, just the reset that follows it
    expect(err.message).toMatch(/bad certificate|certificate required|ECONNRESET/i);
    const err2 = await rejection({
      servers: server.url,
      tls: { ca: pki.ca.cert, cert: pki.untrustedClient.cert, key: pki.untrustedClient.key },
    });
    // with TLS 1.3 the server drops the connection after the client's Finished: a reset, not an alert
    expect(err2.message).toMatch(/bad certificate|unknown ca|ECONNRESET/i);
    expect(Date.now() - t0).toBeLessThan(6000);
    // the server, not some client-side problem, refused both
    const refusals = () =>
      server.logTail(50).match(/TLS handshake error.*(certificate|verify)/g)?.length ?? 0;
    for (let i = 0; i < 20 && refusals() < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(refusals()).toBe(2);
  });

  it("test-nats - every encrypted client key works with the passphrase", async () => {
    const k = pki.keys;
    const variants = [
      { cert: pki.client.cert, key: k.rsaPkcs8Encrypted.pem },
      { cert: pki.client.cert, key: k.rsaPkcs1Aes256.pem },
      { cert: pki.client.cert, key: k.rsaPkcs1Des3.pem },
      { cert: pki.ecClient.cert, key: k.ecSec1Aes256.pem },
      { cert: pki.ecClient.cert, key: k.ecPkcs8Encrypted.pem },
    ];
    for (const v of variants) {
      // built as a variable: NodeTlsOptions lacks `passphrase`, which the client passes through to Node
      const tls = { ca: pki.ca.cert, ...v, passphrase: pki.passphrase };
      const nc = await dial({ servers: server.url, tls });
      await nc.flush();
      const bad = { ca: pki.ca.cert, ...v, passphrase: "wrong" };
      const err = await rejection({ servers: server.url, tls: bad });
      // A wrong passphrase on a legacy (PKCS#1/SEC1) CBC-encrypted key passes the padding check
      // about once in 256 tries and then fails as undecodable garbage instead of "bad decrypt".
      expect(err.message).toMatch(/bad decrypt|DECODER routines::unsupported/);
    }
  });
});
