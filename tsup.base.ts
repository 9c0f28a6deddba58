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
