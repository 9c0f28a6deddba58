// For natskit's own packages only (the demo's `natskit schema`): outside semver.
export { outputConfigSchema } from "./schema.js";
