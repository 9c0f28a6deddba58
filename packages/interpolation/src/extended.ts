// What the package loads on first use (the built package ships it as `dist/extended.js`, see
// ./load-extended.dist.ts): about two thirds of the catalog's code, which the interpolated
// strings of most configs never call.

export { compareArgon2 } from "./argon2.js";
export { compareBcrypt } from "./bcrypt.js";
export { fakeGenerator } from "./fake.js";
export { cleanPath } from "./formats.js";
export { extendedMethods } from "./methods/extended.js";
export { slugify, stripHTML } from "./text.js";
export { parseLayout } from "./time.js";
