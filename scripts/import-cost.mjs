#!/usr/bin/env node
// How long importing each library's built dist takes, next to the raw NATS client.
//
//   node scripts/import-cost.mjs [--runs 21] [--max-ratio 1.5] [--only interpolation,kv-cache] [--json]
//
// Every sample is a fresh `node` process that times `await import(url)` from inside (so node's
// own start-up is not counted); packages take turns so a busy machine slows all of them alike.
// Prints the median per package and its ratio to `@nats-io/transport-node`; with --max-ratio,
// exits 1 when a package is above it; --only measures some libraries (the baseline always);
// --json prints the rows as JSON instead of a table (the package benches use it). Run
// `pnpm build` first: this measures dist/, not src/.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const runs = option("--runs", 21);
const maxRatio = option("--max-ratio", undefined);
const onlyAt = args.indexOf("--only");
const only = onlyAt === -1 ? undefined : String(args[onlyAt + 1]).split(",");
const json = args.includes("--json");

const LIBRARIES = ["nats-connection", "interpolation", "jetstream-output", "kv-cache"].filter(
  (lib) => only === undefined || only.includes(lib),
);
const BASELINE = "@nats-io/transport-node";

// Imported by name from nats-connection's folder, which depends on it, as a user's app would.
const targets = [{ name: BASELINE, url: BASELINE, cwd: join(root, "packages/nats-connection") }];
for (const lib of LIBRARIES) {
  const file = join(root, "packages", lib, "dist/index.js");
  if (!existsSync(file)) {
    console.error(`${file} is missing: run \`pnpm build\` first`);
    process.exit(2);
  }
  targets.push({ name: `@natskit/${lib}`, url: pathToFileURL(file).href, cwd: root });
}

const probe = (url) =>
  `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;

function sample({ url, cwd }) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe(url)], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return Number(out);
}

// One warm-up round fills the OS file cache.
for (const t of targets) sample(t);
const samples = new Map(targets.map((t) => [t.name, []]));
for (let i = 0; i < runs; i++) for (const t of targets) samples.get(t.name).push(sample(t));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const base = median(samples.get(BASELINE));
const rows = targets.map((t) => {
  const ms = median(samples.get(t.name));
  return { package: t.name, ms, ratio: ms / base };
});

if (json) {
  console.log(JSON.stringify({ node: process.version, runs, rows }));
  process.exit(0);
}
const width = Math.max(...rows.map((r) => r.package.length));
console.log(`import cost, median of ${runs} fresh processes (node ${process.version})`);
console.log(`${"package".padEnd(width)}  median ms  ratio`);
for (const r of rows) {
  console.log(
    `${r.package.padEnd(width)}  ${r.ms.toFixed(1).padStart(9)}  ${r.ratio.toFixed(2).padStart(5)}`,
  );
}
if (maxRatio !== undefined) {
  const over = rows.filter((r) => r.ratio > maxRatio);
  if (over.length > 0) {
    console.error(`over ${maxRatio}x ${BASELINE}: ${over.map((r) => r.package).join(", ")}`);
    process.exit(1);
  }
}
