import { ConfigError, ConnectError, type NatsClient } from "../src/index.js";

/** Closes every client a test opened, whatever happened in the test. */
export class Clients {
  #all: NatsClient[] = [];
  add<T extends NatsClient>(c: T): T {
    this.#all.push(c);
    return c;
  }
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#all.map((c) => c.close()));
    this.#all = [];
  }
}

export async function expectConnectError(p: Promise<unknown>): Promise<ConnectError> {
  try {
    const c = await p;
    await (c as NatsClient).close?.();
  } catch (e) {
    if (!ConnectError.isInstance(e)) throw e;
    return e;
  }
  throw new Error("expected a ConnectError, but the connection succeeded");
}

export async function expectConfigError(p: Promise<unknown> | (() => unknown)): Promise<ConfigError> {
  try {
    const c = typeof p === "function" ? p() : await p;
    await (c as NatsClient | undefined)?.close?.();
  } catch (e) {
    if (!ConfigError.isInstance(e)) throw e;
    return e;
  }
  throw new Error("expected a ConfigError");
}

/** A loopback port with nothing listening (the server was started and stopped). */
export async function deadPort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Publishes and reads back one message, proving the connection really works. */
export async function roundTrip(client: NatsClient): Promise<string> {
  const { nc } = client;
  const sub = nc.subscribe("natskit.rt", { max: 1 });
  nc.publish("natskit.rt", "ping");
  for await (const m of sub) return m.string();
  throw new Error("no message");
}
