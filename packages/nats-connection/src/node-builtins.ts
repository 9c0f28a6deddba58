// Node's builtins, taken with process.getBuiltinModule instead of `import … from "node:…"`: an ESM
// import of a builtin builds a facade over all of its exports, which loads fs streams,
// fs/promises and worker_threads — a few milliseconds of import time for code never used here.
export const { createPrivateKey, X509Certificate } = process.getBuiltinModule("node:crypto");
export const { readFileSync } = process.getBuiltinModule("node:fs");
export const { createConnection, isIP } = process.getBuiltinModule("node:net");
export const { homedir } = process.getBuiltinModule("node:os");
export const { checkServerIdentity } = process.getBuiltinModule("node:tls");
export const { inspect } = process.getBuiltinModule("node:util");
