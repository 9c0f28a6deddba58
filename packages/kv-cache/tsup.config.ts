import { defineConfig } from "tsup";
import { base } from "../../tsup.base.ts";

// `./internal`: what only natskit's own packages share (see src/internal.ts).
export default defineConfig({ ...base, entry: ["src/index.ts", "src/internal.ts"] });
