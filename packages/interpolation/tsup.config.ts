import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
import { base } from "../../tsup.base.ts";

const distLoader = fileURLToPath(new URL("./src/load-extended.dist.ts", import.meta.url));

// Two entries: the package (`dist/index.js`) and what it loads on first use (`dist/extended.js`,
// see src/extended.ts). The build resolves `./load-extended.js` to its dist form, which requires
// `./extended.js` instead of importing it; what both entries use goes into shared chunks, so
// there is one copy of every class.
export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", extended: "src/extended.ts" },
  dts: { entry: { index: "src/index.ts" } },
  esbuildPlugins: [
    {
      name: "load-extended-on-first-use",
      setup(build) {
        build.onResolve({ filter: /\/load-extended\.js$/ }, () => ({ path: distLoader }));
      },
    },
  ],
});
