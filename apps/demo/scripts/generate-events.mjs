// Writes examples/events.jsonl: the demo's sample data set. Deterministic (seeded), so the
// committed file only changes when this script does. Run: pnpm --filter @natskit/demo examples
import { writeFileSync } from "node:fs";

const TOTAL = 5000;
const DUPLICATE_SHARE = 0.08;
const TYPES = [
  ["page_view", 0.45],
  ["click", 0.3],
  ["add_to_cart", 0.12],
  ["purchase", 0.08],
  ["signup", 0.05],
];
const SOURCES = ["web", "ios", "android"];

// mulberry32: a tiny seeded PRNG.
let seed = 0x5eed;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
function pickType() {
  let r = random();
  for (const [type, share] of TYPES) {
    if (r < share) return type;
    r -= share;
  }
  return TYPES[0][0];
}

const start = Date.parse("2026-01-01T00:00:00Z");
const lines = [];
let next = 1;
while (lines.length < TOTAL) {
  if (lines.length > 10 && random() < DUPLICATE_SHARE) {
    // A producer retry: the same event again, a little later in the file.
    lines.push(lines[lines.length - 1 - Math.floor(random() * Math.min(lines.length - 1, 50))]);
    continue;
  }
  const type = pickType();
  const event = {
    id: `evt-${String(next).padStart(6, "0")}`,
    type,
    source: pick(SOURCES),
    user: `user-${1 + Math.floor(random() * 400)}`,
    ts: new Date(start + next * 1500).toISOString(),
  };
  if (type === "page_view" || type === "click")
    event.path = pick(["/", "/shop", "/shop/item", "/cart", "/help"]);
  if (type === "add_to_cart" || type === "purchase") event.amount = Math.round(random() * 20000) / 100;
  next++;
  lines.push(JSON.stringify(event));
}
const out = new URL("../examples/events.jsonl", import.meta.url);
writeFileSync(out, `${lines.join("\n")}\n`);
const unique = new Set(lines.map((l) => JSON.parse(l).id)).size;
console.log(
  `wrote ${lines.length} events (${unique} unique ids, ${lines.length - unique} duplicates) to examples/events.jsonl`,
);
