import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import {
  createNkeyUser,
  createOperatorSetup,
  createPki,
  type NatsServer,
  type OperatorSetup,
  type Pki,
  skipReason,
  startNatsServer,
} from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectionConfigFromEnv, connectNats, parseConnectionConfig } from "../src/index.js";
import { Clients, expectConfigError, expectConnectError, roundTrip } from "./helpers.js";
import { ContextDir } from "./natscli.js";

// Contexts are written byte for byte as `nats context save` writes them, into a temp dir used
// as $XDG_CONFIG_HOME; the real home directory is never read.
const clients = new Clients();
afterEach(() => clients.closeAll());
const dir = new ContextDir();
afterAll(() => dir.remove());
const { env } = dir;
const home = join(dir.root, "home");
mkdirSync(home);

/** Connects with `{ context }` as a YAML config would, contexts looked up in the temp dir. */
const connectContext = async (context: string, extra: Record<string, unknown> = {}) =>
  await connectNats(parseConnectionConfig({ context, wait_on_first_connect: 0, ...extra }, { env, home }));

describe("nats-connection nats contexts against real servers", () => {
  describe("user and password", () => {
    let server: NatsServer;
    beforeAll(async () => {
      server = await startNatsServer({
        auth: {
          users: [
            { user: "alice", password: 'pa ss@:/"<>&' },
            {
              user: "narrow",
              password: "n",
              permissions: {
                publish: { allow: ["svc", "_I_app.>"] },
                subscribe: { allow: ["svc", "_I_app.>"] },
              },
            },
          ],
        },
      });
    });
    afterAll(() => server.stop());

    it("nats-context - connects by name with XDG_CONFIG_HOME pointing at the contexts", async () => {
      dir.save("alice", { url: server.url, user: "alice", password: 'pa ss@:/"<>&', description: "Alice" });
      const c = clients.add(await connectContext("alice"));
      expect(await roundTrip(c)).toBe("ping");
      expect(inspect(c, { depth: 20 }) + JSON.stringify(c)).not.toContain("pa ss");
    });

    it("nats-context - connects by path", async () => {
      const file = dir.save("alice-path", { url: server.url, user: "alice", password: 'pa ss@:/"<>&' });
      const c = clients.add(await connectContext(file));
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-context - the config's own fields override the context's", async () => {
      dir.save("stale", { url: "nats://127.0.0.1:1", user: "alice", password: "old" });
      const c = clients.add(
        await connectContext("stale", {
          urls: [server.url],
          auth: { user: "alice", password: 'pa ss@:/"<>&' },
        }),
      );
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-context - a wrong password fails with AUTH_FAILED naming the context, not the password", async () => {
      dir.save("wrong", { url: server.url, user: "alice", password: "Wr0ng-pw" });
      const e = await expectConnectError(connectContext("wrong"));
      expect(e.code).toBe("AUTH_FAILED");
      expect(e.message).toContain(
        `(user/password of context 'wrong' (${join(dir.root, "nats", "context", "wrong.json")}))`,
      );
      expect(e.message).not.toContain("Wr0ng-pw");
    });

    it("nats-context - the context's inbox_prefix is used for replies", async () => {
      dir.save("narrow", { url: server.url, user: "narrow", password: "n", inbox_prefix: "_I_app" });
      const c = clients.add(await connectContext("narrow"));
      const sub = c.nc.subscribe("svc", {
        callback: (_, m) => {
          m.respond("pong");
        },
      });
      const reply = await c.nc.request("svc", "ping", { timeout: 5_000 });
      expect(reply.string()).toBe("pong");
      sub.unsubscribe();
    });

    it("nats-context - NATS_CONTEXT with NATS_USER/NATS_PASSWORD overriding it (connectionConfigFromEnv)", async () => {
      dir.save("env-base", { url: server.url, user: "nobody", password: "x" });
      const config = connectionConfigFromEnv(
        { ...env, NATS_CONTEXT: "env-base", NATS_USER: "alice", NATS_PASSWORD: 'pa ss@:/"<>&' },
        { home, label: "from-env" },
      );
      const c = clients.add(await connectNats(config));
      expect(await roundTrip(c)).toBe("ping");
    });
  });

  describe("token", () => {
    let server: NatsServer;
    beforeAll(async () => {
      server = await startNatsServer({ auth: { token: "s3cr3t-t0ken" } });
    });
    afterAll(() => server.stop());

    it("nats-context - a token context connects by name and by path", async () => {
      const file = dir.save("tok", { url: server.url, token: "s3cr3t-t0ken" });
      expect(await roundTrip(clients.add(await connectContext("tok")))).toBe("ping");
      expect(await roundTrip(clients.add(await connectContext(file)))).toBe("ping");
    });

    it("nats-context - a token from env:// connects", async () => {
      dir.save("tok-env", { url: server.url, token: "env://MY_NATS_TOKEN" });
      const c = clients.add(
        await connectNats(
          parseConnectionConfig(
            { context: "tok-env" },
            { env: { ...env, MY_NATS_TOKEN: "s3cr3t-t0ken" }, home },
          ),
        ),
      );
      expect(await roundTrip(c)).toBe("ping");
    });
  });

  describe("nkey", () => {
    let server: NatsServer;
    const user = createNkeyUser();
    beforeAll(async () => {
      server = await startNatsServer({ auth: { nkeys: [user.publicKey] } });
    });
    afterAll(() => server.stop());

    it("nats-context - an nkey seed file connects", async () => {
      const seedFile = dir.file("user.nk", `${user.seed}\n`);
      dir.save("nk", { url: server.url, nkey: seedFile });
      expect(await roundTrip(clients.add(await connectContext("nk")))).toBe("ping");
    });

    it("nats-context - a missing nkey file is a config error naming the context and its field", async () => {
      const ctx = dir.save("nk-missing", { url: server.url, nkey: "/nope/user.nk" });
      const e = await expectConfigError(connectContext("nk-missing"));
      expect(e.issues).toEqual([
        {
          path: "context",
          message: `'nk-missing' (${ctx}): nkey: cannot read '/nope/user.nk': no such file`,
        },
      ]);
    });
  });

  describe("operator mode (creds)", () => {
    let server: NatsServer;
    let op: OperatorSetup;
    beforeAll(async () => {
      op = await createOperatorSetup();
      server = await startNatsServer({ auth: { operator: op } });
    });
    afterAll(() => server.stop());

    it("nats-context - a creds file connects; ~ in the path is the home dir", async () => {
      writeFileSync(join(dir.root, "u.creds"), op.user.creds);
      dir.save("creds", { url: server.url, creds: "~/../u.creds" });
      expect(await roundTrip(clients.add(await connectContext("creds")))).toBe("ping");
    });

    it("nats-context - creds embedded as a data: URI (nats context save --embed) connect", async () => {
      dir.save("creds-embedded", {
        url: server.url,
        creds: `data:;base64,${Buffer.from(op.user.creds).toString("base64")}`,
      });
      const c = clients.add(await connectContext("creds-embedded"));
      expect(await roundTrip(c)).toBe("ping");
      expect(inspect(c, { depth: 20 }) + JSON.stringify(c)).not.toContain(op.user.seed);
    });

    it("nats-context - user_jwt and user_seed connect", async () => {
      dir.save("jwt", { url: server.url, user_jwt: op.user.jwt, user_seed: op.user.seed });
      expect(await roundTrip(clients.add(await connectContext("jwt")))).toBe("ping");
    });
  });

  describe("tls", () => {
    let pki: Pki;
    let server: NatsServer;
    beforeAll(async () => {
      pki = await createPki();
      server = await startNatsServer({ tls: { pki, verify: true } });
    });
    afterAll(async () => {
      await server.stop();
      pki.remove();
    });

    it("nats-context - a CA and a client certificate (mutual TLS) connect, by name and by path", async () => {
      const file = dir.save("mtls", {
        url: server.url,
        ca: pki.ca.certFile,
        cert: pki.client.certFile,
        key: pki.client.keyFile,
      });
      expect(await roundTrip(clients.add(await connectContext("mtls")))).toBe("ping");
      expect(await roundTrip(clients.add(await connectContext(file)))).toBe("ping");
    });

    it("nats-context - without the client certificate the server rejects the connection", async () => {
      dir.save("ca-only", { url: server.url, ca: pki.ca.certFile });
      const e = await expectConnectError(connectContext("ca-only"));
      expect(e.code).toBe("TLS_CLIENT_CERT_REJECTED");
    });

    it("nats-context - a key that is not the certificate's is a config error naming key", async () => {
      const ctx = dir.save("mismatch", {
        url: server.url,
        ca: pki.ca.certFile,
        cert: pki.client.certFile,
        key: pki.ecClient.keyFile,
      });
      const e = await expectConfigError(connectContext("mismatch"));
      expect(e.issues).toEqual([
        {
          path: "context",
          message: `'mismatch' (${ctx}): key: private key does not match the certificate in cert`,
        },
      ]);
    });

    const reason = skipReason("handshakeFirst");
    it.skipIf(reason !== undefined)(
      `nats-context - tls_first connects to a handshake_first server${reason ? ` (skipped: ${reason})` : ""}`,
      async () => {
        const hf = await startNatsServer({ tls: { pki, handshakeFirst: true } });
        try {
          dir.save("tls-first", { url: hf.url, ca: pki.ca.certFile, tls_first: true });
          expect(await roundTrip(clients.add(await connectContext("tls-first")))).toBe("ping");
        } finally {
          await hf.stop();
        }
      },
    );
  });

  describe("errors", () => {
    it("nats-context - a missing context is a config error naming the file looked for", async () => {
      const e = await expectConfigError(connectContext("nope"));
      expect(e.issues).toEqual([
        {
          path: "context",
          message: `'nope' (${join(dir.root, "nats", "context", "nope.json")}): no such context file`,
        },
      ]);
    });

    it("nats-context - bad JSON, two auth methods and an unknown field are config errors", async () => {
      const bad = dir.saveText("bad", '{ "url": "nats://127.0.0.1:4222", "password": "Qy8-pw" ');
      const badErr = await expectConfigError(connectContext("bad"));
      expect(badErr.issues[0]?.message).toMatch(/^'bad' \(.*bad\.json\): is not valid JSON/);
      expect(badErr.message).not.toContain("Qy8");
      expect(bad).toContain("bad.json");

      const two = dir.save("two", { token: "Jq7-tok", creds: "/x.creds" });
      const twoErr = await expectConfigError(connectContext("two"));
      expect(twoErr.issues).toEqual([
        {
          path: "context",
          message: `'two' (${two}): token, creds: more than one auth method; only one is permitted`,
        },
      ]);
      expect(twoErr.message).not.toContain("Jq7");

      const unknown = dir.saveText(
        "unknown",
        JSON.stringify({ url: "nats://127.0.0.1:4222", servers: "x" }, null, 2),
      );
      const unknownErr = await expectConfigError(connectContext("unknown"));
      expect(unknownErr.issues).toEqual([
        {
          path: "context",
          message: `'unknown' (${unknown}): servers: unknown field (not a field of a nats CLI context)`,
        },
      ]);
    });
  });
});
