import { loadExtended } from "../load-extended.js";
import type { MethodImpl } from "../registry.js";
import { coercionMethods } from "./coercion.js";
import { EXTENDED_METHOD_NAMES } from "./extended-names.js";
import { generalMethods } from "./general.js";
import { numberMethods } from "./numbers.js";
import { stringMethods } from "./strings.js";

/**
 * The built-in methods, a fresh list per environment. Each category of the reference has its
 * file here; a new method is one entry in the file of its category. The categories in
 * `./extended.ts` are loaded when one of their methods is first compiled.
 */
export function builtinMethods(): MethodImpl[] {
  return [
    ...generalMethods(),
    ...coercionMethods(),
    ...numberMethods(),
    ...stringMethods(),
    ...EXTENDED_METHOD_NAMES.map(lazyMethod),
  ];
}

let extended: Map<string, MethodImpl> | undefined;

function extendedMethod(name: string): MethodImpl {
  extended ??= new Map(
    loadExtended()
      .extendedMethods()
      .map((m) => [m.name, m]),
  );
  const impl = extended.get(name);
  if (impl === undefined) throw new Error(`internal: extended method '${name}' is listed but not defined`);
  return impl;
}

/** Stands for an extended method; its parameters or constructor load the extended categories. */
function lazyMethod(name: string): MethodImpl {
  return {
    name,
    get params() {
      return extendedMethod(name).params;
    },
    // Every built-in has its categories (`inCategory`); `[]` only satisfies the optional type.
    get categories() {
      return extendedMethod(name).categories ?? [];
    },
    ctor: (target, args, ctx) => extendedMethod(name).ctor(target, args, ctx),
  };
}
