// Node's builtins, taken with process.getBuiltinModule instead of `import … from "node:…"`: an ESM
// import of a builtin builds a facade over all of its exports, which loads fs streams,
// fs/promises and worker_threads — a few milliseconds of import time for code never used here.
export const {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  getRandomValues,
  randomUUID,
  sign: cryptoSign,
  timingSafeEqual,
  verify: cryptoVerify,
} = process.getBuiltinModule("node:crypto");
export const { readFileSync } = process.getBuiltinModule("node:fs");
export const { hostname } = process.getBuiltinModule("node:os");
export const { createRequire } = process.getBuiltinModule("node:module");
