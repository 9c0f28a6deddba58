import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { redactUrl } from "@natskit/nats-connection";
import { type NatsServer, startNatsServer } from "@natskit/test-nats";
import { loadConfig, renderConfigPath } from "./config.js";
import type { Logger } from "./log.js";
import { errorText, type RunStats, runPipeline } from "./run.js";
import { summaryLine } from "./summary.js";

/** The bundled example: `examples/` next to `src/` (from source) or `dist/` (built). */
export const EXAMPLES = {
  config: fileURLToPath(new URL("../examples/demo.yaml", import.meta.url)),
  events: fileURLToPath(new URL("../examples/events.jsonl", import.meta.url)),
};

export interface DemoOptions {
  log: Logger;
  /** An existing server; without it a throwaway nats-server is started. */
  url?: string;
  signal?: AbortSignal;
  onProgress?: (stats: RunStats) => void;
}

export interface DemoResult {
  stats: RunStats;
  /** Stored counts per subject match the unique events of the data set (or, when interrupted, the acks). */
  verified: boolean;
  table: string;
}

interface Expected {
  lines: number;
  perType: Map<string, number>;
  unique: number;
}

/**
 * `natskit demo`: set-up, the bundled config over the bundled events, read-back, summary, clean-up.
 * The NATS calls here are the demo's own set-up and verification; the run itself goes through
 * the packages like any `natskit run`.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { log } = opts;
  const id = randomBytes(4).toString("hex");
  const stream = `NATSKIT_DEMO_${id}`;
  const bucket = `natskit_demo_${id}`;
  // On a shared server the subjects get a unique prefix, so no other stream captures them.
  const prefix = opts.url === undefined ? "events" : `natskit_demo_${id}.events`;

  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    if (opts.url === undefined) {
      log.info("starting a throwaway nats-server");
      server = await startNatsServer();
      log.info(
        `nats-server ${server.version} at ${server.url} (pid ${server.pid}, store ${server.storeDir})`,
      );
    }
    const url = opts.url ?? (server as NatsServer).url;
    nc = await connect({ servers: url, name: "natskit-demo-setup" });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
    cleanups.push(() => jsm.streams.delete(stream));
    await new Kvm(nc).create(bucket, { history: 1 });
    cleanups.push(() => jsm.streams.delete(`KV_${bucket}`));
    log.info(`created stream ${stream} (${prefix}.>) and KV bucket ${bucket}`);

    const { plan, problems } = loadConfig(readFileSync(EXAMPLES.config, "utf8"), {
      NATS_URL: url,
      KV_BUCKET: bucket,
      SUBJECT_PREFIX: prefix,
      EVENTS_FILE: EXAMPLES.events,
    });
    if (!plan)
      throw new Error(
        `the bundled config is invalid: ${problems.map((p) => `${renderConfigPath(p.path)}: ${p.message}`).join("; ")}`,
      );

    const stats = await runPipeline(plan, {
      log,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });

    const expected = expectedCounts(EXAMPLES.events);
    const info = await jsm.streams.info(stream, { subjects_filter: ">" });
    const stored = new Map<string, number>(Object.entries(info.state.subjects ?? {}));
    const first =
      info.state.messages > 0 ? await jsm.streams.getMessage(stream, { seq: info.state.first_seq }) : null;
    const sampleHeaders: string[] = [];
    for (const [k, v] of first?.header ?? []) sampleHeaders.push(`${k}: ${v.join(", ")}`);

    const rows: [string, string, string][] = [];
    let ok = true;
    const subjects = new Set([
      ...[...expected.perType.keys()].map((t) => `${prefix}.${t}`),
      ...stored.keys(),
    ]);
    for (const subject of [...subjects].sort()) {
      const want = expected.perType.get(subject.slice(prefix.length + 1)) ?? 0;
      const got = stored.get(subject) ?? 0;
      if (!stats.interrupted && want !== got) ok = false;
      rows.push([subject, String(want), String(got)]);
    }
    const total = info.state.messages;
    // Interrupted: no loss of what was acked, and nothing stored that was not.
    if (stats.interrupted) ok = total >= stats.acked - stats.duplicates && total <= stats.published;
    else if (total !== expected.unique || stats.failed > 0) ok = false;
    rows.push(["total", String(expected.unique), String(total)]);

    const w = Math.max(...rows.map((r) => r[0].length), "subject".length);
    const line = (a: string, b: string, c: string) => `  ${a.padEnd(w)}  ${b.padStart(8)}  ${c.padStart(8)}`;
    const table = [
      "",
      `natskit demo: ${relative(process.cwd(), EXAMPLES.config) || EXAMPLES.config} over ${expected.lines} events ` +
        `(${expected.unique} unique ids, ${expected.lines - expected.unique} duplicates) → ${redactUrl(url)}`,
      "",
      line("subject", "expected", "stored"),
      ...rows.slice(0, -1).map((r) => line(...r)),
      line("", "--------", "--------"),
      line(...(rows.at(-1) as [string, string, string])),
      "",
      `  ${summaryLine(stats)}`,
      sampleHeaders.length ? `  headers of ${first?.subject}: ${sampleHeaders.join("; ")}` : "",
      `  verified: ${
        ok
          ? stats.interrupted
            ? "interrupted, nothing acked was lost"
            : "every unique event stored once, duplicates dropped"
          : "MISMATCH"
      }`,
      "",
    ].join("\n");
    return { stats, verified: ok, table };
  } finally {
    for (const c of cleanups.reverse())
      await c().catch((e: unknown) => log.warn(`clean-up: ${errorText(e)}`));
    await nc?.close().catch(() => {});
    if (server) {
      await server.stop();
      log.info("stopped the throwaway nats-server and removed its store");
    } else if (cleanups.length > 0) log.info(`removed stream ${stream} and bucket ${bucket}`);
  }
}

/** What the data set should produce: one message per unique id, by type. */
export function expectedCounts(file: string): Expected {
  const seen = new Set<string>();
  const perType = new Map<string, number>();
  let lines = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue;
    lines++;
    const e = JSON.parse(line) as { id: string; type: string };
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
  }
  return { lines, perType, unique: seen.size };
}
