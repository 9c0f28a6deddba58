import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEnvironment } from "./environment.js";
import { InterpolationError, InterpolationParseError } from "./errors.js";
import { createMessage } from "./message.js";

const env = createEnvironment({ env: {} });

/** Characters that matter to the new parsers, so generated input gets past their first checks. */
const PIECES = [
  '"',
  "'",
  ",",
  ";",
  "=",
  "&",
  "%",
  "%2",
  "%zz",
  "\n",
  "\r\n",
  " ",
  "\\",
  ":",
  "/",
  "//",
  "?",
  "#",
  "@",
  "a",
  "1",
  "-",
  "[",
  "]",
  "{",
  "}",
  "$",
  ".",
  "..",
  "*",
  "?(",
  "@.",
  "==",
  "<",
  ")",
  "x=1",
  "- ",
  ": ",
  "\t",
];
const text = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 30 })
  .map((a) => a.join(""));

const METHODS = [
  "parse_csv()",
  "parse_csv(parse_header_row: false, lazy_quotes: true)",
  "parse_url()",
  "parse_form_url_encoded()",
  "parse_logfmt()",
  "parse_yaml()",
  "parse_msgpack()",
  "slug()",
  "strip_html()",
  'unicode_segments("word")',
  "bloblang(content().string())",
];

function runsOrFailsTyped(query: string, body: string): void {
  const r = env.tryCompileQuery(query);
  if (!r.ok) {
    expect(InterpolationParseError.isInstance(r.error)).toBe(true);
    return;
  }
  try {
    r.value.evaluate(createMessage(body));
  } catch (e) {
    expect(InterpolationError.isInstance(e), String(e)).toBe(true);
  }
}

describe("catalog formats - property", () => {
  it("catalog formats - parsing methods give a value or a typed error for any input", () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...METHODS), (input, method) => {
        runsOrFailsTyped(`content().${method}`, input);
      }),
      { numRuns: 1500 },
    );
  });

  it("catalog formats - json_path and json_schema compile or give a typed parse error for any expression", () => {
    fc.assert(
      fc.property(text, (expr) => {
        runsOrFailsTyped(`{"a": [1, {"b": "c"}]}.json_path(${JSON.stringify(`$${expr}`)})`, "{}");
        runsOrFailsTyped(`{"a": 1}.json_schema(${JSON.stringify(expr)})`, "{}");
      }),
      { numRuns: 1500 },
    );
  });
});
