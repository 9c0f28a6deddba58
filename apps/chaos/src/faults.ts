import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsCluster, type NatsServer, startNatsCluster, startNatsServer } from "@natskit/test-nats";
import type { Rng } from "./rng.js";

export type Topology = "single" | "cluster";

/** Faults of the servers; the CLI workload adds signals to `natskit run` itself. */
export type ServerFault =
  /** SIGKILL of the only server, restarted on the same port and store after a pause. */
  | "server-kill"
  /** SIGKILL of the node that leads the stream (cluster), restarted after a pause. */
  | "stream-leader-kill"
  /** SIGKILL of the node that leads the KV bucket's stream (cluster), restarted after a pause. */
  | "kv-leader-kill"
  /** `$JS.API.STREAM.LEADER.STEPDOWN` of the stream. */
  | "stream-stepdown"
  /** The same for the KV bucket's stream. */
  | "kv-stepdown";

export type CliFault = "cli-sigkill" | "cli-sigterm" | "cli-double-sigterm";
export type Fault = ServerFault | CliFault | "none";

/** The servers a campaign runs against: one single server and one 3-node cluster, kept up. */
export class ChaosEnv {
  readonly single: NatsServer;
  #cluster: NatsCluster;

  private constructor(single: NatsServer, cluster: NatsCluster) {
    this.single = single;
    this.#cluster = cluster;
  }

  get cluster(): NatsCluster {
    return this.#cluster;
  }

  static async start(): Promise<ChaosEnv> {
    const single = await startNatsServer();
    try {
      return new ChaosEnv(single, await startNatsCluster());
    } catch (e) {
      await single.stop();
      throw e;
    }
  }

  urls(t: Topology): string[] {
    return t === "single" ? [this.single.url] : [...this.cluster.urls];
  }

  replicas(t: Topology): number {
    return t === "single" ? 1 : 3;
  }

  async admin(t: Topology): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    const nc = await connect({ servers: this.urls(t), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return { nc, jsm: await jetstreamManager(nc, { timeout: 10_000 }) };
  }

  /**
   * Waits (up to 10 s) for the cluster's JetStream to settle; resolves with why it did not, if it
   * did not. Reads still go through the stream leader, so the verification stays sound.
   */
  async settle(t: Topology): Promise<string | undefined> {
    if (t === "single") return undefined;
    try {
      await this.#cluster.waitForJetStreamReady({ timeoutMs: 10_000 });
      return undefined;
    } catch (e) {
      return `cluster not settled: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /**
   * Brings every killed server back and waits until JetStream has settled. A cluster that does
   * not settle within a minute is replaced, so one bad iteration cannot spoil the next ones.
   * Resolves with what had to be done, if anything.
   */
  async restore(): Promise<string | undefined> {
    if (!this.single.running) await this.single.restart();
    for (const s of this.#cluster.servers) if (!s.running) await s.restart();
    try {
      await this.#cluster.waitForJetStreamReady({ timeoutMs: 60_000 });
      return undefined;
    } catch (e) {
      await this.#cluster.stop();
      this.#cluster = await startNatsCluster();
      return `cluster replaced (${e instanceof Error ? e.message : String(e)})`;
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.single.stop(), this.#cluster.stop()]);
  }
}

/** The server faults that apply to a topology. */
export function serverFaults(t: Topology, withCache: boolean): ServerFault[] {
  if (t === "single") return ["server-kill"];
  return withCache
    ? ["stream-leader-kill", "kv-leader-kill", "stream-stepdown", "kv-stepdown"]
    : ["stream-leader-kill", "stream-stepdown"];
}

/**
 * Injects `fault` and resolves once it is over (a killed node is running again). `stream` and
 * `bucket` name the assets whose leaders are targeted.
 */
export async function injectServerFault(
  env: ChaosEnv,
  t: Topology,
  fault: ServerFault,
  rng: Rng,
  assets: { stream: string; bucket?: string },
): Promise<string> {
  const pause = rng.int(200, 3000);
  if (fault === "server-kill") {
    await env.single.kill("SIGKILL");
    await sleep(pause);
    await env.single.restart();
    return `server killed for ${pause} ms`;
  }
  const target = fault.startsWith("kv") ? `KV_${assets.bucket}` : assets.stream;
  const { nc, jsm } = await env.admin(t);
  try {
    if (fault.endsWith("stepdown")) {
      const r = await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${target}`, undefined, { timeout: 5000 });
      const body = r.json<{ success?: boolean; error?: { description?: string } }>();
      return `step-down of ${target}: ${body.success ? "done" : (body.error?.description ?? "refused")}`;
    }
    const leader = (await jsm.streams.info(target)).cluster?.leader;
    const node = env.cluster.servers.find((s) => s.serverName === leader);
    if (!node) return `no leader of ${target} to kill`;
    await nc.close();
    await node.kill("SIGKILL");
    await sleep(pause);
    await node.restart();
    return `${node.serverName} (leader of ${target}) killed for ${pause} ms`;
  } finally {
    if (!nc.isClosed()) await nc.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
