import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startNatsCluster, trackedResources } from "../src/index.js";

// The port picker is replaced so that its first answer contains a port we hold: the server's
// reaction (it cannot bind its route port and exits) is real.
const state = vi.hoisted(() => ({ heldPort: 0, calls: 0 }));
vi.mock("../src/ports.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/ports.js")>();
  return {
    reserveFreePorts: async (n: number) => {
      state.calls += 1;
      const ports = await real.reserveFreePorts(n);
      if (state.calls === 1) ports[1] = state.heldPort;
      return ports;
    },
  };
});

describe("test-nats cluster start retry", () => {
  let held: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // nodes of the failed attempt dial this port as a route; keep their sockets to close them
    held = createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => held.listen(0, "127.0.0.1", r));
    state.heldPort = (held.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => held.close(() => r()));
    expect(trackedResources()).toEqual({ pids: [], dirs: [] });
  });

  it("test-nats - a cluster start retries with new ports when a route port is taken", async () => {
    const cluster = await startNatsCluster({ jetstream: false });
    try {
      expect(state.calls).toBe(2);
      expect(cluster.servers.map((s) => s.clusterPort)).not.toContain(state.heldPort);
      expect(cluster.servers.every((s) => s.running)).toBe(true);
    } finally {
      await cluster.stop();
    }
  });
});
