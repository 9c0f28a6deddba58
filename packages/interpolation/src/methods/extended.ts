import type { MethodImpl } from "../registry.js";
import { deprecatedMethods } from "./deprecated.js";
import { encodingMethods } from "./encoding.js";
import { jwtMethods } from "./jwt.js";
import { objectArrayMethods } from "./objects-arrays.js";
import { parsingMethods } from "./parsing.js";
import { regexpMethods } from "./regexp.js";
import { timeMethods } from "./time.js";

/**
 * The method categories loaded on first use (see ../extended.ts); `EXTENDED_METHOD_NAMES` lists
 * what they define, so that an environment knows the names without loading them.
 */
export function extendedMethods(): MethodImpl[] {
  return [
    ...objectArrayMethods(),
    ...regexpMethods(),
    ...parsingMethods(),
    ...encodingMethods(),
    ...jwtMethods(),
    ...timeMethods(),
    ...deprecatedMethods(),
  ];
}
