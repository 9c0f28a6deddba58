import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

/** Resolve workspace packages to their TypeScript sources, so tests never need a prior build. */
const conditions = ["@natskit/source", "import", "module", "node", "default"];
/** Checks the Node.js version the tests run on when scripts/test-node.sh asks for one. */
const nodeCheck = fileURLToPath(new URL("./scripts/vitest-node-check.ts", import.meta.url));

export function natskitProject(name: string, opts: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      environment: "node",
      setupFiles: [nodeCheck],
      testTimeout: opts.testTimeout ?? 30_000,
      hookTimeout: 60_000,
    },
  });
}
