// What the package loads on first use (the built package ships it as `dist/extended.js`, see
// ./load-extended.dist.ts): about two thirds of the catalog's code, which the interpolated
// strings of most configs never call.
export { extendedMethods } from "./methods/extended.js";
export { parseLayout } from "./time.js";
