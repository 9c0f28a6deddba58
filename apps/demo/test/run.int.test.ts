import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { promisify } from "node:util";
import { Kvm } from "@nats-io/kv";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_DIR,
  admin,
  CLI,
  readStream,
  runCli,
  sleep,
  startCli,
  summaryOf,
  TSX,
  tempDir,
} from "./helpers.js";

const execFileAsync = promisify(execFile);

let server: NatsServer;
let a: Awaited<ReturnType<typeof admin>>;
const tmp = tempDir();

beforeAll(async () => {
  server = await startNatsServer();
  a = await admin(server.url);
});

afterAll(async () => {
  await a?.nc.close();
  await server?.stop();
  tmp.remove();
});

const TYPES = ["click", "view", "buy"];

/** `n` unique events plus `dups` repeats of earlier ones, interleaved. */
function events(n: number, dups: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(JSON.stringify({ id: `e${i}`, type: TYPES[i % 3], n: i }));
    if (i <= dups)
      lines.push(JSON.stringify({ id: `e${Math.ceil(i / 2)}`, type: TYPES[Math.ceil(i / 2) % 3], n: i }));
  }
  return lines;
}

function config(name: string, input: string, extra = ""): string {
  return `input:
${input}
pipeline:
  processors:
    - mapping: |
        meta type = this.type
    - dedupe:
        cache: seen
        key: '\${! json("id") }'
cache_resources:
  - label: seen
    nats_kv:
      urls: ["\${NATS_URL}"]
      bucket: ${name}
output:
  label: ${name}_out
  nats_jetstream:
    urls: ["\${NATS_URL}"]
    subject: '${name}.\${! meta("type") }'
    headers:
      X-Type: '\${! meta("type") }'
      X-Static: natskit
${extra}`;
}

async function setUp(name: string): Promise<void> {
  await a.jsm.streams.add({ name: name.toUpperCase(), subjects: [`${name}.>`] });
  await new Kvm(a.nc).create(name);
}

describe("natskit run", () => {
  it("demo - run sends bulk input in fast-ingest batches where the server and stream allow it, and says which", async () => {
    const { supports } = await import("@natskit/test-nats");
    await a.jsm.streams.add({ name: "FAST", subjects: ["fast.>"], allow_batched: true } as never);
    const total = 20_000;
    const file = tmp.write(
      "fast.jsonl",
      `${Array.from({ length: total }, (_, i) => `{"n":${i}}`).join("\n")}\n`,
    );
    const cfg = tmp.write(
      "fast.yaml",
      `input:\n  file:\n    paths: ["${file}"]\noutput:\n  nats_jetstream:\n    urls: ["\${NATS_URL}"]\n    subject: fast.x\n`,
    );
    const r = await runCli(["run", cfg, "--json"], { env: { NATS_URL: server.url } });
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s).toMatchObject({ read: total, acked: total, failed: 0 });
    if (supports(server.version, "fastIngest")) {
      expect(r.stderr).toContain("fast ingest on for stream 'FAST'");
      expect(s.batched).toBeGreaterThan(total / 2);
    } else {
      expect(r.stderr).toContain(`fast ingest off: nats-server ${server.version} has no fast ingest`);
      expect(s.batched).toBe(0);
    }
    const stored = await readStream(a.jsm, "FAST");
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => m.data)).size).toBe(total);
  });

  it("demo - run delivers every unique message once, drops duplicates, sets subjects and headers", async () => {
    await setUp("rf");
    const lines = events(600, 100);
    const file = tmp.write("rf.jsonl", `${lines.join("\n")}\n`);
    const cfg = tmp.write("rf.yaml", config("rf", `  file:\n    paths: ["${file}"]`));
    const r = await runCli(["run", cfg, "--json"], { env: { NATS_URL: server.url } });
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s).toMatchObject({ read: 700, published: 600, acked: 600, deduplicated: 100, failed: 0 });
    expect(r.stderr).toContain(
      "done: read 700, published 600, acked 600 (already in the stream 0), deduplicated 100, failed 0",
    );
    expect(r.stderr).not.toContain("\r"); // no progress line when stderr is not a terminal

    const stored = await readStream(a.jsm, "RF");
    expect(stored).toHaveLength(600);
    const ids = stored.map((m) => (JSON.parse(m.data) as { id: string }).id);
    expect(new Set(ids).size).toBe(600);
    for (const m of stored) {
      const e = JSON.parse(m.data) as { id: string; type: string };
      expect(m.subject).toBe(`rf.${e.type}`);
      expect(m.headers["X-Type"]).toBe(e.type);
      expect(m.headers["X-Static"]).toBe("natskit");
    }
    // The first copy of each id wins: duplicates carry a later `n`.
    expect(
      stored.every(
        (m) => (JSON.parse(m.data) as { id: string; n: number }).id === `e${JSON.parse(m.data).n}`,
      ),
    ).toBe(true);
  });

  it("demo - a message the output could not store gives its dedupe key back, so a rerun delivers it", async () => {
    // The bucket exists, the stream does not yet: every publish fails with NO_STREAM.
    await new Kvm(a.nc).create("rr");
    const file = tmp.write("rr.jsonl", `${events(30, 10).join("\n")}\n`);
    const cfg = tmp.write("rr.yaml", config("rr", `  file:\n    paths: ["${file}"]`));
    const first = await runCli(["run", cfg, "--json", "--quiet"], { env: { NATS_URL: server.url } });
    expect(first.code, first.stderr).toBe(1);
    expect(summaryOf(first)).toMatchObject({
      read: 40,
      published: 30,
      acked: 0,
      deduplicated: 10,
      failed: 30,
    });
    const kv = await new Kvm(a.nc).open("rr");
    expect(await kv.get("e1")).toMatchObject({ operation: "DEL" });

    await a.jsm.streams.add({ name: "RR", subjects: ["rr.>"] });
    const second = await runCli(["run", cfg, "--json", "--quiet"], { env: { NATS_URL: server.url } });
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second)).toMatchObject({
      read: 40,
      published: 30,
      acked: 30,
      deduplicated: 10,
      failed: 0,
    });
    expect(await readStream(a.jsm, "RR")).toHaveLength(30);
  });

  it("demo - a mapping with root = deleted() drops the message (filtered), as Redpanda Connect does", async () => {
    await setUp("rz");
    const file = tmp.write("rz.jsonl", `${events(30, 0).join("\n")}\n`);
    const cfg = tmp.write(
      "rz.yaml",
      config("rz", `  file:\n    paths: ["${file}"]`).replace(
        "    - mapping: |\n        meta type = this.type\n",
        '    - mapping: |\n        meta type = this.type\n        root = if this.type == "view" { deleted() }\n',
      ),
    );
    const r = await runCli(["run", cfg, "--json", "--quiet"], { env: { NATS_URL: server.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r)).toMatchObject({ read: 30, published: 20, acked: 20, filtered: 10, failed: 0 });
    const stored = await readStream(a.jsm, "RZ");
    expect(stored.map((m) => m.subject).filter((s) => s === "rz.view")).toEqual([]);
    expect(stored).toHaveLength(20);
  });

  it("demo - stdin lines and generate with env substitution both run", async () => {
    await setUp("rs");
    const cfg = tmp.write("rs.yaml", config("rs", "  stdin: {}"));
    const r = await runCli(["run", cfg, "--json"], {
      env: { NATS_URL: server.url },
      stdin: `${events(50, 10).join("\n")}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r)).toMatchObject({ read: 60, acked: 50, deduplicated: 10 });

    await setUp("rg");
    const gen = tmp.write(
      "rg.yaml",
      config(
        "rg",
        `  generate:\n    count: \${COUNT:5}\n    interval: ""\n    content: '{"id":"g\${! counter() }","type":"tick"}'`,
      ),
    );
    const g = await runCli(["run", gen, "--json", "--quiet"], {
      env: { NATS_URL: server.url, COUNT: "250" },
    });
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toBe("");
    expect(summaryOf(g)).toMatchObject({ read: 250, acked: 250 });
    expect((await a.jsm.streams.info("RG")).state.subjects).toBeUndefined();
    expect((await a.jsm.streams.info("RG", { subjects_filter: ">" })).state.subjects).toEqual({
      "rg.tick": 250,
    });
  });

  it("demo - input lines travel as bytes: what is not UTF-8 is stored unchanged", async () => {
    await a.jsm.streams.add({ name: "RBIN", subjects: ["rbin.>"] });
    const cfg = tmp.write(
      "rbin.yaml",
      `input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: ["\${NATS_URL}"]\n    subject: rbin.x\n`,
    );
    const r = await runCli(["run", cfg, "--json", "--quiet"], {
      env: { NATS_URL: server.url },
      stdin: Buffer.from([0x6f, 0x6b, 0x2d, 0xff, 0xfe, 0x0d, 0x0a, 0xe2, 0x82, 0xac, 0x0a]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r)).toMatchObject({ read: 2, acked: 2 });
    const first = await a.jsm.streams.getMessage("RBIN", { seq: 1 });
    const second = await a.jsm.streams.getMessage("RBIN", { seq: 2 });
    expect([...(first?.data ?? [])]).toEqual([0x6f, 0x6b, 0x2d, 0xff, 0xfe]);
    expect([...(second?.data ?? [])]).toEqual([0xe2, 0x82, 0xac]);
  });

  it("demo - a broken config exits 2 with field path and line:col, and connects nowhere", async () => {
    let connections = 0;
    const listener: Server = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const port = (listener.address() as { port: number }).port;
    try {
      const text = config("rb", "  stdin: {}", "    max_in_flight: 0\n").replace("cache: seen", "cache: sen");
      const cfg = tmp.write("rb.yaml", text);
      const r = await runCli(["run", cfg], { env: { NATS_URL: `nats://127.0.0.1:${port}` } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${cfg}:23:5: output.nats_jetstream.max_in_flight: must be at least 1, got 0`,
      );
      expect(r.stderr).toContain(
        `${cfg}:8:9: pipeline.processors[1].dedupe.cache: cache resource 'sen' is not defined`,
      );
      expect(r.stderr).toContain("nothing was run");

      const lint = await runCli(["lint", cfg], { env: { NATS_URL: `nats://127.0.0.1:${port}` } });
      expect(lint.code).toBe(1);
      expect(lint.stdout.trim().split("\n")).toHaveLength(2);
      const unset = await runCli(["lint", cfg], { env: { NATS_URL: undefined } });
      expect(unset.stdout).toContain("required environment variable 'NATS_URL' is not set");
      const usage = await runCli(["run"]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("expected one config file");
      await sleep(200);
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });

  it("demo - a run started before its server waits for it, saying so, then delivers everything", async () => {
    const own = await startNatsServer();
    try {
      const o = await admin(own.url);
      await o.jsm.streams.add({ name: "RW", subjects: ["rw.>"] });
      await new Kvm(o.nc).create("rw");
      await o.nc.close();
      await own.kill("SIGKILL");
      const file = tmp.write("rw.jsonl", `${events(200, 20).join("\n")}\n`);
      const cfg = tmp.write("rw.yaml", config("rw", `  file:\n    paths: ["${file}"]`));
      const run = startCli(["run", cfg, "--json"], { env: { NATS_URL: own.url } });
      for (let i = 0; i < 200 && !run.stderr().includes("waiting for a server"); i++) await sleep(50);
      expect(run.stderr()).toContain("cache 'seen': waiting for a server");
      await own.restart();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      expect(summaryOf(r)).toMatchObject({ read: 220, acked: 200, deduplicated: 20, failed: 0 });
    } finally {
      await own.stop();
    }
  });

  it("demo - SIGTERM mid-run stops reading and loses nothing that was reported acked", async () => {
    await setUp("rt");
    const cfg = tmp.write(
      "rt.yaml",
      config(
        "rt",
        `  generate:\n    count: 0\n    interval: ""\n    content: '{"id":"t\${! counter() }","type":"x"}'`,
      ),
    );
    const run = startCli(["run", cfg, "--json"], { env: { NATS_URL: server.url } });
    // Wait until messages are flowing, then stop.
    for (let i = 0; i < 100; i++) {
      const info = await a.jsm.streams.info("RT").catch(() => undefined);
      if ((info?.state.messages ?? 0) > 2000) break;
      await sleep(100);
    }
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s.interrupted).toBe(true);
    expect(r.stderr).toContain("SIGTERM: stopping input");
    const stored = (await a.jsm.streams.info("RT")).state.messages;
    expect(s.acked as number).toBeGreaterThan(2000);
    // Nothing acked is missing, nothing stored was reported failed.
    expect(stored).toBeGreaterThanOrEqual(s.acked as number);
    expect(stored).toBeLessThanOrEqual((s.acked as number) + (s.failed as number));
    expect(s.read).toBe((s.acked as number) + (s.failed as number) + (s.deduplicated as number));
  });

  it("demo - SIGTERM while the server is down ends within shutdown_timeout and reports every message once", async () => {
    const own = await startNatsServer();
    const o = await admin(own.url);
    try {
      await o.jsm.streams.add({ name: "RD", subjects: ["rd.>"] });
      const cfg = tmp.write(
        "rd.yaml",
        `input:
  generate:
    count: 0
    interval: ""
    content: '{"id":\${! counter() }}'
output:
  nats_jetstream:
    urls: ["${own.url}"]
    subject: rd.x
    max_reconnects: -1
shutdown_timeout: 1s
`,
      );
      const run = startCli(["run", cfg, "--json"]);
      for (let i = 0; i < 100; i++) {
        if (((await o.jsm.streams.info("RD").catch(() => undefined))?.state.messages ?? 0) > 1000) break;
        await sleep(100);
      }
      await o.nc.close();
      await own.kill("SIGKILL");
      await sleep(300);
      const stoppedAt = Date.now();
      run.child.kill("SIGTERM");
      const r = await run.done;
      expect(Date.now() - stoppedAt).toBeLessThan(8000);
      expect(r.code, r.stderr).toBe(1); // messages in flight at the kill could not be acked
      const s = summaryOf(r);
      expect(s.interrupted).toBe(true);
      expect(s.read).toBe((s.acked as number) + (s.failed as number));
      expect((s.errors as Record<string, number>).CLOSED).toBeGreaterThan(0);

      await own.restart();
      const p = await admin(own.url);
      try {
        const stored = (await p.jsm.streams.info("RD")).state.messages;
        expect(stored).toBeGreaterThanOrEqual(s.acked as number);
        expect(stored).toBeLessThanOrEqual((s.acked as number) + (s.failed as number));
      } finally {
        await p.nc.close();
      }
    } finally {
      await own.stop();
    }
  });

  it("demo - failed messages exit 1, are counted by code and never reported acked", async () => {
    await a.jsm.streams.add({ name: "RX", subjects: ["ok.>"] });
    const lines: string[] = [];
    for (let i = 0; i < 90; i++) lines.push(JSON.stringify({ type: i % 3 === 0 ? "gone" : "ok", i }));
    for (let i = 0; i < 5; i++) lines.push(`not json ${i}`);
    const cfg = tmp.write(
      "rx.yaml",
      `input:
  stdin: {}
pipeline:
  processors:
    - mapping: meta type = this.type
output:
  nats_jetstream:
    urls: ["${server.url}"]
    subject: '\${! meta("type") }.x'
    max_retries: 0
`,
    );
    const r = await runCli(["run", cfg, "--json"], { stdin: `${lines.join("\n")}\n` });
    expect(r.code, r.stderr).toBe(1);
    const s = summaryOf(r);
    expect(s).toMatchObject({ read: 95, published: 90, acked: 60, failed: 35 });
    expect(s.errors).toEqual({ MAPPING_FAILED: 5, NO_STREAM: 30 });
    expect(r.stderr).toContain("pipeline.processors[0]");
    expect((await a.jsm.streams.info("RX")).state.messages).toBe(60);
  });

  it("demo - demo without --url starts its own server and removes it and its store", async () => {
    const r = await runCli(["demo", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r)).toMatchObject({ verified: true, read: 5000, failed: 0 });
    const store = /store (\S+)\)/.exec(r.stderr)?.[1];
    expect(store, r.stderr).toBeDefined();
    expect(existsSync(store as string)).toBe(false);
    const pid = Number(/\(pid (\d+)/.exec(r.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(); // the server process is gone
  });

  it("demo - demo --url runs the bundled example on an existing server and removes what it created", async () => {
    const before = (await a.jsm.streams.names().next()).length;
    const r = await runCli(["demo", "--url", server.url, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(r);
    expect(s).toMatchObject({ verified: true, failed: 0 });
    expect(s.deduplicated as number).toBeGreaterThan(0);
    expect(s.read).toBe((s.acked as number) + (s.deduplicated as number));
    expect((await a.jsm.streams.names().next()).length).toBe(before);
  });

  it("demo - on a terminal a live progress line is drawn on stderr", async () => {
    await setUp("rp");
    const cfg = tmp.write(
      "rp.yaml",
      config(
        "rp",
        `  generate:\n    count: 400\n    interval: 2ms\n    content: '{"id":"p\${! counter() }","type":"t"}'`,
      ),
    );
    // `script` gives the CLI a pseudo-terminal (util-linux, part of every Debian install).
    const cmd = [process.execPath, "--conditions=@natskit/source", "--import", TSX, CLI, "run", cfg]
      .map((a) => `'${a}'`)
      .join(" ");
    const { stdout } = await execFileAsync("script", ["-qec", cmd, "/dev/null"], {
      cwd: APP_DIR,
      env: { ...process.env, NATS_URL: server.url },
      timeout: 60_000,
    });
    expect(stdout).toMatch(
      /\r\x1b\[2Kread \d+ {2}published \d+ {2}acked \d+ {2}deduplicated \d+ {2}failed 0 {2}\d+ msgs\/s/,
    );
    expect(stdout).toContain("done: read 400, published 400, acked 400");
  });

  it("demo - --version names natskit, each package and node; lint takes several files", async () => {
    const v = await runCli(["--version"]);
    expect(v.code).toBe(0);
    for (const name of [
      "natskit",
      "@natskit/nats-connection",
      "@natskit/jetstream-output",
      "@natskit/kv-cache",
    ])
      expect(v.stdout).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+`, "m"));
    expect(v.stdout).toContain(`node ${process.version}`);

    const good = tmp.write(
      "l1.yaml",
      "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n",
    );
    const bad = tmp.write("l2.yaml", "input:\n  stdin: {}\nextra: 1\n");
    const both = await runCli(["lint", good, bad]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(`${good}: ok`);
    expect(both.stdout).toContain(`${bad}:3:1: extra: unknown field`);
    const json = await runCli(["lint", good, bad, `${bad}.missing`, "--json"]);
    expect(json.code).toBe(2);
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { file: string });
    expect(lines.map((l) => l.file)).toEqual([good, bad, `${bad}.missing`]);
    expect(lines[2]).toMatchObject({ error: expect.stringContaining("no such file") });

    const insecure = tmp.write(
      "l3.yaml",
      "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    tls: { enabled: true, skip_cert_verify: true }\n",
    );
    const warned = await runCli(["lint", insecure]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      `${insecure}:7:27: warning: output.nats_jetstream.tls.skip_cert_verify: true: the server's certificate is not checked`,
    );
    const run = await runCli(["run", insecure, "--json"], { stdin: "", env: { NATS_URL: undefined } });
    expect(run.stderr).toContain('level=warn msg="');
    expect(run.stderr).toContain("output.nats_jetstream.tls.skip_cert_verify: true");
  });

  it("demo - no secret from the environment shows in what run and lint print, whatever fails", async () => {
    const dead = await startNatsServer();
    const port = dead.port;
    await dead.stop();
    const cfg = tmp.write(
      "rsecret.yaml",
      `input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: ["nats://bob:\${P}@127.0.0.1:${port}"]\n    subject: x\n    wait_on_first_connect: 0\n    auth:\n      token: \${P}\n`,
    );
    // Without the token, the config is valid for most values and run gets as far as connecting.
    const urlOnly = tmp.write("rsecret2.yaml", readFileSync(cfg, "utf8").replace(/ {4}auth:\n.*\n/, ""));
    let connectErrors = 0;
    for (const secret of [
      "}Tr0ub4dor&3xyz",
      "4222,Tr0ub4dor",
      "correct,horse,battery",
      "P@ssw0rd,2024",
      "a: b, c: d3cr3t",
    ]) {
      for (const args of [
        ["run", cfg, "--json"],
        ["lint", cfg, "--json"],
        ["lint", cfg],
        ["run", urlOnly, "--json"],
      ]) {
        const r = await runCli(args, { env: { P: secret }, stdin: "a\n" });
        const out = `${r.stdout}\n${r.stderr}`;
        if (args[1] === urlOnly && out.includes("cannot connect")) connectErrors++;
        else expect(r.code, out).not.toBe(0);
        for (const piece of [secret, ...secret.split(/[^A-Za-z0-9]+/)].filter((x) => x.length >= 6))
          expect(out, `${args.join(" ")} with ${secret}`).not.toContain(piece);
      }
    }
    expect(connectErrors).toBeGreaterThan(0);
  });

  it("demo - run --json prints a summary with the error when the run cannot start", async () => {
    const dead = await startNatsServer();
    const url = dead.url;
    await dead.stop();
    const cfg = tmp.write(
      "rdead.yaml",
      `input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: ["${url}"]\n    subject: x\n    wait_on_first_connect: 0\n`,
    );
    const r = await runCli(["run", cfg, "--json"], { stdin: "a\n" });
    expect(r.code).toBe(1);
    expect(summaryOf(r)).toMatchObject({
      read: 0,
      acked: 0,
      error: expect.stringContaining("cannot connect"),
    });
    const broken = await runCli(["run", tmp.write("rbad.yaml", "input: 1\n"), "--json"]);
    expect(broken.code).toBe(2);
    expect(summaryOf(broken)).toMatchObject({ read: 0, error: expect.stringContaining("nothing was run") });
  });

  it("demo - help documents every command and the exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const w of [
      "run <config.yaml>",
      "lint <config.yaml>",
      "demo",
      "schema",
      "0  success",
      "1  some",
      "2  bad config",
    ])
      expect(r.stdout).toContain(w);
    for (const c of ["run", "lint", "demo", "schema"]) {
      const h = await runCli([c, "--help"]);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: natskit ${c}`);
    }
  });
});
