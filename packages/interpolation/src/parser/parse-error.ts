import { InterpolationParseError } from "../errors.js";
import type { PErr } from "./combinators.js";

/** The public error for a parse failure in `src`: the reference's message, position and code. */
export function toParseError(src: string, e: PErr): InterpolationParseError {
  const before = src.slice(0, e.pos);
  const char = [...before].length + 1;
  const lines = before.split("\n");
  const line = lines.length;
  const column = [...(lines[lines.length - 1] as string)].length + 1;
  const rest = [...src.slice(e.pos)];
  const got = rest.length === 0 ? undefined : rest.slice(0, 5).join("");
  let msg = e.err ?? "";
  const expected = [...new Set(e.expected)];
  if (expected.length === 0) {
    if (msg === "")
      msg = got === undefined ? "encountered unexpected end of input" : "encountered unexpected input";
  } else {
    if (msg !== "") msg += ": ";
    if (expected.length === 1) msg += `expected ${expected[0]}`;
    else {
      msg += "expected ";
      expected.forEach((x, i) => {
        if (i === expected.length - 1) msg += `${expected.length > 2 ? "," : ""} or `;
        else if (i > 0) msg += ", ";
        msg += x;
      });
    }
  }
  let code = e.code;
  if (code === undefined) {
    if (expected.includes("end of expression")) code = "EXPECTED_END_OF_EXPRESSION";
    else if (expected.length === 1 && expected[0] === "query") code = "EXPECTED_QUERY";
    else code = "SYNTAX";
  }
  return new InterpolationParseError(code, {
    source: src,
    char,
    line,
    column,
    reason: msg,
    got,
    listsExpected: expected.length > 0,
  });
}
