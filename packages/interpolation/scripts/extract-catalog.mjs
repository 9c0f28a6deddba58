// Extracts the Bloblang reference catalog (every documented function and method, with category,
// status, parameters and examples) into src/reference-catalog.json.
//
// Sources: the generated Bloblang docs of redpanda-data/connect (functions.adoc, methods.adoc),
// which are rendered from the registered specs, and the Go sources of redpanda-data/benthos and
// redpanda-data/connect, read for which engine registers an entry and for its status.
//
//   node scripts/extract-catalog.mjs <benthos git dir> <connect git dir>
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [
  benthosDir = "/work/.mirror/redpanda-data+benthos/repo",
  connectDir = "/work/.mirror/redpanda-data+connect/repo",
] = process.argv.slice(2);

const git = (dir, ...args) =>
  execFileSync("git", ["--git-dir", dir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
const show = (dir, path) => git(dir, "show", `HEAD:${path}`);
const rev = (dir) => git(dir, "rev-parse", "--short=9", "HEAD").trim();

const unescapeHTML = (s) =>
  s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&amp;", "&");

function parseDocs(text, kind) {
  const entries = [];
  let category = "";
  let cur;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("== ")) {
      category = line.slice(3).trim();
      continue;
    }
    const head = /^=== `([a-z0-9_]+)`/.exec(line);
    if (head) {
      cur = { name: head[1], kind, category, params: [], examples: [] };
      entries.push(cur);
      continue;
    }
    if (!cur) continue;
    const param = /^(?:- )?\*`([a-z0-9_]+)`\* <(.*?)> ?(.*)$/.exec(unescapeHTML(line));
    if (param) {
      let type = param[2];
      const optional = type.startsWith("(optional) ");
      if (optional) type = type.slice(11);
      const m = /^(.*?), default `(.*)`$/.exec(type);
      const p = { name: param[1], type: m ? m[1] : type, optional };
      if (m) p.default = m[2];
      cur.params.push(p);
      continue;
    }
    if (line.startsWith("```coffeescript")) {
      const block = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) block.push(lines[i]);
      const mapping = [];
      const io = [];
      for (let j = 0; j < block.length; j++) {
        const b = block[j];
        if (b.startsWith("# In:  ")) {
          const input = b.slice(7);
          if (!block[j + 1]?.startsWith("# Out: ")) continue;
          const out = [block[++j].slice(7)];
          // A multi-line output continues on lines the docs template prefixes with "#      ",
          // twice (its own bug): strip both to get the spec's text back.
          while (block[j + 1]?.startsWith("#      ")) out.push(block[++j].slice(7).replace(/^# {6}/, ""));
          io.push([input, out.join("\n")]);
        } else if (io.length === 0) mapping.push(b);
      }
      while (mapping.length > 0 && mapping[mapping.length - 1].trim() === "") mapping.pop();
      const example = { mapping: mapping.join("\n"), results: io };
      // Specs registered with ExampleNotTested show placeholders (`<signed JWT token>`, keys
      // elided as `... signature data ...`); the reference does not run them either.
      if (example.mapping.includes("... signature data ...") || io.some(([, o]) => /"<[^">]+>"/.test(o)))
        example.untested = true;
      cur.examples.push(example);
    }
  }
  return entries;
}

// Registration sites in Go: the text from a name's registration to the next one.
function registrationBlocks(dir, pathspecs) {
  const files = git(
    dir,
    "grep",
    "-l",
    "-E",
    "Spec\\(|Register(Method|Function)V2|registerIntMethod",
    "HEAD",
    "--",
    ...pathspecs,
  )
    .split("\n")
    .filter((l) => l && !l.endsWith("_test.go"))
    .map((l) => l.replace(/^HEAD:/, ""));
  const start =
    /(?:New(?:Deprecated|Hidden)?(?:Method|Function)Spec\(\s*(?:[A-Za-z.]+,\s*)?|Register(?:Method|Function)V2\(\s*|registerIntMethod\(\s*)"([a-z0-9_]+)"/g;
  const blocks = new Map();
  for (const f of files) {
    const src = show(dir, f);
    const hits = [...src.matchAll(start)];
    hits.forEach((h, k) => {
      const end = k + 1 < hits.length ? hits[k + 1].index : src.length;
      if (!blocks.has(h[1])) blocks.set(h[1], { file: f, text: src.slice(h.index, end) });
    });
  }
  return blocks;
}

const benthos = registrationBlocks(benthosDir, ["internal/bloblang", "internal/impl"]);
const connect = registrationBlocks(connectDir, ["internal/impl"]);

const docs = [
  ...parseDocs(show(connectDir, "docs/modules/guides/pages/bloblang/functions.adoc"), "function"),
  ...parseDocs(show(connectDir, "docs/modules/guides/pages/bloblang/methods.adoc"), "method"),
];

// A method documented under several categories is one entry with all its categories, its
// examples in order.
const byKey = new Map();
for (const e of docs) {
  const key = `${e.kind}:${e.name}`;
  const prev = byKey.get(key);
  if (!prev) {
    byKey.set(key, { ...e, categories: [e.category] });
    continue;
  }
  prev.categories.push(e.category);
  prev.examples.push(...e.examples);
}

const catalog = [...byKey.values()].map(({ category, ...e }) => {
  const b = benthos.get(e.name);
  const c = connect.get(e.name);
  const block = (b ?? c)?.text ?? "";
  let status = "stable";
  if (e.categories.includes("Deprecated") || /\.Deprecated\(\)|NewDeprecated/.test(block))
    status = "deprecated";
  else if (/\.Experimental\(\)/.test(block)) status = "experimental";
  else if (/\.Beta\(\)/.test(block)) status = "beta";
  return {
    name: e.name,
    kind: e.kind,
    categories: e.categories,
    status,
    engine: b ? "benthos" : "connect",
    source: (b ?? c)?.file ?? null,
    params: e.params,
    examples: e.examples,
  };
});
catalog.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "function" ? -1 : 1));

const out = {
  generatedBy: "scripts/extract-catalog.mjs",
  sources: {
    docs: `redpanda-data/connect@${rev(connectDir)} docs/modules/guides/pages/bloblang/{functions,methods}.adoc`,
    benthos: `redpanda-data/benthos@${rev(benthosDir)}`,
  },
  entries: catalog,
};
const target = fileURLToPath(new URL("../src/reference-catalog.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
const count = (k, eng) => catalog.filter((e) => e.kind === k && (!eng || e.engine === eng)).length;
console.log(
  `functions ${count("function")} (benthos ${count("function", "benthos")}), methods ${count("method")} (benthos ${count("method", "benthos")}), examples ${catalog.reduce((n, e) => n + e.examples.reduce((m, x) => m + Math.max(1, x.results.length), 0), 0)}`,
);
