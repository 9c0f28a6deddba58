// Helpers for scripts/release-rehearsal.sh that are awkward in bash. Node built-ins only: this runs
// before anything is installed. Usage: node lib.mjs <command> [args…]; errors go to stderr with a
// non-zero exit.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";

const fail = (message) => {
  console.error(`release-rehearsal: ${message}`);
  process.exit(1);
};

const commands = {
  /** Prints a TCP port that was free on 127.0.0.1 a moment ago. */
  async "free-port"() {
    const server = createServer();
    await new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    console.log(port);
  },

  /** Waits until the registry answers /-/ping, or fails at once when its process has exited. */
  async "wait-ready"(url, pid, timeoutMs = "30000") {
    const deadline = Date.now() + Number(timeoutMs);
    while (Date.now() < deadline) {
      try {
        process.kill(Number(pid), 0);
      } catch {
        fail(`the registry process ${pid} exited before answering ${url}-/ping`);
      }
      try {
        const res = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    fail(`the registry did not answer ${url}-/ping within ${timeoutMs} ms`);
  },

  /** Creates a registry user (the CouchDB user API npm login uses) and prints its token. */
  async "add-user"(url, name, password) {
    const res = await fetch(`${url}-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, password, type: "user", roles: [], date: new Date().toISOString() }),
    });
    const body = await res.text();
    let token;
    try {
      token = JSON.parse(body).token;
    } catch {
      // reported below
    }
    if (!res.ok || typeof token !== "string")
      fail(`creating user '${name}' failed: HTTP ${res.status} ${body}`);
    console.log(token);
  },

  /** Prints `name<TAB>version<TAB>dir` for each publishable (non-private) workspace package. */
  libs(repo) {
    const out = execFileSync("pnpm", ["ls", "-r", "--depth", "-1", "--json"], {
      cwd: repo,
      encoding: "utf8",
    });
    const rows = JSON.parse(out)
      .filter((p) => !p.private && p.path !== repo)
      .map((p) => `${p.name}\t${p.version}\t${relative(repo, p.path)}`)
      .sort();
    if (rows.length === 0) fail(`no publishable workspace package found in ${repo}`);
    console.log(rows.join("\n"));
  },

  /** A field of a package.json: `json-field <file> devDependencies @types/node`. */
  "json-field"(file, ...path) {
    let value = JSON.parse(readFileSync(file, "utf8"));
    for (const key of path) value = value?.[key];
    if (value === undefined) fail(`${file}: no ${path.join(".")}`);
    console.log(typeof value === "string" ? value : JSON.stringify(value));
  },

  /**
   * Checks an installed package directory (the unpacked tarball): the expected name and version,
   * LICENSE, README.md, a CHANGELOG.md with a section for this version, no test files, no
   * `workspace:` ranges left in the manifest. Prints every problem, one a line.
   */
  "check-contents"(dir, name, version) {
    const problems = [];
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (manifest.name !== name) problems.push(`package.json name is '${manifest.name}', expected '${name}'`);
    if (manifest.version !== version)
      problems.push(`package.json version is '${manifest.version}', expected '${version}'`);
    for (const file of ["LICENSE", "README.md", "CHANGELOG.md"]) {
      const p = join(dir, file);
      if (!existsSync(p)) problems.push(`${file} is missing`);
      else if (statSync(p).size === 0) problems.push(`${file} is empty`);
    }
    const changelog = join(dir, "CHANGELOG.md");
    if (existsSync(changelog) && !readFileSync(changelog, "utf8").includes(`## ${version}`)) {
      problems.push(`CHANGELOG.md has no '## ${version}' section`);
    }
    const testFile =
      /(^|\/)(test|tests|__tests__|__mocks__)\/|\.(test|spec|bench)\.[cm]?[jt]sx?(\.map)?$|(^|\/)vitest\.config\./;
    const walk = (d) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules") walk(p);
        } else if (testFile.test(relative(dir, p))) {
          problems.push(`test file in the tarball: ${relative(dir, p)}`);
        }
      }
    };
    walk(dir);
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (String(range).startsWith("workspace:")) problems.push(`${field}.${dep} is still '${range}'`);
      }
    }
    if (problems.length > 0) fail(`${name}@${version} contents:\n  ${problems.join("\n  ")}`);
  },

  /**
   * Prints one line per engine warning in the consumer install logs (`<lib>-<npm|pnpm>-install.log`
   * in `dir`): which dependency wants which Node, under which package manager, for which library.
   */
  "engine-warnings"(dir) {
    const seen = new Map();
    const add = (pm, what, lib) => {
      const key = `${pm}: ${what}`;
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key).add(lib);
    };
    for (const file of readdirSync(dir).sort()) {
      const m = /^(.+)-(npm|pnpm)-install\.log$/.exec(file);
      if (!m) continue;
      const [, lib, pm] = m;
      let pkg = "?";
      for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
        // npm: a multi-line EBADENGINE block with `package:` then `required:`
        const p = /EBADENGINE\s+package: '([^']+)'/.exec(line);
        if (p) pkg = p[1];
        const r = /EBADENGINE\s+required: \{ node: '([^']+)'/.exec(line);
        if (r) add(pm, `${pkg} declares engines.node '${r[1]}'`, lib);
        // pnpm: one line
        if (pm === "pnpm" && /unsupported engine/i.test(line)) add(pm, line.trim().replace(/\s+/g, " "), lib);
      }
    }
    for (const [what, libs] of seen) console.log(`${what} (installing ${[...libs].join(", ")})`);
  },

  /** Prints a tab-separated table (stdin, first line the header) with aligned columns. */
  table() {
    const rows = readFileSync(0, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t"));
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    const line = (r) => `| ${r.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
    console.log(line(rows[0]));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const r of rows.slice(1)) console.log(line(r));
  },
};

const [command, ...args] = process.argv.slice(2);
const run = commands[command];
if (!run) fail(`unknown command '${command}' (one of: ${Object.keys(commands).join(", ")})`);
try {
  await run(...args);
} catch (e) {
  fail(`${command}: ${e instanceof Error ? e.message : String(e)}`);
}
