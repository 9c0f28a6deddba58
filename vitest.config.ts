import { defineConfig } from "vitest/config";

// Each package carries its own vitest.config.ts; `vitest run` at the root runs them all.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
  },
});
