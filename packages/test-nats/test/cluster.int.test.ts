import { existsSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster, trackedResources } from "../src/index.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Retries `fn` for up to 20 s, e.g. while a stream leader is being elected. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe("test-nats cluster", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  });
  afterAll(async () => {
    await nc?.close();
    const pids = cluster?.servers.map((s) => s.pid) ?? [];
    const dirs = cluster?.servers.map((s) => s.dir) ?? [];
    await cluster?.stop();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(trackedResources()).toEqual({ pids: [], dirs: [] });
  });

  it("test-nats - starts 3 routed JetStream nodes on loopback", async () => {
    expect(cluster.servers.map((s) => s.serverName)).toEqual(["n1", "n2", "n3"]);
    expect(new Set(cluster.urls).size).toBe(3);
    expect(new Set(cluster.servers.map((s) => s.clusterPort)).size).toBe(3);
    for (const s of cluster.servers) {
      const routez = await s.monitor<{ num_routes: number }>("routez");
      expect(routez.num_routes).toBeGreaterThanOrEqual(2);
    }
  });

  it("test-nats - a killed node restarts on the same ports and rejoins", async () => {
    nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc, { timeout: 2000 });
    const si = await jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
    expect(si.config.num_replicas).toBe(3);
    const js = jsm.jetstream();
    expect((await js.publish("r3.a", "one", { msgID: "m1" })).seq).toBe(1);

    // a node that leads neither the stream nor the meta group, so no election slows this down
    // (failover is the next test)
    const streamLeader = (await jsm.streams.info("R3")).cluster?.leader;
    const jsz = await cluster.servers[0]!.monitor<{ meta_cluster: { leader: string } }>("jsz");
    const node = cluster.servers.find(
      (s) => s.serverName !== streamLeader && s.serverName !== jsz.meta_cluster.leader,
    )!;
    const { port, clusterPort, pid } = node;
    await node.kill();
    expect(alive(pid)).toBe(false);
    // same msgID on every try, so a retry after an unknown outcome cannot store a second copy
    expect((await retry(() => js.publish("r3.b", "two", { msgID: "m2", timeout: 1000 }))).seq).toBe(2);

    await node.restart();
    expect(node.pid).not.toBe(pid);
    expect(node.port).toBe(port);
    expect(node.clusterPort).toBe(clusterPort);
    // waits for the stream's leader and for the restarted replica to catch up
    await cluster.waitForJetStreamReady({ timeoutMs: 20_000 });
    const direct = await connect({ servers: node.url });
    try {
      const djsm = await jetstreamManager(direct, { timeout: 1000 });
      const info = await djsm.streams.info("R3");
      expect(info.state.messages).toBe(2);
      expect(info.cluster?.leader).toBeTruthy();
    } finally {
      await direct.close();
    }
  });

  it("test-nats - an R3 stream survives stopping its leader", async () => {
    const jsm = await jetstreamManager(nc!, { timeout: 2000 });
    const info = await jsm.streams.info("R3");
    const leader = cluster.servers.find((s) => s.serverName === info.cluster?.leader);
    expect(leader).toBeDefined();
    await leader!.stop();
    expect(leader!.running).toBe(false);

    const js = jsm.jetstream();
    const ack = await retry(() => js.publish("r3.c", "three", { msgID: "m3", timeout: 1000 }));
    expect(ack.seq).toBe(3);
    await cluster.waitForJetStreamReady({ timeoutMs: 20_000 });
    const after = await jsm.streams.info("R3");
    expect(after.state.messages).toBe(3);
    expect(after.cluster?.leader).toBeTruthy();
    expect(after.cluster?.leader).not.toBe(leader!.serverName);
  });
});
