import * as extended from "./extended.js";

// The source form, used by the tests and by anything that runs src/ directly: a static import.
// The build swaps in ./load-extended.dist.ts (see tsup.config.ts), which loads dist/extended.js
// on first use instead.
export function loadExtended(): typeof extended {
  return extended;
}
