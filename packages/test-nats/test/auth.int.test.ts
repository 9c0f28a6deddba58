import { jetstreamManager } from "@nats-io/jetstream";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  jwtAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createNkeyUser,
  createOperatorSetup,
  type NatsServer,
  type OperatorSetup,
  startNatsServer,
  trackedResources,
} from "../src/index.js";

const enc = new TextEncoder();
const conns: NatsConnection[] = [];

async function dial(opts: ConnectionOptions): Promise<NatsConnection> {
  const nc = await connect({ reconnect: false, timeout: 3000, ...opts });
  conns.push(nc);
  return nc;
}

/** The error a connect attempt fails with (the test fails if it connects). */
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

afterAll(() => {
  expect(trackedResources()).toEqual({ pids: [], dirs: [] });
});

describe("test-nats auth: user/password", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({
      jetstream: false,
      auth: {
        users: [
          { user: "alice", password: "pa ss\"'{}" },
          { user: "bob", password: "b", permissions: { publish: { deny: ["denied.>"] } } },
        ],
      },
    });
  });
  afterAll(() => server?.stop());

  it("test-nats - user and password are accepted", async () => {
    const nc = await dial({ servers: server.url, user: "alice", pass: "pa ss\"'{}" });
    const nc2 = await dial({ servers: server.url, authenticator: usernamePasswordAuthenticator("bob", "b") });
    expect(nc.info?.auth_required).toBe(true);
    await nc2.flush();
  });

  it("test-nats - a wrong password is rejected", async () => {
    const err = await rejection({ servers: server.url, user: "alice", pass: "wrong" });
    expect(err.message).toMatch(/Authorization Violation/i);
    const err2 = await rejection({ servers: server.url });
    expect(err2.message).toMatch(/Authorization Violation/i);
  });
});

describe("test-nats auth: token", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false, auth: { token: "s3cr3t-t0ken" } });
  });
  afterAll(() => server?.stop());

  it("test-nats - the token is accepted, another is rejected", async () => {
    const nc = await dial({ servers: server.url, token: "s3cr3t-t0ken" });
    await nc.flush();
    const nc2 = await dial({ servers: server.url, authenticator: tokenAuthenticator("s3cr3t-t0ken") });
    await nc2.flush();
    const err = await rejection({ servers: server.url, token: "nope" });
    expect(err.message).toMatch(/Authorization Violation/i);
  });
});

describe("test-nats auth: nkeys", () => {
  it("test-nats - a listed nkey user is accepted, another seed is rejected", async () => {
    const user = createNkeyUser();
    const other = createNkeyUser();
    expect(user.publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    expect(user.seed).toMatch(/^SU/);
    const server = await startNatsServer({ jetstream: false, auth: { nkeys: [user.publicKey] } });
    try {
      const nc = await dial({ servers: server.url, authenticator: nkeyAuthenticator(enc.encode(user.seed)) });
      await nc.flush();
      const err = await rejection({
        servers: server.url,
        authenticator: nkeyAuthenticator(enc.encode(other.seed)),
      });
      expect(err.message).toMatch(/Authorization Violation/i);
    } finally {
      await server.stop();
    }
  });

  it("test-nats - an invalid nkey is refused before starting", async () => {
    await expect(startNatsServer({ auth: { nkeys: ["not-a-key"] } })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
    });
  });
});

describe("test-nats auth: operator/JWT", () => {
  let op: OperatorSetup;
  let server: NatsServer;
  beforeAll(async () => {
    op = await createOperatorSetup();
    await op.createAccount({ name: "second" });
    server = await startNatsServer({ auth: { operator: op }, monitoring: true });
  });
  afterAll(() => server?.stop());

  it("test-nats - a JWT user connects and uses JetStream in its account", async () => {
    const nc = await dial({
      servers: server.url,
      authenticator: jwtAuthenticator(op.user.jwt, enc.encode(op.user.seed)),
    });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "JWT", subjects: ["jwt.>"] });
    const ack = await jsm.jetstream().publish("jwt.a", "x");
    expect(ack.stream).toBe("JWT");
    const connz = await server.connz({ auth: true });
    expect(connz.connections.some((c) => c.account === op.account.publicKey)).toBe(true);
  });

  it("test-nats - creds connect, and a user of a registered extra account too", async () => {
    const nc = await dial({
      servers: server.url,
      authenticator: credsAuthenticator(enc.encode(op.user.creds)),
    });
    await nc.flush();
    const [second] = op.extraAccounts;
    const u = await op.createUser({ account: second! });
    const nc2 = await dial({ servers: server.url, authenticator: credsAuthenticator(enc.encode(u.creds)) });
    await nc2.flush();
    expect(u.account).toBe(second!.publicKey);
  });

  it("test-nats - expired, wrongly signed and unknown-account users are rejected", async () => {
    const expired = await op.createUser({ expired: true });
    const e1 = await rejection({
      servers: server.url,
      authenticator: credsAuthenticator(enc.encode(expired.creds)),
    });
    expect(e1.message).toMatch(/Authorization Violation/i);

    const other = await op.createUser();
    const e2 = await rejection({
      servers: server.url,
      authenticator: jwtAuthenticator(op.user.jwt, enc.encode(other.seed)),
    });
    expect(e2.message).toMatch(/Authorization Violation/i);

    const stranger = await op.createAccount({ register: false });
    const u = await op.createUser({ account: stranger });
    const e3 = await rejection({
      servers: server.url,
      authenticator: credsAuthenticator(enc.encode(u.creds)),
    });
    expect(e3.message).toMatch(/Authorization Violation/i);

    const e4 = await rejection({ servers: server.url });
    expect(e4.message).toMatch(/Authorization Violation/i);
  });

  it("test-nats - JWT permissions are enforced", async () => {
    const limited = await op.createUser({ permissions: { publish: { deny: ["denied.>"] } } });
    const nc = await dial({
      servers: server.url,
      authenticator: credsAuthenticator(enc.encode(limited.creds)),
    });
    const statusErr = (async () => {
      for await (const s of nc.status()) {
        if (s.type === "error") return String(s.error);
      }
      return "";
    })();
    nc.publish("denied.x", "no");
    await nc.flush();
    await expect(statusErr).resolves.toMatch(/Permissions Violation for Publish to "denied.x"/);
  });
});
