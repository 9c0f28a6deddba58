import type { MethodImpl } from "../registry.js";
import { coercionMethods } from "./coercion.js";
import { deprecatedMethods } from "./deprecated.js";
import { encodingMethods } from "./encoding.js";
import { generalMethods } from "./general.js";
import { jwtMethods } from "./jwt.js";
import { numberMethods } from "./numbers.js";
import { objectArrayMethods } from "./objects-arrays.js";
import { parsingMethods } from "./parsing.js";
import { regexpMethods } from "./regexp.js";
import { stringMethods } from "./strings.js";
import { timeMethods } from "./time.js";

/**
 * The built-in methods, a fresh list per environment. Each category of the reference has its
 * file here; a new method is one entry in the file of its category.
 */
export function builtinMethods(): MethodImpl[] {
  return [
    ...generalMethods(),
    ...coercionMethods(),
    ...numberMethods(),
    ...objectArrayMethods(),
    ...stringMethods(),
    ...regexpMethods(),
    ...parsingMethods(),
    ...encodingMethods(),
    ...jwtMethods(),
    ...timeMethods(),
    ...deprecatedMethods(),
  ];
}
