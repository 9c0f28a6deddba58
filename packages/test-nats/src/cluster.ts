import { join } from "node:path";
import { findNatsServer } from "./binary.js";
import type { ConfigInput } from "./config.js";
import { TestNatsError } from "./errors.js";
import { reserveFreePorts } from "./ports.js";
import { debugFromEnv, makeTempDir, ServerProcess, sleep, uniqueName } from "./server.js";
import type { NatsCluster, NatsClusterOptions } from "./types.js";
import { natsServerVersion } from "./version.js";

const START_ATTEMPTS = 5;

const isPortTaken = (e: unknown): boolean => String((e as Error)?.message).includes("address already in use");

interface RaftGroup {
  leader?: string;
  replicas?: { name: string; current?: boolean; offline?: boolean }[];
}
interface Jsz {
  meta_cluster?: RaftGroup;
  account_details?: {
    name: string;
    stream_detail?: {
      name: string;
      cluster?: RaftGroup;
      state?: { last_seq?: number };
      consumer_detail?: { name: string; cluster?: RaftGroup }[];
    }[];
  }[];
}

/** What one node reports about one replicated asset (a stream or a consumer). */
interface AssetView {
  node: string;
  group: RaftGroup;
  lastSeq?: number;
}

/** Why the assets are not settled yet, or undefined: every asset has one agreed, running leader,
 * the leader sees every running replica as current, and all copies of a stream hold the same last
 * sequence (so a restarted node has caught up). */
function assetsProblem(views: Map<string, AssetView[]>, running: Set<string>): string | undefined {
  for (const [asset, list] of views) {
    const leaders = new Set(list.map((v) => v.group.leader ?? ""));
    const [leader] = leaders;
    if (leaders.size !== 1 || !leader || !running.has(leader)) {
      return `${asset}: leaders seen [${[...leaders].join(", ")}]`;
    }
    const fromLeader = list.find((v) => v.node === leader);
    if (!fromLeader) return `${asset}: leader '${leader}' does not report it`;
    for (const r of fromLeader.group.replicas ?? []) {
      if (running.has(r.name) && (!r.current || r.offline))
        return `${asset}: replica '${r.name}' not current`;
    }
    const seqs = new Set(list.filter((v) => v.lastSeq !== undefined).map((v) => v.lastSeq));
    if (seqs.size > 1) return `${asset}: replicas at last_seq [${[...seqs].join(", ")}]`;
  }
  return undefined;
}
interface Routez {
  num_routes: number;
}

async function waitUntil(
  timeoutMs: number,
  check: () => Promise<string | undefined>,
  fail: (lastProblem: string) => TestNatsError,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem: string | undefined = "not checked yet";
  for (;;) {
    try {
      problem = await check();
    } catch (e) {
      if (TestNatsError.isInstance(e) && e.code === "START_FAILED") throw e;
      problem = (e as Error).message;
    }
    if (problem === undefined) return;
    if (Date.now() > deadline) throw fail(problem);
    await sleep(100);
  }
}

class Cluster implements NatsCluster {
  readonly name: string;
  readonly servers: readonly ServerProcess[];
  readonly #timeoutMs: number;
  readonly #jetstream: boolean;

  constructor(name: string, servers: readonly ServerProcess[], timeoutMs: number, jetstream: boolean) {
    this.name = name;
    this.servers = servers;
    this.#timeoutMs = timeoutMs;
    this.#jetstream = jetstream;
  }

  get urls(): readonly string[] {
    return this.servers.map((s) => s.url);
  }

  #running(): ServerProcess[] {
    return this.servers.filter((s) => s.running);
  }

  async waitForRoutes(): Promise<void> {
    await waitUntil(
      this.#timeoutMs,
      async () => {
        // A node can report ready and then die on its route port ("address already in use").
        const dead = this.servers.find((s) => !s.running);
        if (dead) {
          throw new TestNatsError(
            "START_FAILED",
            `nats-server '${dead.serverName}' exited while cluster '${this.name}' formed; log tail:\n${dead.logTail(30)}`,
          );
        }
        const running = this.#running();
        for (const s of running) {
          const r = await s.monitor<Routez>("routez");
          if (r.num_routes < running.length - 1) return `${s.serverName} has ${r.num_routes} routes`;
        }
        return undefined;
      },
      (p) => new TestNatsError("CLUSTER_NOT_READY", `cluster '${this.name}': routes not complete: ${p}`),
    );
  }

  waitForJetStreamReady(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.#jetstream) {
      return Promise.reject(
        new TestNatsError("INVALID_OPTIONS", `cluster '${this.name}' was started with jetstream: false`),
      );
    }
    return waitUntil(
      opts.timeoutMs ?? this.#timeoutMs,
      async () => {
        const running = this.#running();
        if (running.length === 0) return "no node is running";
        const query = { accounts: true, streams: true, consumers: true };
        const jsz = await Promise.all(running.map((s) => s.monitor<Jsz>("jsz", query)));
        const leaders = new Set(jsz.map((j) => j.meta_cluster?.leader ?? ""));
        const [leader] = leaders;
        if (leaders.size !== 1 || !leader) return `meta leaders seen: [${[...leaders].join(", ")}]`;
        const i = running.findIndex((s) => s.serverName === leader);
        if (i < 0) return `meta leader '${leader}' is not a running node`;
        const replicas = jsz[i]?.meta_cluster?.replicas ?? [];
        for (const s of running) {
          if (s.serverName === leader) continue;
          const r = replicas.find((x) => x.name === s.serverName);
          if (!r?.current || r.offline) return `leader '${leader}' does not see '${s.serverName}' as current`;
        }
        const views = new Map<string, AssetView[]>();
        const add = (asset: string, view: AssetView) => {
          const list = views.get(asset) ?? [];
          list.push(view);
          views.set(asset, list);
        };
        running.forEach((s, n) => {
          for (const acc of jsz[n]?.account_details ?? []) {
            for (const st of acc.stream_detail ?? []) {
              if (!st.cluster) continue;
              const view: AssetView = { node: s.serverName, group: st.cluster };
              if (st.state?.last_seq !== undefined) view.lastSeq = st.state.last_seq;
              add(`stream '${acc.name} > ${st.name}'`, view);
              for (const c of st.consumer_detail ?? []) {
                if (c.cluster)
                  add(`consumer '${acc.name} > ${st.name} > ${c.name}'`, {
                    node: s.serverName,
                    group: c.cluster,
                  });
              }
            }
          }
        });
        return assetsProblem(views, new Set(running.map((s) => s.serverName)));
      },
      (p) =>
        new TestNatsError(
          "CLUSTER_NOT_READY",
          `cluster '${this.name}': JetStream not ready after ${opts.timeoutMs ?? this.#timeoutMs} ms: ${p}`,
        ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a cluster of nats-servers on loopback, fully routed, each with JetStream (`server_name`
 * `n1`…`nN`) and monitoring. Routes need fixed, known ports: they are reserved by binding port 0
 * and released, and the whole start is retried (up to 5 times) if a node finds its port taken.
 * Client and monitoring ports are picked race-free by each server. Resolves when the routes are
 * complete and (with JetStream) the meta leader sees every node, so R{size} streams work at once.
 *
 * @throws {NatsServerNotFoundError} when no nats-server binary is found.
 * @throws {TestNatsError} `START_FAILED`, `START_TIMEOUT`, `CLUSTER_NOT_READY`.
 * @example
 * const cluster = await startNatsCluster();
 * afterAll(() => cluster.stop());
 * const nc = await connect({ servers: [...cluster.urls] });
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 2) {
    throw new TestNatsError("INVALID_OPTIONS", `size: must be an integer >= 2, got ${size}`);
  }
  const bin = findNatsServer();
  const version = await natsServerVersion(bin);
  const name = opts.name ?? uniqueName();
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const debug = opts.debug ?? debugFromEnv();

  for (let attempt = 1; ; attempt++) {
    const ports = await reserveFreePorts(size);
    const nodes = ports.map((port, i) => {
      const dir = makeTempDir();
      const config: ConfigInput = {
        clientPort: -1,
        httpPort: -1,
        portsDir: join(dir, "ports"),
        serverName: `n${i + 1}`,
        jetstream: opts.jetstream ?? true,
        storeDir: join(dir, "js"),
        cluster: { name, port, routes: ports },
        debug,
      };
      if (opts.auth) config.auth = opts.auth;
      if (opts.tls) config.tls = opts.tls;
      if (opts.maxPayload !== undefined) config.maxPayload = opts.maxPayload;
      if (opts.extraConfig !== undefined) config.extraConfig = opts.extraConfig;
      return new ServerProcess({
        bin,
        version,
        dir,
        config,
        debug,
        startTimeoutMs: timeoutMs,
        stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
      });
    });
    const cluster = new Cluster(name, nodes, timeoutMs, opts.jetstream ?? true);
    const started = await Promise.allSettled(nodes.map((n) => n.start()));
    const failures = started.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    try {
      if (failures.length > 0) throw failures.find(isPortTaken) ?? failures[0];
      await cluster.waitForRoutes();
    } catch (e) {
      await cluster.stop();
      if (isPortTaken(e) && attempt < START_ATTEMPTS) continue;
      throw e;
    }
    try {
      if (opts.jetstream ?? true) await cluster.waitForJetStreamReady();
    } catch (e) {
      const tails = nodes.map((n) => `--- ${n.serverName}:\n${n.logTail(10)}`).join("\n");
      await cluster.stop();
      if (TestNatsError.isInstance(e)) {
        throw new TestNatsError(e.code, `${e.message}\n${tails}`, { cause: e });
      }
      throw e;
    }
    return cluster;
  }
}
