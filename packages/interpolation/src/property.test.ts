import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEnvironment } from "./environment.js";
import { InterpolationError, InterpolationParseError } from "./errors.js";
import { createBatch, createMessage, type MetaValue } from "./message.js";

const env = createEnvironment({ env: { A: "a" }, readFile: () => new Uint8Array([1, 2]) });

/** Pieces of the query language, so generated text often gets deep into the parser. */
const TOKENS = [
  "${!",
  "${{!",
  "}}",
  "}",
  "{",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  ".",
  " ",
  "\n",
  "\t",
  "#",
  "$",
  "@",
  "!",
  "|",
  "||",
  "&&",
  "+",
  "-",
  "*",
  "/",
  "%",
  "==",
  "!=",
  ">",
  "<=",
  "=>",
  "->",
  '"',
  '"a"',
  '"""',
  "\\",
  "1",
  "2.5",
  "-3",
  "true",
  "null",
  "this",
  "root",
  "x",
  "_",
  "foo",
  "match",
  "if",
  "else",
  "content()",
  "json(",
  'json("a")',
  "meta(",
  'meta("k")',
  "@k",
  "uppercase()",
  "length()",
  "map_each(",
  "catch(",
  "from(",
  "from_all()",
  "not_null()",
  "index(",
  "string()",
  "number()",
  "format(",
  "throw(",
  "deleted()",
  "batch_index()",
  "env(",
  "file(",
  "count(",
  "ts_format(",
  "parse_json()",
  "encode(",
  "hash(",
  "sort()",
  "split(",
  "é",
  "😀",
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(""));
const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  tokenText,
);

/** Mostly-valid queries built from the grammar. */
const query: fc.Memo<string> = fc.memo((n) => {
  const leaf = fc.constantFrom(
    "this",
    "this.a",
    "this.a.b",
    'this."a.b"',
    "this.arr.1",
    "a",
    "@",
    "@k",
    "@n",
    "content()",
    'json("a")',
    "json()",
    'meta("k")',
    'metadata("n")',
    "batch_index()",
    "batch_size()",
    "error()",
    "errored()",
    "deleted()",
    "nothing()",
    '"str"',
    '"héllo"',
    "1",
    "0",
    "-2",
    "2.5",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    '[1, "b"]',
    '{"k": 1}',
    'throw("t")',
    '"2020-01-01T00:00:00Z"',
    "$v",
  );
  if (n <= 1) return leaf;
  const sub = query(n - 1);
  const method = fc.constantFrom(
    ".uppercase()",
    ".lowercase()",
    ".length()",
    ".string()",
    ".number()",
    ".bool()",
    ".int64()",
    ".type()",
    ".not_null()",
    ".not_empty()",
    '.catch("c")',
    '.or("o")',
    ".from(1)",
    ".from(-1)",
    ".from_all()",
    ".keys()",
    ".values()",
    ".sum()",
    ".sort()",
    ".index(0)",
    ".slice(1)",
    '.split(",")',
    '.join(",")',
    '.contains("a")',
    ".map_each(x -> x)",
    '.format("%v")',
    '.encode("base64")',
    '.decode("base64")',
    '.hash("sha256")',
    ".parse_json()",
    ".ts_unix()",
    '.ts_format("2006")',
    ".abs()",
    ".round()",
    ".not()",
    ".b",
    ".0",
    ".(this)",
  );
  const op = fc.constantFrom(
    " + ",
    " - ",
    " * ",
    " / ",
    " % ",
    " == ",
    " != ",
    " > ",
    " <= ",
    " && ",
    " || ",
    " | ",
  );
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(sub, method).map(([a, m]) => a + m) },
    { weight: 2, arbitrary: fc.tuple(sub, op, sub).map(([a, o, b]) => a + o + b) },
    { weight: 1, arbitrary: sub.map((a) => `!${a}`) },
    { weight: 1, arbitrary: sub.map((a) => `-${a}`) },
    { weight: 1, arbitrary: sub.map((a) => `(${a})`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `[${a}, ${b}]`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([c, a, b]) => `if ${c} { ${a} } else { ${b} }`) },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, sub, sub).map(([s, a, b]) => `match ${s} { "x" => ${a}, _ => ${b} }`),
    },
  );
});

const template = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 5 }),
      query(4).map((q) => `\${! ${q} }`),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(""));

const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

const metaValue: fc.Arbitrary<MetaValue> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 8 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);

const message = fc
  .record({
    body: fc.oneof(
      json.map((v) => JSON.stringify(v) ?? "null"),
      fc.string({ maxLength: 30 }),
      fc.constantFrom("", "{} {}", '{"a":{"b":1.50},"arr":[1,2.0,"x"]}', "1e400", '{"a":"\\ud800"}'),
    ),
    meta: fc.dictionary(fc.constantFrom("k", "n", "x", ""), metaValue, { maxKeys: 3 }),
    error: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  })
  .map(({ body, meta, error }) =>
    createMessage(body, error === undefined ? { metadata: meta } : { metadata: meta, error }),
  );

function compileOutcome(text: string): "ok" | "parse-error" {
  const r = env.tryCompile(text);
  if (r.ok) return "ok";
  expect(InterpolationParseError.isInstance(r.error)).toBe(true);
  expect(typeof r.error.code).toBe("string");
  expect(r.error.char).toBeGreaterThanOrEqual(1);
  expect(r.error.line).toBeGreaterThanOrEqual(1);
  expect(r.error.column).toBeGreaterThanOrEqual(1);
  expect(typeof r.error.render()).toBe("string");
  return "parse-error";
}

describe("interpolation - properties", () => {
  it("interpolation - any text compiles or gives a typed parse error, quickly", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const t0 = performance.now();
        compileOutcome(text);
        expect(performance.now() - t0).toBeLessThan(500);
      }),
      { numRuns: 3000 },
    );
  });

  it("interpolation - generated templates compile or fail with a typed parse error", () => {
    let compiled = 0;
    fc.assert(
      fc.property(template, (text) => {
        if (compileOutcome(text) === "ok") compiled++;
      }),
      { numRuns: 1500 },
    );
    // The generator is meant to produce mostly valid templates; make sure it does.
    expect(compiled).toBeGreaterThan(500);
  });

  it("interpolation - evaluation on any message gives a string or a typed error", () => {
    fc.assert(
      fc.property(template, message, (text, m) => {
        const r = env.tryCompile(text);
        if (!r.ok) return;
        const s = r.value.tryString(m);
        if (s.ok) expect(typeof s.value).toBe("string");
        else expect(InterpolationError.isInstance(s.error)).toBe(true);
        const b = r.value.tryBytes(m);
        if (b.ok) expect(b.value).toBeInstanceOf(Uint8Array);
        else expect(InterpolationError.isInstance(b.error)).toBe(true);
        try {
          r.value.evaluate(m);
        } catch (e) {
          expect(InterpolationError.isInstance(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("interpolation - evaluation inside a batch gives a string or a typed error", () => {
    fc.assert(
      fc.property(
        template,
        fc.array(message, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: -4, max: 4 }),
        (text, ms, i) => {
          const r = env.tryCompile(text);
          if (!r.ok) return;
          const batch = createBatch(ms);
          try {
            expect(typeof r.value.evaluateAt(batch, i)).toBe("string");
          } catch (e) {
            expect(InterpolationError.isInstance(e)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("interpolation - static templates do not depend on the message", () => {
    fc.assert(
      fc.property(template, message, message, (text, a, b) => {
        const r = env.tryCompile(text);
        if (!r.ok || !r.value.isStatic) return;
        expect(r.value.evaluate(a)).toBe(r.value.evaluate(b));
      }),
      { numRuns: 500 },
    );
  });

  it("interpolation - text without $ is returned unchanged", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes("$")),
        (text) => {
          const c = env.compile(text);
          expect(c.isStatic).toBe(true);
          expect(c.evaluate(createMessage())).toBe(text);
        },
      ),
    );
  });

  it("interpolation - escaped blocks come back as literal interpolations", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes("}}")),
        (inner) => {
          expect(env.compile(`\${{!${inner}}}`).evaluate(createMessage())).toBe(`\${!${inner}}`);
        },
      ),
    );
  });

  it("interpolation - string literals round-trip through the parser", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const lit = JSON.stringify(s).replace(/\\u2028|\\u2029/g, "");
        const expected = JSON.parse(lit) as string;
        expect(env.compile(`\${! ${lit} }`).evaluate(createMessage())).toBe(expected);
      }),
    );
  });
});
