import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type NatsServer, repoRoot, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const exec = promisify(execFile);
const ROOT = repoRoot() as string;
const LIBS = {
  "nats-connection": "connectNats",
  interpolation: "defaultEnvironment",
  "jetstream-output": "JetStreamOutput",
  "kv-cache": "KvCache",
} as const;
type Lib = keyof typeof LIBS;
const NAMES = Object.keys(LIBS) as Lib[];

// A user's project: the four packed tarballs installed with npm, outside the workspace.
const project = tempDir();
const tarballs = join(project.dir, "tarballs");
let server: NatsServer;

async function node(args: string[], env: Record<string, string> = {}) {
  return await exec(process.execPath, args, {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? project.dir, ...env },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  const filters = NAMES.flatMap((n) => ["--filter", `@natskit/${n}`]);
  await exec("pnpm", [...filters, "run", "build"], { cwd: ROOT, timeout: 240_000 });
  mkdirSync(tarballs);
  const deps: Record<string, string> = {};
  for (const n of NAMES) {
    await exec("pnpm", ["pack", "--pack-destination", tarballs], {
      cwd: join(ROOT, "packages", n),
      timeout: 60_000,
    });
    const file = readdirSync(tarballs).find((f) => f.startsWith(`natskit-${n}-`) && f.endsWith(".tgz"));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${n}`);
    deps[`@natskit/${n}`] = `file:./tarballs/${file}`;
  }
  writeFileSync(
    join(project.dir, "package.json"),
    JSON.stringify({
      name: "natskit-user",
      private: true,
      type: "module",
      dependencies: { ...deps, "@nats-io/jetstream": "^3.4.0" },
      // `pnpm pack` rewrote workspace:^ to ^0.0.0: point those at the tarballs, not the registry.
      overrides: deps,
    }),
  );
  await exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: project.dir,
    timeout: 300_000,
  });
  server = await startNatsServer();
}, 600_000);

afterAll(async () => {
  await server?.stop();
  project.remove();
});

function manifest(name: string): {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(project.dir, "node_modules", name, "package.json"), "utf8"));
}

describe("packages as a user installs them", () => {
  it("demo - each library depends only on what it needs", () => {
    const natskitDeps = (n: Lib) =>
      Object.keys(manifest(`@natskit/${n}`).dependencies ?? {}).filter((d) => d.startsWith("@natskit/"));
    expect(natskitDeps("nats-connection")).toEqual([]);
    expect(natskitDeps("interpolation")).toEqual([]);
    expect(natskitDeps("kv-cache")).toEqual(["@natskit/nats-connection"]);
    expect(natskitDeps("jetstream-output").sort()).toEqual([
      "@natskit/interpolation",
      "@natskit/nats-connection",
    ]);
    for (const n of ["nats-connection", "kv-cache"] as const) {
      const peers = Object.keys(manifest(`@natskit/${n}`).peerDependencies ?? {});
      expect(peers.filter((d) => d.startsWith("@natskit/"))).toEqual([]);
    }
    for (const n of NAMES) {
      const deps = manifest(`@natskit/${n}`).dependencies ?? {};
      for (const [d, range] of Object.entries(deps)) expect(range, `${n} → ${d}`).not.toMatch(/^workspace:/);
    }
  });

  it("demo - each tarball carries the MIT license and is published publicly", () => {
    for (const n of NAMES) {
      const dir = join(project.dir, "node_modules", "@natskit", n);
      expect(readFileSync(join(dir, "LICENSE"), "utf8"), n).toMatch(/^MIT License/);
      const m = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        license?: string;
        publishConfig?: { access?: string };
      };
      expect(m.license).toBe("MIT");
      expect(m.publishConfig?.access).toBe("public");
    }
  });

  it("demo - each library imports on its own as ESM", async () => {
    for (const n of NAMES) {
      const { stdout } = await node([
        "--input-type=module",
        "-e",
        `const m = await import("@natskit/${n}"); console.log(typeof m.${LIBS[n]});`,
      ]);
      expect(stdout.trim(), n).toBe("function");
    }
  });

  it("demo - each library loads with require() from CommonJS", async () => {
    const cjs = join(project.dir, "check.cjs");
    writeFileSync(
      cjs,
      `const names = ${JSON.stringify(LIBS)};
for (const [n, exp] of Object.entries(names)) {
  const m = require("@natskit/" + n);
  if (typeof m[exp] !== "function") throw new Error(n + ": " + exp + " missing");
}
console.log("ok");`,
    );
    const { stdout } = await node(["--no-warnings", cjs]);
    expect(stdout.trim()).toBe("ok");
  });

  it("demo - an installed project publishes and round-trips a cache value against a real server", async () => {
    const smoke = join(project.dir, "smoke.mjs");
    writeFileSync(
      smoke,
      `import { jetstreamManager } from "@nats-io/jetstream";
import { createMessage } from "@natskit/interpolation";
import { JetStreamOutput } from "@natskit/jetstream-output";
import { KvCache, KeyExistsError } from "@natskit/kv-cache";
import { connectNats } from "@natskit/nats-connection";

const url = process.env.NATS_URL;
const client = await connectNats({ urls: [url] });
const jsm = await jetstreamManager(client.nc);
await jsm.streams.add({ name: "SMOKE", subjects: ["smoke.>"] });

const out = new JetStreamOutput({ urls: [url], subject: 'smoke.\${! meta("kind") }', headers: { "X-Kind": '\${! meta("kind") }' } }, { label: "smoke" });
await out.connect();
const ack = await out.write(createMessage('{"hello":"world"}', { metadata: { kind: "greeting" } }));
await out.close();
const stored = await jsm.streams.getMessage("SMOKE", { seq: ack.seq });

const cache = await KvCache.fromConfig({ urls: [url], bucket: "smoke", create_bucket: true }, { label: "smoke-cache" });
await cache.set("k", "v1");
const got = new TextDecoder().decode(await cache.get("k"));
let exists = false;
try { await cache.add("k", "v2"); } catch (e) { exists = KeyExistsError.isInstance(e); }
await cache.close();
await client.close();
console.log(JSON.stringify({ seq: ack.seq, subject: stored.subject, header: stored.header.get("X-Kind"), body: stored.string(), got, exists }));
`,
    );
    const { stdout } = await node([smoke], { NATS_URL: server.url });
    expect(JSON.parse(stdout.trim())).toEqual({
      seq: 1,
      subject: "smoke.greeting",
      header: "greeting",
      body: '{"hello":"world"}',
      got: "v1",
      exists: true,
    });
  });
});
