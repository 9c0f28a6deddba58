import { join } from "node:path";
import type { Options } from "tsup";

/**
 * The one build config every library shares. Only options that also exist in tsdown, so a
 * switch later is a one-file change.
 */
export const base: Options = {
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
};

/**
 * A build whose package loads some of its code on first use. `lazy` names the entries built
 * beside `index` (e.g. `{ extended: "src/extended.ts" }` → `dist/extended.js`); the source reaches
 * them through a `load-<name>.ts` module that imports them statically (what the tests run), and
 * the build resolves every `./load-<name>.js` import to its sibling `load-<name>.dist.ts`, which
 * `require()`s the built entry instead. What both sides use goes into shared chunks, so there is
 * one copy of every class.
 */
export function loadingOnFirstUse(lazy: Record<string, string>, options: Options = {}): Options {
  return {
    ...base,
    ...options,
    entry: { index: "src/index.ts", ...lazy },
    dts: { entry: { index: "src/index.ts" } },
    esbuildPlugins: [
      {
        name: "load-on-first-use",
        setup(build) {
          build.onResolve({ filter: /\/load-[\w-]+\.js$/ }, (args) => ({
            path: join(args.resolveDir, args.path.replace(/\.js$/, ".dist.ts")),
          }));
        },
      },
    ],
  };
}
