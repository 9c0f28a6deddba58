import { defineConfig } from "tsup";
import { loadingOnFirstUse } from "../../tsup.base.ts";

// `dist/extended.js`: the method categories loaded on first use (see src/extended.ts).
export default defineConfig(loadingOnFirstUse({ extended: "src/extended.ts" }));
