import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createNkeyUser,
  createOperatorSetup,
  type NatsServer,
  type OperatorSetup,
  startNatsServer,
} from "@natskit/test-nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectFromConfig, connectNats } from "../src/index.js";
import { Clients, expectConfigError, expectConnectError, roundTrip } from "./helpers.js";

const clients = new Clients();
afterEach(() => clients.closeAll());

const url = (s: NatsServer) => [s.url];

describe("nats-connection auth against a real server", () => {
  describe("user and password", () => {
    let server: NatsServer;
    beforeAll(async () => {
      server = await startNatsServer({ auth: { users: [{ user: "alice", password: "pa ss@:/" }] } });
    });
    afterAll(() => server.stop());

    it("nats-connection - user/password from auth connects", async () => {
      const c = clients.add(
        await connectFromConfig({ urls: url(server), auth: { user: "alice", password: "pa ss@:/" } }),
      );
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - user:pass@ in the url connects (the client alone ignores it)", async () => {
      const u = `nats://alice:${encodeURIComponent("pa ss@:/")}@127.0.0.1:${server.port}`;
      const c = clients.add(await connectFromConfig({ urls: [u] }));
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - a wrong password fails with AUTH_FAILED and no secret in the message", async () => {
      const e = await expectConnectError(
        connectFromConfig({ urls: url(server), auth: { user: "alice", password: "wrong-PW" } }),
      );
      expect(e.code).toBe("AUTH_FAILED");
      expect(e.retryable).toBe(false);
      expect(e.message).toContain("the server rejected the credentials (auth.user/password)");
      expect(e.message).not.toContain("wrong-PW");
    });

    it("nats-connection - no credentials fails with AUTH_FAILED", async () => {
      const e = await expectConnectError(connectFromConfig({ urls: url(server) }));
      expect(e.code).toBe("AUTH_FAILED");
      expect(e.message).toContain("no auth configured");
    });
  });

  describe("token", () => {
    let server: NatsServer;
    beforeAll(async () => {
      server = await startNatsServer({ auth: { token: "s3cr3t-t0ken" } });
    });
    afterAll(() => server.stop());

    it("nats-connection - token from auth connects", async () => {
      const c = clients.add(await connectFromConfig({ urls: url(server), auth: { token: "s3cr3t-t0ken" } }));
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - token@ in the url connects", async () => {
      const c = clients.add(
        await connectFromConfig({ urls: [`nats://s3cr3t-t0ken@127.0.0.1:${server.port}`] }),
      );
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - a wrong token fails with AUTH_FAILED", async () => {
      const e = await expectConnectError(
        connectFromConfig({ urls: url(server), auth: { token: "nope-TOKEN" } }),
      );
      expect(e.code).toBe("AUTH_FAILED");
      expect(e.message).not.toContain("nope-TOKEN");
    });
  });

  describe("nkey", () => {
    let server: NatsServer;
    const user = createNkeyUser();
    beforeAll(async () => {
      server = await startNatsServer({ auth: { nkeys: [user.publicKey] } });
    });
    afterAll(() => server.stop());

    it("nats-connection - inline nkey seed connects", async () => {
      const c = clients.add(await connectFromConfig({ urls: url(server), auth: { nkey: user.seed } }));
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - nkey_file connects", async () => {
      const file = join(server.dir, "user.nk");
      writeFileSync(file, `${user.seed}\n`);
      const c = clients.add(await connectFromConfig({ urls: url(server), auth: { nkey_file: file } }));
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - another user's seed fails with AUTH_FAILED", async () => {
      const e = await expectConnectError(
        connectFromConfig({ urls: url(server), auth: { nkey: createNkeyUser().seed } }),
      );
      expect(e.code).toBe("AUTH_FAILED");
      expect(e.message).toContain("auth.nkey");
    });

    it("nats-connection - a seed that is not a user seed is a config error naming the field", async () => {
      const e = await expectConfigError(
        connectFromConfig({ urls: url(server), auth: { nkey: "SUNOTASEED" } }),
      );
      expect(e.issues).toEqual([{ path: "auth.nkey", message: "value is not a valid nkey seed" }]);
    });

    it("nats-connection - a missing nkey_file is a config error naming the file", async () => {
      const e = await expectConfigError(
        connectFromConfig({ urls: url(server), auth: { nkey_file: "./nope.nk" } }),
      );
      expect(e.issues).toEqual([
        { path: "auth.nkey_file", message: "cannot read './nope.nk': no such file" },
      ]);
    });
  });

  describe("operator mode (JWT)", () => {
    let server: NatsServer;
    let op: OperatorSetup;
    beforeAll(async () => {
      op = await createOperatorSetup();
      server = await startNatsServer({ auth: { operator: op } });
    });
    afterAll(() => server.stop());

    it("nats-connection - user_credentials_file connects and JetStream works in the account", async () => {
      const file = join(server.dir, "user.creds");
      writeFileSync(file, op.user.creds);
      const c = clients.add(
        await connectFromConfig({ urls: url(server), auth: { user_credentials_file: file } }),
      );
      expect(await roundTrip(c)).toBe("ping");
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const jsm = await jetstreamManager(c.nc);
      const info = await jsm.streams.add({ name: "JWTOK", subjects: ["jwt.ok"] });
      expect(info.config.name).toBe("JWTOK");
    });

    it("nats-connection - user_jwt + user_nkey_seed connect", async () => {
      const c = clients.add(
        await connectFromConfig({
          urls: url(server),
          auth: { user_jwt: op.user.jwt, user_nkey_seed: op.user.seed },
        }),
      );
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - the typed API with userJwt/userNkeySeed connects", async () => {
      const c = clients.add(
        await connectNats({ urls: server.url, auth: { userJwt: op.user.jwt, userNkeySeed: op.user.seed } }),
      );
      expect(await roundTrip(c)).toBe("ping");
    });

    it("nats-connection - a jwt with the wrong seed fails with AUTH_FAILED", async () => {
      const other = await op.createUser();
      const e = await expectConnectError(
        connectFromConfig({ urls: url(server), auth: { user_jwt: op.user.jwt, user_nkey_seed: other.seed } }),
      );
      expect(e.code).toBe("AUTH_FAILED");
    });

    it("nats-connection - an expired user jwt fails with AUTH_FAILED", async () => {
      const expired = await op.createUser({ expired: true });
      const e = await expectConnectError(
        connectFromConfig({
          urls: url(server),
          auth: { user_jwt: expired.jwt, user_nkey_seed: expired.seed },
        }),
      );
      expect(e.code).toBe("AUTH_FAILED");
    });

    it("nats-connection - a creds file without a seed is a config error", async () => {
      const file = join(server.dir, "broken.creds");
      writeFileSync(file, op.user.creds.replace(/-----BEGIN USER NKEY SEED-----[\s\S]*$/, ""));
      const e = await expectConfigError(
        connectFromConfig({ urls: url(server), auth: { user_credentials_file: file } }),
      );
      expect(e.issues).toEqual([
        { path: "auth.user_credentials_file", message: `'${file}' has no USER NKEY SEED block` },
      ]);
    });

    it("nats-connection - a jwt with an empty seed is an error, not a silent unauthenticated connect", async () => {
      const e = await expectConfigError(
        connectFromConfig({ urls: url(server), auth: { user_jwt: op.user.jwt, user_nkey_seed: "" } }),
      );
      expect(e.issues).toEqual([
        { path: "auth.user_nkey_seed", message: "required when auth.user_jwt is set" },
      ]);
    });
  });
});
