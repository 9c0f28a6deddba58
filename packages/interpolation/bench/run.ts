// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
/**
 * Evaluations per second of common interpolations, each beside a hand-written function doing the
 * same work in the same run. Run with `pnpm --filter @natskit/interpolation bench`.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { RE2JS } from "re2js";
import { compileInterpolation, createMessage, type Message } from "../src/index.js";

interface Case {
  readonly name: string;
  /** Builds the input for one evaluation (run inside the timed loop when `fresh`). */
  readonly input: () => Message;
  readonly fresh: boolean;
  readonly engine: (m: Message) => string;
  readonly baseline: (m: Message) => string;
}

const BODY = JSON.stringify({
  id: "a6f1e2c4-9b1d-4c47-8d2a-0e5b7f3c1a99",
  user: { id: 12345, name: "ada lovelace", email: "ada@example.com", roles: ["admin", "dev"] },
  event: { type: "order.created", at: "2024-05-01T12:34:56.789Z", amount: 42.5, currency: "EUR" },
});

const META = { kafka_topic: "orders", kafka_key: "k-123", kafka_partition: 7, region: "eu-west-1" };

function runFor(ms: number, fn: () => void): number {
  // Calibrate a batch size that takes ~2 ms, then count batches until `ms` elapse.
  let batch = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t0 > 2) break;
    batch *= 2;
  }
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

let sink = 0;

/** Interleaves engine and baseline runs so machine noise hits both alike; returns medians. */
function measure(c: Case, runs: number, ms: number): { engine: number; baseline: number } {
  const engine: number[] = [];
  const baseline: number[] = [];
  const fixed = c.fresh ? undefined : c.input();
  const loop = (fn: (m: Message) => string) =>
    fixed === undefined
      ? () => {
          sink += fn(c.input()).length;
        }
      : () => {
          sink += fn(fixed).length;
        };
  const e = loop(c.engine);
  const b = loop(c.baseline);
  for (let r = 0; r < runs; r++) {
    engine.push(runFor(ms, e));
    baseline.push(runFor(ms, b));
  }
  return { engine: median(engine), baseline: median(baseline) };
}

const staticExpr = compileInterpolation("nats.subject.static");
const metaExpr = compileInterpolation('foo.${! meta("kafka_topic") }');
const jsonExpr = compileInterpolation('${! json("user.name").uppercase() }');
const headers = {
  "X-Topic": compileInterpolation('${! meta("kafka_topic") }'),
  "X-Partition": compileInterpolation("${! @kafka_partition }"),
  "X-User": compileInterpolation('${! json("user.id") }'),
  "X-Event": compileInterpolation('event.${! json("event.type") }'),
  "X-Region": compileInterpolation('${! meta("region").or("unknown") }'),
};
const headerEntries = Object.entries(headers);
const regexExpr = compileInterpolation('${! json("event.at").re_replace_all("[0-9]+", "#") }');
// The same work by hand is a direct call of the same RE2 engine; JavaScript's RegExp is measured
// beside it for reference only (it is faster but not linear-time, and not RE2).
const re2Digits = (createRequire(import.meta.url)("re2js") as { RE2JS: typeof RE2JS }).RE2JS.compile(
  "[0-9]+",
).re2();
const jsDigits = /[0-9]+/g;

const decoder = new TextDecoder();
const upperASCII = (s: string) => s.toUpperCase();

const cases: Case[] = [
  {
    name: "static string",
    input: () => createMessage(BODY, { metadata: META }),
    fresh: false,
    engine: (m) => staticExpr.evaluate(m),
    baseline: () => "nats.subject.static",
  },
  {
    name: 'foo.${! meta("kafka_topic") }',
    input: () => createMessage(BODY, { metadata: META }),
    fresh: false,
    engine: (m) => metaExpr.evaluate(m),
    baseline: (m) => {
      const v = m.getMeta("kafka_topic");
      return "foo." + (v === undefined || v === "" ? "null" : String(v));
    },
  },
  {
    name: '${! json("user.name").uppercase() } (fresh message)',
    input: () => createMessage(new TextEncoder().encode(BODY)),
    fresh: true,
    engine: (m) => jsonExpr.evaluate(m),
    baseline: (m) => {
      const body = JSON.parse(decoder.decode(m.content)) as { user?: { name?: unknown } };
      const name = body.user?.name;
      if (typeof name !== "string") throw new Error("expected string");
      return upperASCII(name);
    },
  },
  {
    name: "5-header set (fresh message)",
    input: () => createMessage(new TextEncoder().encode(BODY), { metadata: META }),
    fresh: true,
    engine: (m) => {
      let total = "";
      for (const [k, e] of headerEntries) total += k + e.evaluate(m);
      return total;
    },
    baseline: (m) => {
      const body = JSON.parse(decoder.decode(m.content)) as {
        user?: { id?: unknown };
        event?: { type?: unknown };
      };
      const topic = m.getMeta("kafka_topic");
      const region = m.getMeta("region");
      let total = "";
      total += "X-Topic" + (topic === undefined || topic === "" ? "null" : String(topic));
      total += "X-Partition" + String(m.getMeta("kafka_partition") ?? "null");
      total += "X-User" + String(body.user?.id ?? "null");
      total += "X-Event" + "event." + String(body.event?.type ?? "null");
      total += "X-Region" + (region === undefined || region === "" ? "unknown" : String(region));
      return total;
    },
  },
  {
    name: '${! json("event.at").re_replace_all("[0-9]+", "#") }',
    input: () => createMessage(BODY),
    fresh: false,
    engine: (m) => regexExpr.evaluate(m),
    baseline: (m) => {
      const body = m.structured();
      if (!body.ok) throw new Error("expected JSON");
      const at = (body.value as { event?: { at?: unknown } }).event?.at;
      if (typeof at !== "string") throw new Error("expected string");
      return re2Digits.replaceAll(at, "#");
    },
  },
];

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k/s`;
  return `${n.toFixed(0)} /s`;
}

const quick = process.argv.includes("--quick");
const RUNS = quick ? 3 : 7;
const MS = quick ? 150 : 400;

// Warm-up: every path, long enough for the JIT to settle.
for (const c of cases) measure(c, 2, 200);

const rows: string[][] = [["case", "engine", "hand-written", "overhead"]];
const results: { name: string; engine: number; baseline: number }[] = [];
for (const c of cases) {
  const { engine, baseline } = measure(c, RUNS, MS);
  results.push({ name: c.name, engine, baseline });
  rows.push([c.name, fmt(engine), fmt(baseline), `${(baseline / engine).toFixed(2)}×`]);
}

{
  const m = createMessage(BODY);
  const at = (m.structured() as { value: { event: { at: string } } }).value.event.at;
  const js = median(
    Array.from({ length: RUNS }, () =>
      runFor(MS, () => {
        sink += at.replace(jsDigits, "#").length;
      }),
    ),
  );
  rows.push(["  for reference: the same replace with JavaScript's RegExp", "", fmt(js), ""]);
}

// Import cost of the built package beside the raw NATS client's, fresh processes, same run.
let importRatio: number | undefined;
try {
  const script = fileURLToPath(new URL("../../../scripts/import-cost.mjs", import.meta.url));
  const out = execFileSync(process.execPath, [script, "--runs", "11", "--only", "interpolation", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { rows: r } = JSON.parse(out) as { rows: { package: string; ms: number; ratio: number }[] };
  const base = r.find((x) => x.package === "@nats-io/transport-node");
  const own = r.find((x) => x.package === "@natskit/interpolation");
  if (base && own) {
    importRatio = own.ratio;
    rows.push([
      "import (dist/, median of 11 fresh processes) vs @nats-io/transport-node",
      `${own.ms.toFixed(1)} ms`,
      `${base.ms.toFixed(1)} ms`,
      `${own.ratio.toFixed(2)}×`,
    ]);
  }
} catch (e) {
  rows.push([
    `import cost not measured (run \`pnpm build\` first): ${(e as Error).message.split("\n")[0]}`,
    "",
    "",
    "",
  ]);
}

const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
const load = loadavg().map((l) => l.toFixed(2));
console.log(
  `node ${process.version}, ${RUNS} runs × ${MS} ms per measurement, medians; load average ${load.join(" ")}`,
);
console.log(line(rows[0] as string[]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows.slice(1)) console.log(line(r));
const meta = results[1];
const json = results[2];
const met = (ok: boolean | undefined) => (ok ? "met" : "NOT met");
console.log("");
console.log(
  [
    `targets: meta interpolation >= 25 M/s on an idle machine: ${met(meta && meta.engine >= 25e6)}`,
    `meta <= 1.2x hand-written: ${met(meta && meta.baseline / meta.engine <= 1.2)}`,
    `json field <= 3x: ${met(json && json.baseline / json.engine <= 3)}`,
    `import <= 1.5x the raw client: ${importRatio === undefined ? "not measured" : met(importRatio <= 1.5)}`,
  ].join("; "),
);
if (sink === 42) console.log("");
