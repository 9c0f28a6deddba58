import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toJsonSchema, v, validate } from "./validate.js";

const schema = v.object({
  urls: v.union(v.array(v.string()), v.string()),
  count: v.optional(v.int()),
  mode: v.optional(v.enum(["file", "memory"])),
  headers: v.optional(v.record(v.string())),
  tls: v.optional(v.object({ enabled: v.optional(v.boolean()) })),
  wait: v.optional(v.unknown()),
});

describe("nats-connection validate", () => {
  it("nats-connection - validate: returns a copy holding only the schema's fields", () => {
    const input = { urls: ["a"], tls: { enabled: true }, wait: "1s" };
    const r = validate(schema, input);
    expect(r).toEqual({ ok: true, value: input });
    if (r.ok) expect(r.value.urls).not.toBe(input.urls);
  });

  it("nats-connection - validate: names each problem with its path", () => {
    const r = validate(schema, {
      urls: ["a", 1],
      count: 1.5,
      mode: "disk",
      headers: { a: null },
      tls: { enabled: "yes", extra: 1 },
      other: true,
    });
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: ["urls", 1], message: "expected a string, got number" },
        { path: ["count"], message: "expected int, got non-integer number" },
        { path: ["mode"], message: 'invalid option: expected one of "file"|"memory"' },
        { path: ["headers", "a"], message: "expected string, got null" },
        { path: ["tls", "enabled"], message: "expected boolean, got string" },
        { path: ["tls", "extra"], message: "unknown field" },
        { path: ["other"], message: "unknown field" },
      ],
    });
  });

  it("nats-connection - validate: a missing required field, a union and an unsafe int", () => {
    expect(validate(schema, {})).toEqual({ ok: false, issues: [{ path: ["urls"], message: "required" }] });
    expect(validate(schema, { urls: 1, count: 2 ** 53 })).toEqual({
      ok: false,
      issues: [
        { path: ["urls"], message: "expected a list of strings or a string, got number" },
        { path: ["count"], message: "too big: expected int to be <=9007199254740991" },
      ],
    });
  });

  it("nats-connection - validate: any input gives a value or issues, never a throw", () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withSparseArray: true, withMap: true }), (x) => {
        const r = validate(schema, x);
        expect(r.ok || r.issues.length > 0).toBe(true);
      }),
    );
  });

  it("nats-connection - validate: the JSON Schema lists the fields and which are required", () => {
    const json = toJsonSchema(schema);
    expect(json).toMatchObject({
      type: "object",
      required: ["urls"],
      additionalProperties: false,
      properties: {
        urls: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "string" }] },
        mode: { type: "string", enum: ["file", "memory"] },
        headers: { type: "object", additionalProperties: { type: "string" } },
        wait: {},
      },
    });
  });
});
