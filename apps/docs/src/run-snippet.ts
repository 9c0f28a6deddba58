import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

// An absolute loader URL, so a snippet can run from any working directory.
const TSX = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs"),
).href;

export interface SnippetResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs one snippet file in its own Node.js process, as `npx tsx file.mts` would, with workspace
 * packages resolved to their sources. Killed after `timeoutMs`: a snippet that leaves a
 * connection open never exits, and that is a failure too.
 */
export function runSnippet(
  file: string,
  opts: { cwd: string; timeoutMs: number; env?: Record<string, string> },
): Promise<SnippetResult> {
  const child = spawn(process.execPath, ["--conditions=@natskit/source", "--import", TSX, file], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, opts.timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}
