import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { untrackDir } from "./cleanup.js";
import { TestNatsError } from "./errors.js";
import { makeTempDir } from "./server.js";
import type { CertKeyPair, PemFile, Pki, PkiOptions } from "./types.js";

const PASSPHRASE = "natskit-test-passphrase";

function openssl(dir: string, args: string[]): Promise<void> {
  const bin = process.env.OPENSSL_BIN || "openssl";
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: dir, timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) {
        reject(
          new TestNatsError(
            "OPENSSL_FAILED",
            `openssl ${args.join(" ")}: ${String(stderr).trim() || err.message}`,
            {
              cause: err,
            },
          ),
        );
      } else resolve();
    });
  });
}

// OpenSSL 3 writes PKCS#8 unless told `-traditional`; 1.1 has no such flag and writes PKCS#1.
async function opensslTraditional(dir: string, args: string[]): Promise<void> {
  try {
    await openssl(dir, [...args, "-traditional"]);
  } catch (e) {
    if (!String((e as Error).message).includes("traditional")) throw e;
    await openssl(dir, args);
  }
}

const serial = (): string => {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive
  return `0x${b.toString("hex")}`;
};

const pass = `pass:${PASSPHRASE}`;

/**
 * Creates a test PKI with the openssl CLI (`OPENSSL_BIN` or `openssl` on PATH): a CA, a server
 * cert for `localhost`/`127.0.0.1`, RSA and EC client certs, a second untrusted CA with its own
 * server and client certs, and the client keys in several encodings, some encrypted with
 * `passphrase`. Takes about a second (RSA key generation).
 *
 * @param dir - where to write the files; created if missing and never removed. @default a tracked
 *   temp dir, removed by `pki.remove()` or at process exit.
 * @param options.serverAltNames - the subjectAltName entries of both server certs.
 *   @default `["DNS:localhost", "IP:127.0.0.1"]`
 * @throws {TestNatsError} `OPENSSL_FAILED` with openssl's stderr.
 * @example
 * const pki = await createPki();
 * const server = await startNatsServer({ tls: { pki, verify: true } });
 * const nc = await connect({ servers: server.url, tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key } });
 */
export async function createPki(dir?: string, options: PkiOptions = {}): Promise<Pki> {
  const owned = dir === undefined;
  const root = dir ?? makeTempDir();
  try {
    mkdirSync(root, { recursive: true });
    return await generate(root, owned, options.serverAltNames ?? ["DNS:localhost", "IP:127.0.0.1"]);
  } catch (e) {
    if (owned) {
      await rm(root, { recursive: true, force: true });
      untrackDir(root);
    }
    throw e;
  }
}

async function generate(dir: string, owned: boolean, serverAltNames: readonly string[]): Promise<Pki> {
  const caExt = [
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ];
  const newCa = (name: string, cn: string) =>
    openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      ...caExt,
    ]);
  const newCsr = (name: string, cn: string, keyArgs: string[] = ["-newkey", "rsa:2048"]) =>
    openssl(dir, [
      "req",
      "-new",
      ...keyArgs,
      "-nodes",
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    ]);
  const sign = (name: string, ca: string, ext: string) =>
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}-key.pem`,
      "-set_serial",
      serial(),
      "-days",
      "2",
      "-out",
      `${name}.pem`,
      "-extfile",
      ext,
    ]);

  writeFileSync(
    join(dir, "server.ext"),
    `basicConstraints=CA:FALSE\nsubjectAltName=${serverAltNames.join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  writeFileSync(
    join(dir, "client.ext"),
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:natskit-client\nextendedKeyUsage=clientAuth\n",
  );

  await Promise.all([
    newCa("ca", "natskit-test-ca"),
    newCa("untrusted-ca", "natskit-untrusted-ca"),
    newCsr("server", "natskit-test-server"),
    newCsr("client", "natskit-client"),
    newCsr("ec-client", "natskit-ec-client", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
    newCsr("untrusted-server", "natskit-untrusted-server"),
    newCsr("untrusted-client", "natskit-untrusted-client"),
  ]);
  await Promise.all([
    sign("server", "ca", "server.ext"),
    sign("client", "ca", "client.ext"),
    sign("ec-client", "ca", "client.ext"),
    sign("untrusted-server", "untrusted-ca", "server.ext"),
    sign("untrusted-client", "untrusted-ca", "client.ext"),
    opensslTraditional(dir, ["rsa", "-in", "client-key.pem", "-out", "client-key-pkcs1.pem"]),
    openssl(dir, [
      "pkcs8",
      "-topk8",
      "-v2",
      "aes-256-cbc",
      "-in",
      "client-key.pem",
      "-passout",
      pass,
      "-out",
      "client-key-pkcs8-enc.pem",
    ]),
    opensslTraditional(dir, [
      "rsa",
      "-in",
      "client-key.pem",
      "-aes256",
      "-passout",
      pass,
      "-out",
      "client-key-pkcs1-aes256.pem",
    ]),
    opensslTraditional(dir, [
      "rsa",
      "-in",
      "client-key.pem",
      "-des3",
      "-passout",
      pass,
      "-out",
      "client-key-pkcs1-des3.pem",
    ]),
    openssl(dir, ["ec", "-in", "ec-client-key.pem", "-out", "ec-client-key-sec1.pem"]),
    openssl(dir, [
      "ec",
      "-in",
      "ec-client-key.pem",
      "-aes256",
      "-passout",
      pass,
      "-out",
      "ec-client-key-sec1-aes256.pem",
    ]),
    openssl(dir, [
      "pkcs8",
      "-topk8",
      "-v2",
      "aes-256-cbc",
      "-in",
      "ec-client-key.pem",
      "-passout",
      pass,
      "-out",
      "ec-client-key-pkcs8-enc.pem",
    ]),
  ]);

  const pem = (file: string): PemFile => {
    const path = join(dir, file);
    return { path, pem: readFileSync(path, "utf8") };
  };
  const pair = (name: string): CertKeyPair => {
    const cert = pem(`${name}.pem`);
    const key = pem(`${name}-key.pem`);
    return { certFile: cert.path, cert: cert.pem, keyFile: key.path, key: key.pem };
  };
  let removed = !owned;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await rm(dir, { recursive: true, force: true });
    untrackDir(dir);
  };
  return {
    dir,
    passphrase: PASSPHRASE,
    ca: pair("ca"),
    server: pair("server"),
    client: pair("client"),
    ecClient: pair("ec-client"),
    untrustedCa: pair("untrusted-ca"),
    untrustedServer: pair("untrusted-server"),
    untrustedClient: pair("untrusted-client"),
    keys: {
      rsaPkcs1: pem("client-key-pkcs1.pem"),
      rsaPkcs8Encrypted: pem("client-key-pkcs8-enc.pem"),
      rsaPkcs1Aes256: pem("client-key-pkcs1-aes256.pem"),
      rsaPkcs1Des3: pem("client-key-pkcs1-des3.pem"),
      ecSec1: pem("ec-client-key-sec1.pem"),
      ecSec1Aes256: pem("ec-client-key-sec1-aes256.pem"),
      ecPkcs8Encrypted: pem("ec-client-key-pkcs8-enc.pem"),
    },
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
