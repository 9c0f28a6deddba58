import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOperatorSetup, createPki, type NatsServer, startNatsServer } from "@natskit/test-nats";

/**
 * What a snippet runs against, named by a `<!-- server: name -->` comment before its block. Each
 * starts a server on a free port and writes the files the snippet names into its working
 * directory; without a comment a snippet gets a plain server with JetStream.
 */
export interface Setup {
  /** What the README's reader needs to run the snippet. */
  readonly description: string;
  start(cwd: string): Promise<{ server: NatsServer; release(): Promise<void> }>;
}

export const SETUPS: Readonly<Record<string, Setup>> = {
  jetstream: {
    description: "nats-server -js",
    async start() {
      const server = await startNatsServer();
      return { server, release: () => server.stop() };
    },
  },
  "tls-user": {
    description: "TLS with ./ca.pem as the CA, user alice with password secret, JetStream",
    async start(cwd) {
      const pki = await createPki();
      const server = await startNatsServer({
        tls: { pki },
        auth: { users: [{ user: "alice", password: "secret" }] },
      });
      copyFileSync(pki.ca.certFile, join(cwd, "ca.pem"));
      return {
        server,
        release: async () => {
          await server.stop();
          await pki.remove();
        },
      };
    },
  },
  operator: {
    description: "operator/JWT auth, ./orders.creds holding a user's credentials, JetStream",
    async start(cwd) {
      const op = await createOperatorSetup();
      const server = await startNatsServer({ auth: { operator: op } });
      writeFileSync(join(cwd, "orders.creds"), op.user.creds, { mode: 0o600 });
      return { server, release: () => server.stop() };
    },
  },
};
