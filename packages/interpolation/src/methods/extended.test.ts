import { describe, expect, it } from "vitest";
import { builtinMethods } from "./builtins.js";
import { coercionMethods } from "./coercion.js";
import { extendedMethods } from "./extended.js";
import { EXTENDED_METHOD_NAMES } from "./extended-names.js";
import { generalMethods } from "./general.js";
import { numberMethods } from "./numbers.js";
import { stringMethods } from "./strings.js";

describe("the methods loaded on first use", () => {
  it("are listed by name, in the order the extended categories define them", () => {
    expect([...EXTENDED_METHOD_NAMES]).toEqual(extendedMethods().map((m) => m.name));
  });

  it("share no name with the categories loaded with the package", () => {
    const eager = [...generalMethods(), ...coercionMethods(), ...numberMethods(), ...stringMethods()];
    const names = new Set(EXTENDED_METHOD_NAMES);
    expect(eager.map((m) => m.name).filter((n) => names.has(n))).toEqual([]);
  });

  it("stand in with the parameters and categories of the real method", () => {
    const real = new Map(extendedMethods().map((m) => [m.name, m]));
    for (const stub of builtinMethods().filter((m) => real.has(m.name))) {
      const m = real.get(stub.name);
      expect(stub.params, stub.name).toEqual(m?.params);
      expect(stub.categories, stub.name).toEqual(m?.categories);
    }
  });
});
