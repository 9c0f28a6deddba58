import { createServer, type Server } from "node:net";
import { Kvm } from "@nats-io/kv";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, type CliRun, runCli, sleep, startCli, summaryOf, tempDir } from "./helpers.js";

const tmp = tempDir();
let server: NatsServer;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
  tmp.remove();
});

/** Polls `fn` until `ok` holds, with a deadline generous enough for a loaded 2-core machine. */
async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
    await sleep(100);
  }
}

/** The address the run serves on, from its log line (the port is picked by the OS: address port 0). */
async function httpUrl(run: CliRun): Promise<string> {
  const line = await until(
    "http server log line",
    async () => /http server: listening on (http:\/\/[\d.]+:\d+)/.exec(run.stderr()),
    (m) => m !== null,
  );
  return (line as RegExpExecArray)[1] as string;
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.text(), type: r.headers.get("content-type") };
}

/** The value of the one series of `name` (any labels) in a scrape; undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

async function scrape(base: string): Promise<string> {
  const r = await get(`${base}/metrics`);
  expect(r.status).toBe(200);
  return r.body;
}

describe("natskit run: http and metrics", () => {
  it("http - curl /metrics during a run: sent moves; server stopped: connection gauge 0, held rises, /ready 503; restarted: all recover", async () => {
    const own = await startNatsServer();
    try {
      const o = await admin(own.url);
      await o.jsm.streams.add({ name: "HM", subjects: ["hm.>"] });
      await new Kvm(o.nc).create("hm");
      await o.nc.close();
      // Down before the run starts: /ready must say 503 while the run waits for it.
      await own.kill("SIGKILL");
      const cfg = tmp.write(
        "hm.yaml",
        `input:
  generate:
    count: 0
    interval: 10ms
    content: '{"id":\${! counter() }}'
cache_resources:
  - label: seen
    nats_kv:
      urls: ["${own.url}"]
      bucket: hm
      max_reconnects: -1
output:
  label: hm_out
  nats_jetstream:
    urls: ["${own.url}"]
    subject: hm.x
    max_reconnects: -1
http:
  address: 127.0.0.1:0
`,
      );
      const run = startCli(["run", cfg, "--json"]);
      try {
        const base = await httpUrl(run);
        expect(await get(`${base}/ping`)).toMatchObject({ status: 200, body: "pong\n" });
        const waiting = await get(`${base}/ready`);
        expect(waiting.status).toBe(503);
        expect(waiting.body).toContain("cache 'seen': not connected");
        expect(waiting.body).toContain("output 'hm_out': not connected");
        const early = await get(`${base}/metrics`);
        expect(early).toMatchObject({ status: 200, type: "text/plain; version=0.0.4; charset=utf-8" });

        await own.restart();
        expect(
          (
            await until(
              "/ready",
              () => get(`${base}/ready`),
              (r) => r.status === 200,
            )
          ).body,
        ).toBe("OK\n");
        // Sent (acked by the stream) and received move while the server is up.
        const flowing = await until(
          "output_sent",
          () => scrape(base),
          (t) => (sample(t, "output_sent") ?? 0) > 20,
        );
        expect(flowing).toMatch(
          /^output_sent\{label="hm_out",messaging_destination_template="hm\.x",messaging_system="nats"\} \d+$/m,
        );
        expect(flowing).toMatch(/^# TYPE output_sent counter$/m);
        expect(flowing).not.toMatch(/_total\{/);
        expect(sample(flowing, "output_connected")).toBe(1);
        expect(sample(flowing, "cache_connected")).toBe(1);
        expect(sample(flowing, "input_received")).toBeGreaterThan(0);
        expect(flowing).toMatch(/^output_latency_ns_count\{[^}]*\} \d+$/m);
        const sentBefore = sample(flowing, "output_sent") as number;
        await until(
          "output_sent moving",
          () => scrape(base),
          (t) => (sample(t, "output_sent") ?? 0) > sentBefore,
        );

        // The server goes away: the gauge drops, messages are held, /ready says 503.
        await own.kill("SIGKILL");
        const down = await until(
          "output_connected 0",
          () => scrape(base),
          (t) => sample(t, "output_connected") === 0,
        );
        expect((await get(`${base}/ready`)).status).toBe(503);
        const heldAtDrop = sample(down, "output_held") ?? 0;
        const held = await until(
          "output_held rising",
          () => scrape(base),
          (t) => (sample(t, "output_held") ?? 0) > heldAtDrop + 20,
        );
        expect(sample(held, "cache_connected")).toBe(0);
        const sentDuringOutage = sample(held, "output_sent") as number;
        expect(run.stderr()).toMatch(
          /level=warn msg="output 'hm_out': disconnected from [^"]*; \d+ messages? held/,
        );

        // Back: connected again, the held messages go out, sent moves on.
        await own.restart();
        expect(
          (
            await until(
              "/ready",
              () => get(`${base}/ready`),
              (r) => r.status === 200,
            )
          ).body,
        ).toBe("OK\n");
        const back = await until(
          "recovered",
          () => scrape(base),
          (t) =>
            sample(t, "output_connected") === 1 &&
            sample(t, "cache_connected") === 1 &&
            (sample(t, "output_held") ?? 1) < 20 &&
            (sample(t, "output_sent") ?? 0) > sentDuringOutage + 20,
        );
        expect(sample(back, "output_connection_lost")).toBeGreaterThanOrEqual(1);
        expect(run.stderr()).toMatch(
          /level=info msg="output 'hm_out': reconnected to [^"]* after an outage of \d+\.\ds; \d+ messages? held are sent now" .*outage_ms=\d+/,
        );
      } finally {
        run.child.kill("SIGTERM");
      }
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      const s = summaryOf(r);
      expect(s).toMatchObject({ failed: 0, interrupted: true });
      // The final summary is a log line with its numbers as fields; stdout holds only --json.
      expect(r.stderr).toMatch(
        new RegExp(`level=info msg="interrupted: read ${s.read}, .*" .*acked=${s.acked} `),
      );
      expect(r.stdout.trim().split("\n")).toHaveLength(1);
    } finally {
      await own.stop();
    }
  }, 240_000);

  it("http - logger json with static fields on stderr, --log-level over logger.level, http off serves nothing", async () => {
    const o = await admin(server.url);
    await o.jsm.streams.add({ name: "HJ", subjects: ["hj.>"] });
    await o.nc.close();
    const cfg = tmp.write(
      "hj.yaml",
      `input:
  generate:
    count: 50
    interval: ""
    content: x
output:
  label: hj_out
  nats_jetstream:
    urls: ["${server.url}"]
    subject: hj.x
http:
  enabled: false
logger:
  level: OFF
  format: json
  static_fields:
    '@service': hj
    env: test
`,
    );
    const quiet = await runCli(["run", cfg, "--json"]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe(""); // level OFF
    expect(summaryOf(quiet)).toMatchObject({ read: 50, acked: 50 });

    const r = await runCli(["run", cfg, "--json", "--log-level", "INFO"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) expect(l).toMatchObject({ "@service": "hj", env: "test" });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: expect.stringMatching(/^output 'hj_out': connected/),
        label: "hj_out",
        path: "root.output",
      }),
    );
    expect(lines.at(-1)).toMatchObject({ level: "info", read: 50, acked: 50, failed: 0, interrupted: false });
    expect(r.stderr).not.toContain("http server");
    expect(JSON.parse(r.stdout)).toMatchObject({ read: 50, acked: 50 });
  });

  it("http - an address already in use is an error in the log, and the run goes on", async () => {
    const o = await admin(server.url);
    await o.jsm.streams.add({ name: "HP", subjects: ["hp.>"] });
    await o.nc.close();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      const cfg = tmp.write(
        "hp.yaml",
        `input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: ["${server.url}"]\n    subject: hp.x\nhttp:\n  address: 127.0.0.1:${port}\n`,
      );
      const r = await runCli(["run", cfg, "--json", "--quiet"], { stdin: "a\nb\n" });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `level=error msg="http server: cannot listen on 127.0.0.1:${port}: address already in use; running without /ping, /ready, /metrics and /version"`,
      );
      expect(summaryOf(r)).toMatchObject({ read: 2, acked: 2 });
    } finally {
      taken.close();
    }
  });
});
