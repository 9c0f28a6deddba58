import { Kvm } from "@nats-io/kv";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, runCli, sleep, startCli, storedIds, summaryOf, tally, tempDir } from "./helpers.js";

// A crash of `natskit run` (or of its server) at any moment, then a rerun of the same config on the
// same input, must end with every unique message stored exactly once. These fail on a dedupe that
// claims keys for good before the ack: the rerun drops what the crashed run never stored.

let server: NatsServer;
const tmp = tempDir();

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
  tmp.remove();
});

/** `unique` ids, each after the first 10% seen again later (so the dedupe step has work). */
function input(name: string, unique: number): { file: string; ids: string[] } {
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 1; i <= unique; i++) {
    ids.push(`${name}${i}`);
    lines.push(JSON.stringify({ id: `${name}${i}`, n: i }));
    if (i % 10 === 0) lines.push(JSON.stringify({ id: `${name}${i / 2}`, n: i, again: true }));
  }
  return { file: tmp.write(`${name}.jsonl`, `${lines.join("\n")}\n`), ids };
}

/** The config: dedupe on a KV cache, msg_id from the same id; `fields` go into both components. */
function config(name: string, file: string, url: string, fields: string[] = []): string {
  const at = (indent: string) => fields.map((f) => `${indent}${f}\n`).join("");
  return tmp.write(
    `${name}.yaml`,
    `input:
  file:
    paths: ["${file}"]
pipeline:
  processors:
    - dedupe:
        cache: seen
        key: '\${! json("id") }'
cache_resources:
  - label: seen
    nats_kv:
      urls: ["${url}"]
      bucket: ${name}
${at("      ")}output:
  nats_jetstream:
    urls: ["${url}"]
    subject: ${name}.events
    msg_id: '\${! json("id") }'
    max_in_flight: 256
${at("    ")}`,
  );
}

async function waitForStored(url: string, stream: string, atLeast: number): Promise<number> {
  const { nc, jsm } = await admin(url);
  try {
    for (let i = 0; i < 600; i++) {
      const n = (await jsm.streams.info(stream).catch(() => undefined))?.state.messages ?? 0;
      if (n >= atLeast) return n;
      await sleep(50);
    }
    throw new Error(`${stream} never reached ${atLeast} messages`);
  } finally {
    await nc.close();
  }
}

describe("natskit run after a crash", () => {
  it("demo - SIGKILL of natskit run, then a rerun, stores every unique message exactly once", async () => {
    const a = await admin(server.url);
    try {
      await a.jsm.streams.add({ name: "CK", subjects: ["ck.>"] });
      await new Kvm(a.nc).create("ck");
      const { file, ids } = input("ck", 20_000);
      const cfg = config("ck", file, server.url);

      const first = startCli(["run", cfg, "--json"]);
      const atKill = await waitForStored(server.url, "CK", 3000);
      first.child.kill("SIGKILL");
      await first.done;
      expect(atKill).toBeLessThan(ids.length);

      const rerun = await runCli(["run", cfg, "--json", "--quiet"]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const s = summaryOf(rerun);
      const stored = await storedIds(a.nc, "CK");
      const t = tally(stored, ids);
      expect(t.missing, `missing after the rerun; summary ${JSON.stringify(s)}`).toEqual([]);
      expect(t.duplicated).toEqual([]);
      expect(stored).toHaveLength(ids.length);
      expect(s.failed).toBe(0);
      expect((s.acked as number) + (s.deduplicated as number)).toBe(s.read);
    } finally {
      await a.nc.close();
    }
  }, 120_000);

  it("demo - a double SIGTERM while acks are held up, then a rerun, stores every unique message exactly once", async () => {
    // The server is frozen (SIGSTOP) so the first SIGTERM has acks to wait for; the second one
    // exits at once with messages in doubt, which the server stores once it runs again.
    const own = await startNatsServer();
    const a = await admin(own.url);
    try {
      await a.jsm.streams.add({ name: "CT", subjects: ["ct.>"] });
      await new Kvm(a.nc).create("ct");
      const { file, ids } = input("ct", 20_000);
      const cfg = config("ct", file, own.url);
      const first = startCli(["run", cfg, "--json"]);
      await waitForStored(own.url, "CT", 3000);
      process.kill(own.pid, "SIGSTOP");
      try {
        await sleep(200);
        first.child.kill("SIGTERM");
        for (let i = 0; i < 100 && !first.stderr().includes("waiting up to"); i++) await sleep(50);
        first.child.kill("SIGTERM");
        const killed = await first.done;
        expect(killed.code).toBe(1);
        expect(killed.stderr).toContain("SIGTERM again: exiting without waiting");
      } finally {
        process.kill(own.pid, "SIGCONT");
      }

      const rerun = await runCli(["run", cfg, "--json", "--quiet"]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const stored = await storedIds(a.nc, "CT");
      const t = tally(stored, ids);
      expect(t.missing, `missing after the rerun; ${JSON.stringify(summaryOf(rerun))}`).toEqual([]);
      expect(t.duplicated).toEqual([]);
      expect(stored).toHaveLength(ids.length);
    } finally {
      await a.nc.close();
      await own.stop();
    }
  }, 120_000);

  it("demo - the server down for longer than every retry, then a rerun, stores every unique message exactly once", async () => {
    // Its own server, so it can die: the run's clients give up reconnecting and the run fails
    // whatever it holds, without being able to give a single dedupe key back.
    const own = await startNatsServer();
    const name = "co";
    try {
      let a = await admin(own.url);
      await a.jsm.streams.add({ name: "CO", subjects: ["co.>"] });
      await new Kvm(a.nc).create(name);
      const { file, ids } = input(name, 20_000);
      const cfg = config(name, file, own.url, ["max_reconnects: 1"]);
      const first = startCli(["run", cfg, "--json"]);
      await waitForStored(own.url, "CO", 3000);
      await a.nc.close();
      await own.kill("SIGKILL");
      const failed = await first.done;
      expect(failed.code, failed.stderr).toBe(1);
      const f = summaryOf(failed);
      expect(f.failed as number).toBeGreaterThan(0);
      expect(f.acked as number).toBeLessThan(ids.length);

      await own.restart();
      a = await admin(own.url);
      try {
        const rerun = await runCli(["run", cfg, "--json", "--quiet"]);
        expect(rerun.code, rerun.stderr).toBe(0);
        const stored = await storedIds(a.nc, "CO");
        const t = tally(stored, ids);
        expect(t.missing, `missing after the rerun; ${JSON.stringify(summaryOf(rerun))}`).toEqual([]);
        expect(t.duplicated).toEqual([]);
        expect(stored).toHaveLength(ids.length);
      } finally {
        await a.nc.close();
      }
    } finally {
      await own.stop();
    }
  }, 180_000);

  it("demo - a dedupe key or msg_id that is null fails the message, naming the field", async () => {
    const a = await admin(server.url);
    try {
      await a.jsm.streams.add({ name: "CN", subjects: ["cn.>"] });
      await new Kvm(a.nc).create("cn");
      const file = tmp.write("cn.jsonl", '{"id":"x1"}\n{"n":1}\n{"n":2}\n{"id":""}\n');
      const cfg = config("cn", file, server.url);
      const r = await runCli(["run", cfg, "--json"]);
      expect(r.code, r.stderr).toBe(1);
      expect(summaryOf(r)).toMatchObject({
        read: 4,
        acked: 1,
        failed: 3,
        errors: { DEDUPE_KEY_FAILED: 3 },
      });
      expect(r.stderr).toContain("pipeline.processors[0].dedupe.key: is null");
      expect(r.stderr).toContain("pipeline.processors[0].dedupe.key: is empty");
      expect(r.stderr).toContain("already in the stream 0");

      // Without the dedupe step, the output refuses them itself.
      const plain = tmp.write(
        "cn2.yaml",
        `input:\n  file:\n    paths: ["${file}"]\noutput:\n  nats_jetstream:\n    urls: ["${server.url}"]\n    subject: cn.plain\n    msg_id: '\${! json("id") }'\n`,
      );
      const p = await runCli(["run", plain, "--json"]);
      expect(p.code, p.stderr).toBe(1);
      // x1 is stored already: the stream drops this copy, and the summary says so.
      expect(summaryOf(p)).toMatchObject({
        read: 4,
        acked: 1,
        duplicates: 1,
        failed: 3,
        errors: { INVALID_MSG_ID: 3 },
      });
      // A logfmt value: the quotes of the message are escaped.
      expect(p.stderr).toContain('msg="message failed: field \\"msg_id\\"');
      expect(p.stderr).toContain("already in the stream 1");
      const info = await a.jsm.streams.info("CN", { subjects_filter: ">" });
      expect(info.state.subjects).toEqual({ "cn.events": 1 });
    } finally {
      await a.nc.close();
    }
  });
});
