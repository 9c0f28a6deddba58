import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServer } from "./binary.js";
import { trackDir, trackPid, untrackDir, untrackPid } from "./cleanup.js";
import { type ConfigInput, renderConfig } from "./config.js";
import { TestNatsError } from "./errors.js";
import type { Connz, NatsServer, NatsServerOptions } from "./types.js";
import { natsServerVersion } from "./version.js";

export const HOST = "127.0.0.1";
const TEMP_PREFIX = "natskit-test-nats-";

let counter = 0;
/** A name unique within this process, for server and cluster names. */
export function uniqueName(): string {
  counter += 1;
  return `test-nats-${process.pid}-${counter}`;
}

export function debugFromEnv(): boolean {
  const v = process.env.NATSKIT_TEST_VERBOSE;
  return v !== undefined && v !== "" && v !== "0";
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates a tracked temp dir (removed at process exit at the latest). */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  trackDir(dir);
  return dir;
}

function readTail(path: string, lines: number): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  const all = text.trimEnd().split("\n");
  return all.slice(Math.max(0, all.length - lines)).join("\n");
}

function tcpProbe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: HOST, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

interface PortsFile {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
}

function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const m = /:(\d+)\/?$/.exec(url);
  return m ? Number(m[1]) : undefined;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** Internal spec of one server process; `startNatsServer` and `startNatsCluster` build it. */
export interface ServerSpec {
  bin: string;
  version: string;
  dir: string;
  /** Mutated: the ports the server picked are pinned into it after the first start. */
  config: ConfigInput;
  /** Keep the log after `stop()`. */
  debug: boolean;
  startTimeoutMs: number;
  stopTimeoutMs: number;
}

export class ServerProcess implements NatsServer {
  readonly host = HOST;
  readonly version: string;
  readonly serverName: string;
  readonly storeDir: string;
  readonly dir: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly #bin: string;
  readonly #config: ConfigInput;
  readonly #debug: boolean;
  readonly #startTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> | undefined;
  #pid = 0;
  #port = 0;
  #monitorPort: number | undefined;
  #stopped = false;

  constructor(spec: ServerSpec) {
    this.#bin = spec.bin;
    this.version = spec.version;
    this.dir = spec.dir;
    this.#config = spec.config;
    this.#debug = spec.debug;
    this.#startTimeoutMs = spec.startTimeoutMs;
    this.#stopTimeoutMs = spec.stopTimeoutMs;
    this.serverName = spec.config.serverName;
    this.storeDir = spec.config.storeDir;
    this.configPath = join(spec.dir, "nats-server.conf");
    this.logPath = join(spec.dir, "nats-server.log");
    mkdirSync(spec.config.portsDir, { recursive: true });
  }

  get url(): string {
    return `nats://${HOST}:${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get monitorUrl(): string | undefined {
    return this.#monitorPort === undefined ? undefined : `http://${HOST}:${this.#monitorPort}`;
  }
  get clusterPort(): number | undefined {
    return this.#config.cluster?.port;
  }
  get pid(): number {
    return this.#pid;
  }
  get running(): boolean {
    return this.#child !== undefined;
  }

  logTail(lines = 40): string {
    return readTail(this.logPath, lines);
  }

  #failure(code: "START_FAILED" | "START_TIMEOUT", what: string): TestNatsError {
    const tail = this.logTail(30);
    return new TestNatsError(
      code,
      `nats-server '${this.serverName}' ${what}; config ${this.configPath}; log tail:\n${tail || "(empty log)"}`,
    );
  }

  /** Spawns the process and resolves once the client port accepts TCP connections. */
  async start(): Promise<void> {
    if (this.#stopped) throw new TestNatsError("NOT_RUNNING", `nats-server '${this.serverName}' was stopped`);
    if (this.#child) return;
    writeFileSync(this.configPath, renderConfig(this.#config));
    const logFd = openSync(this.logPath, "a");
    let child: ChildProcess;
    try {
      child = spawn(this.#bin, ["-c", this.configPath], { stdio: ["ignore", logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    const exited = new Promise<Exit>((resolve) =>
      child.once("exit", (code, signal) => {
        if (child.pid !== undefined) untrackPid(child.pid);
        if (this.#child === child) this.#child = undefined;
        resolve({ code, signal });
      }),
    );
    if (child.pid === undefined) {
      const err = await spawnError;
      throw new TestNatsError("START_FAILED", `cannot run '${this.#bin}': ${err.message}`, { cause: err });
    }
    trackPid(child.pid);
    this.#child = child;
    this.#exited = exited;
    this.#pid = child.pid;

    let exit: Exit | undefined;
    void exited.then((e) => {
      exit = e;
    });
    const portsFile = join(this.#config.portsDir, `nats-server_${child.pid}.ports`);
    const deadline = Date.now() + this.#startTimeoutMs;
    try {
      let ports: PortsFile | undefined;
      const check = (waitingFor: string) => {
        if (exit) {
          const how = exit.signal ?? `code ${exit.code}`;
          throw this.#failure("START_FAILED", `exited (${how}) before it was ready`);
        }
        if (Date.now() > deadline) {
          throw this.#failure("START_TIMEOUT", `${waitingFor} after ${this.#startTimeoutMs} ms`);
        }
      };
      while (ports === undefined) {
        check("wrote no ports file");
        if (existsSync(portsFile)) {
          try {
            ports = JSON.parse(readFileSync(portsFile, "utf8")) as PortsFile;
          } catch {
            // written but not complete yet
          }
        }
        if (ports === undefined) await sleep(10);
      }
      const port = portOf(ports.nats?.[0]);
      if (port === undefined) throw this.#failure("START_FAILED", `wrote no client port in ${portsFile}`);
      this.#port = port;
      this.#monitorPort = portOf(ports.monitoring?.[0]);
      // Pin the picked ports so that restart() reuses them with the very same config file.
      const httpPort = this.#monitorPort ?? this.#config.httpPort;
      if (this.#config.clientPort !== port || this.#config.httpPort !== httpPort) {
        this.#config.clientPort = port;
        if (httpPort !== undefined) this.#config.httpPort = httpPort;
        writeFileSync(this.configPath, renderConfig(this.#config));
      }
      while (!(await tcpProbe(port))) {
        check(`not accepting connections on port ${port}`);
        await sleep(10);
      }
    } catch (e) {
      await this.#terminate("SIGKILL");
      throw e;
    }
  }

  async #terminate(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    child.kill(signal);
    if (signal === "SIGTERM") {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), this.#stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) child.kill("SIGKILL");
    }
    await exited;
  }

  kill(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    return this.#terminate(signal);
  }

  async restart(): Promise<void> {
    if (this.#stopped) throw new TestNatsError("NOT_RUNNING", `nats-server '${this.serverName}' was stopped`);
    await this.#terminate("SIGTERM");
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#terminate("SIGTERM");
    if (this.#debug) {
      const logs = join(tmpdir(), "natskit-test-nats-logs");
      mkdirSync(logs, { recursive: true });
      const kept = join(logs, `${this.serverName}-${Date.now()}.log`);
      try {
        copyFileSync(this.logPath, kept);
        process.stderr.write(`test-nats: log of '${this.serverName}' kept at ${kept}\n`);
      } catch {
        // no log written
      }
    }
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    untrackDir(this.dir);
  }

  async monitor<T = unknown>(
    endpoint: string,
    query?: Record<string, string | number | boolean>,
  ): Promise<T> {
    const base = this.monitorUrl;
    if (base === undefined) {
      throw new TestNatsError(
        "MONITORING_DISABLED",
        `nats-server '${this.serverName}': monitoring is off; start it with monitoring: true`,
      );
    }
    if (!this.running)
      throw new TestNatsError("NOT_RUNNING", `nats-server '${this.serverName}' is not running`);
    const qs = query
      ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`
      : "";
    const url = `${base}/${endpoint.replace(/^\//, "")}${qs}`;
    const res = await fetch(url);
    const text = await res.text();
    if (!res.ok) {
      throw new TestNatsError("MONITORING_FAILED", `GET ${url}: HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    return JSON.parse(text) as T;
  }

  connz(query?: Record<string, string | number | boolean>): Promise<Connz> {
    return this.monitor<Connz>("connz", query);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a nats-server on a free loopback port with a generated config in a fresh temp dir, and
 * resolves once it accepts connections.
 *
 * @throws {NatsServerNotFoundError} when no nats-server binary is found (message = install hint).
 * @throws {TestNatsError} `START_FAILED` / `START_TIMEOUT` with the log tail in the message.
 * @example
 * const server = await startNatsServer({ auth: { token: "s3cret" } });
 * afterAll(() => server.stop());
 * const nc = await connect({ servers: server.url, token: "s3cret" });
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  const version = await natsServerVersion(bin);
  const dir = makeTempDir();
  const config: ConfigInput = {
    clientPort: opts.port ?? -1,
    portsDir: join(dir, "ports"),
    serverName: opts.serverName ?? uniqueName(),
    jetstream: opts.jetstream ?? true,
    storeDir: opts.storeDir ?? join(dir, "js"),
    debug: opts.debug ?? debugFromEnv(),
  };
  if (opts.monitoring) config.httpPort = -1;
  if (opts.auth) config.auth = opts.auth;
  if (opts.tls) config.tls = opts.tls;
  if (opts.maxPayload !== undefined) config.maxPayload = opts.maxPayload;
  if (opts.extraConfig !== undefined) config.extraConfig = opts.extraConfig;
  let server: ServerProcess | undefined;
  try {
    server = new ServerProcess({
      bin,
      version,
      dir,
      config,
      debug: config.debug ?? false,
      startTimeoutMs: opts.startTimeoutMs ?? 10_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    });
    await server.start();
    return server;
  } catch (e) {
    if (server) await server.stop();
    else {
      await rm(dir, { recursive: true, force: true });
      untrackDir(dir);
    }
    throw e;
  }
}
