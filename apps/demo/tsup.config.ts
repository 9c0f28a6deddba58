import { defineConfig } from "tsup";
import { base } from "../../tsup.base.ts";

// A CLI, not a library: one executable entry, no declarations. test-nats is a private workspace
// package that ships TypeScript source only, so `natskit demo` carries the parts it uses.
export default defineConfig({
  ...base,
  entry: ["src/cli.ts"],
  dts: false,
  banner: { js: "#!/usr/bin/env node" },
  noExternal: ["@natskit/test-nats"],
});
