// For natskit's own packages only (the demo's `natskit schema`): outside semver.
export { kvCacheConfigSchema } from "./config.js";
