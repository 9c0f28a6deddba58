import { describe, expect, it } from "vitest";
import { builtinFunctions } from "./functions/builtins.js";
import { builtinMethods } from "./methods/builtins.js";

// The reference's category of a sample of entries (`query.MethodCategory*` / `FunctionCategory*`).
const METHOD_CATEGORIES: Record<string, string[]> = {
  catch: ["General"],
  uppercase: ["String Manipulation"],
  length: ["String Manipulation", "Object & Array Manipulation"],
  contains: ["Object & Array Manipulation", "String Manipulation"],
  abs: ["Number Manipulation"],
  int64: ["Number Manipulation"],
  sum: ["Object & Array Manipulation"],
  re_replace_all: ["Regular Expressions"],
  hash: ["Encoding and Encryption"],
  not_null: ["Type Coercion"],
  parse_json: ["Parsing"],
  format_xml: ["Parsing"],
  parse_parquet: ["Parsing"],
  compare_bcrypt: ["String Manipulation"],
  compare_argon2: ["String Manipulation"],
  ts_format: ["Timestamp Manipulation"],
  format_timestamp: ["Deprecated"],
};
const FUNCTION_CATEGORIES: Record<string, string> = {
  json: "Message Info",
  uuid_v4: "General",
  env: "Environment",
  now: "Environment",
  meta: "Deprecated",
  fake: "Fake Data Generation",
};

describe("registry - built-ins", () => {
  it("registry - every method has a unique name and a category", () => {
    const methods = builtinMethods();
    expect(new Set(methods.map((m) => m.name)).size).toBe(methods.length);
    for (const m of methods) expect(m.categories?.length, m.name).toBeGreaterThan(0);
    const byName = new Map(methods.map((m) => [m.name, m.categories]));
    for (const [name, cats] of Object.entries(METHOD_CATEGORIES))
      expect(byName.get(name), name).toEqual(cats);
  });

  it("registry - every function has a unique name and a category", () => {
    const fns = builtinFunctions();
    expect(new Set(fns.map((f) => f.name)).size).toBe(fns.length);
    for (const f of fns) expect(f.category, f.name).toBeDefined();
    const byName = new Map(fns.map((f) => [f.name, f.category]));
    for (const [name, cat] of Object.entries(FUNCTION_CATEGORIES)) expect(byName.get(name), name).toBe(cat);
  });

  it("registry - the split kept every method and function", () => {
    expect(builtinMethods().length).toBe(185); // 118 after the split + 67 from the reference catalog
    expect(builtinFunctions().length).toBe(39);
  });

  it("registry - each call gives fresh lists (nothing shared between environments)", () => {
    expect(builtinMethods()).not.toBe(builtinMethods());
    expect(builtinMethods()[0]).not.toBe(builtinMethods()[0]);
  });
});
