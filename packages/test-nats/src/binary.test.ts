import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateNatsServer, repoRoot } from "./binary.js";
import { NATS_SERVER_INSTALL_HINT, NatsServerNotFoundError } from "./errors.js";

const dir = mkdtempSync(join(tmpdir(), "natskit-test-nats-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeBin(name: string, executable = true): string {
  const p = join(dir, name);
  writeFileSync(p, "#!/bin/sh\necho 'nats-server: v2.10.0'\n");
  chmodSync(p, executable ? 0o755 : 0o644);
  return p;
}

describe("binary lookup", () => {
  it("binary - NATS_SERVER_BIN comes first, then PATH, then the fallbacks in order", () => {
    const env = fakeBin("env-nats-server");
    const onPath = join(dir, "path");
    const fallback = fakeBin("fallback-nats-server");
    mkdirSync(onPath, { recursive: true });
    writeFileSync(join(onPath, "nats-server"), "#!/bin/sh\n");
    chmodSync(join(onPath, "nats-server"), 0o755);
    expect(locateNatsServer({ NATS_SERVER_BIN: env, PATH: onPath }, [fallback])).toBe(env);
    expect(locateNatsServer({ PATH: onPath }, [fallback])).toBe(join(onPath, "nats-server"));
    expect(locateNatsServer({ PATH: "/nonexistent" }, ["/nonexistent/x", fallback])).toBe(fallback);
  });

  it("binary - a NATS_SERVER_BIN that is not executable is an error naming it", () => {
    const notExec = fakeBin("not-exec", false);
    expect(() => locateNatsServer({ NATS_SERVER_BIN: notExec }, [])).toThrow(
      `NATS_SERVER_BIN is '${notExec}'`,
    );
  });

  it("binary - nothing found throws the one-line install hint", () => {
    let err: unknown;
    try {
      locateNatsServer({ PATH: "/nonexistent" }, ["/nonexistent/nats-server", dir]);
    } catch (e) {
      err = e;
    }
    expect(NatsServerNotFoundError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe(NATS_SERVER_INSTALL_HINT);
    expect((err as NatsServerNotFoundError).code).toBe("NATS_SERVER_NOT_FOUND");
    expect(NATS_SERVER_INSTALL_HINT).not.toContain("\n");
  });

  it("binary - the repo root is the directory with pnpm-workspace.yaml", () => {
    const root = repoRoot();
    expect(root).toBeDefined();
    expect(existsSync(join(root!, "pnpm-workspace.yaml"))).toBe(true);
  });
});
