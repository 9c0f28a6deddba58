import { Kvm } from "@nats-io/kv";
import { startNatsCluster } from "@natskit/test-nats";
import { describe, expect, it } from "vitest";
import { admin, readStream, sleep, startCli, summaryOf, tempDir } from "./helpers.js";

describe("natskit run on a cluster", () => {
  it("demo - a 3-node cluster losing a node mid-run completes with zero loss", async () => {
    const cluster = await startNatsCluster();
    const tmp = tempDir();
    const a = await admin(cluster.urls);
    try {
      await a.jsm.streams.add({ name: "CL", subjects: ["cl.>"], num_replicas: 3 });
      await new Kvm(a.nc).create("cl_seen", { replicas: 3 });
      await cluster.waitForJetStreamReady();
      const total = 8000;
      const dups = 500;
      // Ids 1..total, then `dups` repeats: the unique count is `total`.
      const cfg = tmp.write(
        "cl.yaml",
        `input:
  generate:
    count: ${total + dups}
    interval: ""
    content: '{"id":\${! counter() % ${total} },"type":"x"}'
pipeline:
  processors:
    - dedupe:
        cache: seen
        key: '\${! json("id") }'
cache_resources:
  - label: seen
    nats_kv:
      urls: ${JSON.stringify(cluster.urls)}
      bucket: cl_seen
      max_reconnects: -1
      operation_timeout: 10s
output:
  label: cl_out
  nats_jetstream:
    urls: ${JSON.stringify(cluster.urls)}
    subject: cl.x
    max_reconnects: -1
    ack_timeout: 2s
    msg_id: '\${! json("id") }'
`,
      );
      const run = startCli(["run", cfg, "--json", "--log-level", "debug"]);
      for (let i = 0; i < 200; i++) {
        const info = await a.jsm.streams.info("CL").catch(() => undefined);
        if ((info?.state.messages ?? 0) > 1500) break;
        await sleep(50);
      }
      // A node that leads the bucket (and the stream, when one node leads both): losing it forces
      // leader elections mid-run, for the dedupe cache and the output alike.
      const kvLeader = (await a.jsm.streams.info("KV_cl_seen")).cluster?.leader;
      const streamLeader = (await a.jsm.streams.info("CL")).cluster?.leader;
      const victim = cluster.servers.find((s) => s.serverName === kvLeader) ?? cluster.servers[0];
      console.info(
        `killing ${victim?.serverName} (bucket leader ${kvLeader}, stream leader ${streamLeader})`,
      );
      const atKill = (await a.jsm.streams.info("CL")).state.messages;
      expect(run.child.exitCode, "the run must still be going when the node dies").toBeNull();
      await victim?.kill("SIGKILL");
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      const s = summaryOf(r);
      expect(s).toMatchObject({ read: total + dups, failed: 0, interrupted: false });
      expect((s.acked as number) + (s.deduplicated as number)).toBe(total + dups);

      await cluster.waitForJetStreamReady();
      const stored = await readStream(a.jsm, "CL");
      expect(atKill).toBeLessThan(total);
      expect(stored.length, JSON.stringify(s)).toBe(total);
      expect(new Set(stored.map((m) => m.data)).size).toBe(total);
    } finally {
      await a.nc.close();
      await cluster.stop();
      tmp.remove();
    }
  }, 180_000);
});
