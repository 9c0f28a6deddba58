import type { FunctionImpl } from "../registry.js";
import { deprecatedFunctions } from "./deprecated.js";
import { environmentFunctions } from "./environment.js";
import { fakeFunctions } from "./fake.js";
import { generalFunctions } from "./general.js";
import { messageInfoFunctions } from "./message-info.js";

/**
 * The built-in functions, a fresh list per environment. Each category of the reference has its
 * file here; a new function is one entry in the file of its category.
 */
export function builtinFunctions(): FunctionImpl[] {
  return [
    ...messageInfoFunctions(),
    ...generalFunctions(),
    ...environmentFunctions(),
    ...deprecatedFunctions(),
    ...fakeFunctions(),
  ];
}
