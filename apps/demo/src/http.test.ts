import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { type HttpServerOptions, parseHttpAddress, Readiness, startHttpServer } from "./http.js";
import { createLogger } from "./log.js";

function options(overrides: Partial<HttpServerOptions> = {}): HttpServerOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    address: "127.0.0.1:0",
    rootPath: "/benthos",
    readiness: new Readiness(),
    scrape: async () => "# TYPE input_received counter\ninput_received 3\n",
    version: { version: "1.2.3", packages: { "@natskit/kv-cache": "0.4.0" }, node: "v22.0.0" },
    log: createLogger({ level: "all" }, (l) => lines.push(l)),
    configured: true,
    lines,
    ...overrides,
  };
}

describe("http server", () => {
  it("demo - /ping, /ready, /metrics and /version answer over HTTP, also under root_path", async () => {
    const o = options();
    let outputUp = false;
    const server = await startHttpServer(o);
    expect(server).toBeDefined();
    const url = server?.url as string;
    try {
      expect(o.lines.join("")).toContain(`msg="http server: listening on ${url}`);
      const ping = await fetch(`${url}/ping`);
      expect([ping.status, await ping.text()]).toEqual([200, "pong\n"]);

      // Nothing registered yet: the run has not started, so not ready.
      const early = await fetch(`${url}/ready`);
      expect(early.status).toBe(503);
      o.readiness.add("output 'out'", () => outputUp);
      o.readiness.add("cache 'seen'", () => true);
      const down = await fetch(`${url}/ready`);
      expect([down.status, await down.text()]).toEqual([503, "output 'out': not connected\n"]);
      outputUp = true;
      const up = await fetch(`${url}/benthos/ready`);
      expect([up.status, await up.text()]).toEqual([200, "OK\n"]);

      const m = await fetch(`${url}/metrics`);
      expect(m.status).toBe(200);
      expect(m.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(await m.text()).toContain("input_received 3\n");

      const v = await fetch(`${url}/benthos/version`);
      expect([v.status, v.headers.get("content-type"), await v.json()]).toEqual([
        200,
        "application/json",
        { version: "1.2.3", packages: { "@natskit/kv-cache": "0.4.0" }, node: "v22.0.0" },
      ]);

      expect((await fetch(`${url}/nope`)).status).toBe(404);
      expect((await fetch(`${url}/ping`, { method: "POST" })).status).toBe(405);
    } finally {
      await server?.close();
    }
  });

  it("demo - with metrics: none, /metrics is 404 and the rest still answers", async () => {
    const server = await startHttpServer(options({ scrape: undefined }));
    try {
      expect((await fetch(`${server?.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${server?.url}/ping`)).status).toBe(200);
    } finally {
      await server?.close();
    }
  });

  it("demo - an address in use does not stop the run: an error when configured, a warning by default", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      const configured = options({ address: `127.0.0.1:${port}` });
      expect(await startHttpServer(configured)).toBeUndefined();
      expect(configured.lines).toEqual([
        `level=error msg="http server: cannot listen on 127.0.0.1:${port}: address already in use; running without /ping, /ready, /metrics and /version" @service=natskit address=127.0.0.1:${port}\n`,
      ]);
      const defaulted = options({ address: `127.0.0.1:${port}`, configured: false });
      expect(await startHttpServer(defaulted)).toBeUndefined();
      expect(defaulted.lines[0]).toMatch(/^level=warn msg="http server: cannot listen on/);
    } finally {
      taken.close();
    }
  });

  it("demo - addresses are host:port, :port or [v6]:port", () => {
    expect(parseHttpAddress("0.0.0.0:4195")).toEqual({ host: "0.0.0.0", port: 4195 });
    expect(parseHttpAddress(":4195")).toEqual({ host: undefined, port: 4195 });
    expect(parseHttpAddress("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseHttpAddress("localhost:8080")).toEqual({ host: "localhost", port: 8080 });
    for (const bad of ["4195", "host", "a:b", "a:70000", "::1:80", "a b:1", ""])
      expect(parseHttpAddress(bad), bad).toMatch(/^expected host:port/);
  });
});
