import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";

// Everything this process started and has not released yet. `process.on("exit")` releases it
// synchronously; a watchdog child releases it when this process dies without running exit
// handlers (SIGKILL, a vitest worker torn down by signal).
const pids = new Set<number>();
const dirs = new Set<string>();

let installed = false;
let watchdog: ChildProcess | undefined;

// Runs in a separate node process. It only reads stdin; EOF means our process is gone (or has
// exited normally, in which case everything listed is already released and the checks are no-ops).
const WATCHDOG = `
const fs = require("node:fs");
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => {});
const pids = new Set(), dirs = new Set();
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    let m; try { m = JSON.parse(line); } catch { continue; }
    const set = m.pid !== undefined ? pids : dirs, v = m.pid ?? m.dir;
    if (m.op === "+") set.add(v); else set.delete(v);
  }
});
process.stdin.on("end", () => {
  for (const pid of pids) {
    let comm = "";
    try { comm = fs.readFileSync("/proc/" + pid + "/comm", "utf8"); } catch { comm = "nats-server"; }
    if (comm.includes("nats-server")) { try { process.kill(pid, "SIGKILL"); } catch {} }
  }
  setTimeout(() => {
    for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, pids.size > 0 ? 300 : 0);
});
`;

function tell(msg: Record<string, unknown>): void {
  try {
    watchdog?.stdin?.write(`${JSON.stringify(msg)}\n`);
  } catch {
    // The watchdog is best effort; the exit handler still runs in the normal case.
  }
}

function startWatchdog(): void {
  try {
    const child = spawn(process.execPath, ["-e", WATCHDOG], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true, // own process group: a Ctrl-C to ours must not kill it before it cleans up
      env: { PATH: process.env.PATH ?? "" }, // no NODE_OPTIONS loaders from the test runner
    });
    child.on("error", () => {
      watchdog = undefined;
    });
    child.stdin?.on("error", () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog = child;
  } catch {
    watchdog = undefined;
  }
}

/** Kills every tracked server with SIGKILL and removes every tracked temp dir, synchronously. */
export function releaseAllSync(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  pids.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort at exit
    }
  }
  dirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  releaseAllSync();
  // We only take over the default "terminate" behaviour when nobody else handles the signal.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", releaseAllSync);
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, onSignal);
  startWatchdog();
}

export function trackPid(pid: number): void {
  install();
  pids.add(pid);
  tell({ op: "+", pid });
}

export function untrackPid(pid: number): void {
  pids.delete(pid);
  tell({ op: "-", pid });
}

export function trackDir(dir: string): void {
  install();
  dirs.add(dir);
  tell({ op: "+", dir });
}

export function untrackDir(dir: string): void {
  dirs.delete(dir);
  tell({ op: "-", dir });
}

/**
 * The server PIDs and temp dirs this process started and has not released yet. Empty after every
 * server, cluster and PKI was stopped/removed; assert that in an `afterAll` to catch leaks.
 */
export function trackedResources(): { pids: number[]; dirs: string[] } {
  return { pids: [...pids], dirs: [...dirs] };
}
