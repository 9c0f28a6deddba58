import { defineConfig } from "tsup";
import { base } from "../../tsup.base.ts";

// `./internal`: what only natskit's own packages share (see src/internal.ts). No code splitting:
// each entry is one file, because every extra file costs a user's import more than its bytes do.
// The two entries share no class: `./internal` holds the config schema only.
export default defineConfig({ ...base, entry: ["src/index.ts", "src/internal.ts"], splitting: false });
