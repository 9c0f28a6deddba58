import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { NATS_SERVER_FEATURES, type NatsServerFeature, skipReason } from "@natskit/test-nats";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CodeBlock,
  expectedOutput,
  installProblems,
  parseReadme,
  pointAt,
  SNIPPET_ADDRESS,
} from "../src/readme.ts";
import { runSnippet } from "../src/run-snippet.ts";
import { SETUPS } from "../src/setups.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LIBRARIES = ["nats-connection", "interpolation", "jetstream-output", "kv-cache"];
// Inside the workspace, so a snippet's imports resolve like this package's own dependencies.
const SNIPPET_DIR = fileURLToPath(new URL("../.snippets/", import.meta.url));
const TIMEOUT_MS = 30_000;

mkdirSync(SNIPPET_DIR, { recursive: true });
const runDir = mkdtempSync(join(SNIPPET_DIR, "run-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

function isFeature(name: string): name is NatsServerFeature {
  return Object.hasOwn(NATS_SERVER_FEATURES, name);
}

/** Why the block cannot run on this nats-server, or `undefined`. */
function serverSkipReason(block: CodeBlock): string | undefined {
  for (const need of block.markers.needs) {
    if (!isFeature(need)) throw new Error(`line ${block.line}: 'needs: ${need}' is not a test-nats feature`);
    const reason = skipReason(need);
    if (reason) return reason;
  }
  return undefined;
}

async function runBlock(readmePath: string, block: CodeBlock): Promise<void> {
  const where = `${relative(ROOT, readmePath)}:${block.line}`;
  const setupName = block.markers.server ?? (block.code.includes(SNIPPET_ADDRESS) ? "jetstream" : undefined);
  const setup = setupName === undefined ? undefined : SETUPS[setupName];
  if (setupName !== undefined && !setup) {
    throw new Error(
      `${where}: unknown server setup '${setupName}' (known: ${Object.keys(SETUPS).join(", ")})`,
    );
  }
  // The working directory holds only what the setup provides: no snippet leans on repository files.
  const cwd = mkdtempSync(join(tmpdir(), "natskit-docs-"));
  const env = setup ? await setup.start(cwd) : undefined;
  try {
    const base = `${relative(join(ROOT, "packages"), readmePath).split("/")[0]}-L${block.line}`;
    const file = join(runDir, `${base}.m${block.lang.startsWith("t") || block.lang === "mts" ? "ts" : "js"}`);
    writeFileSync(file, env ? pointAt(block.code, `${env.server.host}:${env.server.port}`) : block.code);
    const r = await runSnippet(file, { cwd, timeoutMs: TIMEOUT_MS });
    if (r.timedOut || r.exitCode !== 0) {
      const how = r.timedOut
        ? `did not exit within ${TIMEOUT_MS / 1000} s`
        : `exited with code ${r.exitCode}`;
      throw new Error(`${where}: the snippet ${how}\n--- stderr ---\n${r.stderr}--- stdout ---\n${r.stdout}`);
    }
    const expected = expectedOutput(block.code);
    if (expected) {
      const actual = r.stdout.split("\n").map((l) => l.trimEnd());
      while (actual.at(-1) === "") actual.pop();
      expect(actual, `${where}: stdout differs from the // → comments`).toEqual(expected);
    }
  } finally {
    await env?.release();
    rmSync(cwd, { recursive: true, force: true });
  }
}

for (const lib of LIBRARIES) {
  const readmePath = join(ROOT, "packages", lib, "README.md");
  const readme = parseReadme(readFileSync(readmePath, "utf8"));

  describe(`docs - ${lib} README`, () => {
    it(`docs - ${lib} README: every install line lists what the snippets after it import`, () => {
      expect(readme.blocks.length).toBeGreaterThan(0);
      expect(installProblems(readme)).toEqual([]);
    });

    for (const block of readme.blocks) {
      const notRunnable = block.markers.notRunnable;
      if (notRunnable !== undefined) {
        it.skip(`docs - ${lib} README.md:${block.line} is not runnable: ${notRunnable}`, () => {});
        continue;
      }
      const reason = serverSkipReason(block);
      const name = `docs - ${lib} README.md:${block.line} runs${reason ? ` (skipped: ${reason})` : ""}`;
      it(name, async (ctx) => {
        if (reason) {
          console.log(`${lib}/README.md:${block.line}: skipped: ${reason}`);
          ctx.skip(reason);
        }
        await runBlock(readmePath, block);
      });
    }
  });
}
