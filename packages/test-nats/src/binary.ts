import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NatsServerNotFoundError } from "./errors.js";

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The monorepo root: the nearest ancestor of this file that holds `pnpm-workspace.yaml`. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Path of the nats-server binary to run. Looks at, in order: `NATS_SERVER_BIN`, `nats-server` on
 * `PATH`, `/usr/sbin/nats-server`, `<repo root>/.tools/usr/sbin/nats-server` (where
 * `scripts/ensure-nats-server.sh` unpacks it without root).
 *
 * @throws {NatsServerNotFoundError} when none is found (the message is the install hint), or when
 *   `NATS_SERVER_BIN` is set but is not an executable file.
 */
export function findNatsServer(): string {
  const root = repoRoot();
  const fallbacks = ["/usr/sbin/nats-server"];
  if (root !== undefined) fallbacks.push(join(root, ".tools", "usr", "sbin", "nats-server"));
  return locateNatsServer(process.env, fallbacks);
}

/** {@link findNatsServer} with the environment and the fixed fallback paths as parameters. */
export function locateNatsServer(
  env: { NATS_SERVER_BIN?: string | undefined; PATH?: string | undefined },
  fallbacks: readonly string[],
): string {
  const fromEnv = env.NATS_SERVER_BIN;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (isExecutableFile(fromEnv)) return fromEnv;
    throw new NatsServerNotFoundError(
      `nats-server not found: NATS_SERVER_BIN is '${fromEnv}', which is not an executable file`,
    );
  }
  const candidates: string[] = [];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "") candidates.push(join(dir, "nats-server"));
  }
  candidates.push(...fallbacks);
  for (const c of candidates) {
    if (isExecutableFile(c)) return c;
  }
  throw new NatsServerNotFoundError();
}
