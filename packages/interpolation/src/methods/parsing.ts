import { parseJSONValue } from "../json.js";
import { QueryError, typeError } from "../query-error.js";
import { inCategory, type MethodImpl, p, simpleMethod } from "../registry.js";
import {
  GoFloat,
  getString,
  isObject,
  JsonNumber,
  newObject,
  toIndentedJSON,
  utf8Encode,
  type Value,
} from "../value.js";

/** Converts parsed JSON numbers to float64, as `json.Unmarshal` without `UseNumber` gives them. */
function numbersToFloat(v: Value): Value {
  if (typeof v === "number") return new GoFloat(v);
  if (v instanceof JsonNumber) return new GoFloat(Number(v.text));
  if (Array.isArray(v)) return v.map(numbersToFloat);
  if (isObject(v)) {
    const out = newObject();
    for (const k of Object.keys(v)) out[k] = numbersToFloat(v[k] as Value);
    return out;
  }
  return v;
}

/** Parsing and serialising structured text. */
export function parsingMethods(): MethodImpl[] {
  return inCategory("Parsing", [
    simpleMethod("parse_json", p([{ name: "use_number", type: "bool", default: false }]), (args) => {
      const useNumber = args.bool("use_number");
      return (v) => {
        const s = getString(v);
        if (s === undefined) throw typeError(v, "string");
        const r = parseJSONValue(s);
        if (!r.ok) throw new QueryError("FAILED", `failed to parse value as JSON: ${r.error}`);
        return useNumber ? r.value : numbersToFloat(r.value);
      };
    }),
    simpleMethod(
      "format_json",
      p([
        { name: "indent", type: "string", default: "    " },
        { name: "no_indent", type: "bool", default: false },
        { name: "escape_html", type: "bool", default: true },
      ]),
      (args) => {
        const indent = args.bool("no_indent") ? "" : args.str("indent");
        const escapeHTML = args.bool("escape_html");
        return (v) => utf8Encode(toIndentedJSON(v, indent, escapeHTML));
      },
    ),
  ]);
}
