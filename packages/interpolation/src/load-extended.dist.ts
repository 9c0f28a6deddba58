import { createRequire } from "./node-builtins.js";

type Extended = typeof import("./extended.js");
let loaded: Extended | undefined;

// The built form of ./load-extended.ts: dist/extended.js, loaded on first use with require(esm)
// (unflagged on every Node this package supports). It imports the same chunks as the module that
// loaded the package, so its values and errors are the same classes.
export function loadExtended(): Extended {
  loaded ??= createRequire(import.meta.url)("./extended.js") as Extended;
  return loaded;
}
