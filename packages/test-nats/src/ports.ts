import { createServer, type Server } from "node:net";

// Ports handed out recently by this process; never handed out twice, so two clusters started
// back to back in one process cannot collide with each other.
const handedOut = new Set<number>();

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

/**
 * `n` distinct loopback ports that were free a moment ago: bound to port 0 all at once, then
 * released. Another process may still take one before it is used, so callers retry on
 * "address already in use".
 */
export async function reserveFreePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const srv = await listenOnFreePort();
      held.push(srv);
      const addr = srv.address();
      if (addr !== null && typeof addr === "object" && !handedOut.has(addr.port)) ports.push(addr.port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  for (const p of ports) handedOut.add(p);
  return ports;
}
