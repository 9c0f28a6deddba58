import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./log.js";

/** What `/metrics` serves, with the content type Prometheus expects. */
const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Redpanda Connect's default `http.address`. */
export const DEFAULT_HTTP_ADDRESS = "0.0.0.0:4195";
/** Redpanda Connect's default `http.root_path`. */
export const DEFAULT_ROOT_PATH = "/benthos";

/**
 * Whether the components of a run are connected, for `/ready`. A run registers its output and
 * each cache before connecting them, so `/ready` says 503 while they wait for a server.
 */
export class Readiness {
  #checks = new Map<string, () => boolean>();

  /** `connected` is asked on every `/ready`; `name` is what the 503 body lists. */
  add(name: string, connected: () => boolean): void {
    this.#checks.set(name, connected);
  }

  /** One line per component not connected now; empty when ready. Nothing registered: not ready. */
  notConnected(): string[] {
    if (this.#checks.size === 0) return ["starting: nothing is connected yet"];
    return [...this.#checks]
      .filter(([, connected]) => !connected())
      .map(([name]) => `${name}: not connected`);
  }
}

/** `host:port`, `:port` (every interface) or `[v6]:port`. */
export function parseHttpAddress(address: string): { host: string | undefined; port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || port > 65535) return `expected host:port such as '${DEFAULT_HTTP_ADDRESS}', got '${address}'`;
  const host = m[1] ?? m[2];
  return { host: host === "" ? undefined : host, port };
}

export interface HttpServerOptions {
  /** `host:port`; port 0 picks a free one. */
  address: string;
  /** Endpoints are served at `/x` and at `<rootPath>/x`, as in Redpanda Connect. */
  rootPath: string;
  readiness: Readiness;
  /** Prometheus text; without it `/metrics` is 404 (`metrics: { none: {} }`). */
  scrape: (() => Promise<string>) | undefined;
  /** What `/version` serves as JSON: natskit's version, its packages' and Node's. */
  version: { version: string; packages: Record<string, string>; node: string };
  log: Logger;
  /**
   * Whether the address was set in the config. A default address already in use is a warning
   * (another run on the host has it); a configured one is an error. Neither stops the run.
   */
  configured: boolean;
}

export interface HttpServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/**
 * Redpanda Connect's service endpoints: `/ping` (always 200), `/ready` (200 when the output and
 * every cache are connected, else 503 listing what is not), `/metrics` (Prometheus text) and
 * `/version` (JSON).
 * Resolves `undefined` when the address cannot be bound: the run goes on without them.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer | undefined> {
  const { log } = opts;
  const parsed = parseHttpAddress(opts.address);
  if (typeof parsed === "string") throw new Error(`http.address: ${parsed}`);
  const root = opts.rootPath.replace(/\/+$/, "");
  const server = createServer((req, res) => {
    void handle(req, res, root, opts).catch((e: unknown) => {
      log.warn(`http server: ${req.url ?? ""}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("internal error\n");
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(parsed.port, parsed.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === "EADDRINUSE"
        ? "address already in use"
        : code === "EACCES"
          ? "permission denied"
          : e instanceof Error
            ? e.message
            : String(e);
    const msg = `http server: cannot listen on ${opts.address}: ${why}; running without /ping, /ready, /metrics and /version`;
    (opts.configured ? log.error : log.warn)(msg, { address: opts.address });
    return undefined;
  }
  const bound = server.address() as AddressInfo;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  const url = `http://${host}:${bound.port}`;
  log.info(`http server: listening on ${url} (/ping, /ready, /metrics, /version)`, { address: url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection must not hold the exit.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  opts: HttpServerOptions,
): Promise<void> {
  let path = new URL(req.url ?? "/", "http://x").pathname;
  if (root && (path === root || path.startsWith(`${root}/`))) path = path.slice(root.length) || "/";
  const text = (status: number, body: string, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    text(405, "method not allowed\n");
    return;
  }
  switch (path) {
    case "/ping":
      text(200, "pong\n");
      return;
    case "/ready": {
      const waiting = opts.readiness.notConnected();
      if (waiting.length === 0) text(200, "OK\n");
      else text(503, waiting.map((w) => `${w}\n`).join(""));
      return;
    }
    case "/metrics":
      if (opts.scrape) text(200, await opts.scrape(), PROMETHEUS_CONTENT_TYPE);
      else text(404, "metrics are off (metrics: { none: {} })\n");
      return;
    case "/version":
      text(200, `${JSON.stringify(opts.version)}\n`, "application/json");
      return;
    default:
      text(404, "not found: try /ping, /ready, /metrics or /version\n");
  }
}
