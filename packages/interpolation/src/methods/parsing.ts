import { bytesOf } from "../encoding.js";
import { parseFormURLEncoded, parseLogfmt, parseURL, readCSV } from "../formats.js";
import { numbersToFloat, parseJSONValue } from "../json.js";
import { decodeMsgpack, encodeMsgpack } from "../msgpack.js";
import { Closure } from "../node.js";
import { parseParquet } from "../parquet.js";
import { QueryError, typeError } from "../query-error.js";
import {
  inCategory,
  type MethodImpl,
  NO_PARAMS,
  p,
  pluginMethod,
  readStringMethod,
  simpleMethod,
} from "../registry.js";
import { inferSchema } from "../schema.js";
import { getString, isObject, newObject, toIndentedJSON, utf8Decode, utf8Encode } from "../value.js";
import { compileValueMapping } from "../value-mapping.js";
import { formatXML, parseXML } from "../xml.js";
import { formatYAML, parseYAML } from "../yaml.js";

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
      "parse_csv",
      p([
        { name: "parse_header_row", type: "bool", default: true },
        { name: "delimiter", type: "string", default: "," },
        { name: "lazy_quotes", type: "bool", default: false },
      ]),
      (args) => {
        const header = args.bool("parse_header_row");
        const delimiter = args.str("delimiter");
        const lazy = args.bool("lazy_quotes");
        return (v) => {
          if ([...delimiter].length !== 1)
            throw new QueryError("FAILED", "delimiter value must be exactly one character");
          const s = getString(v);
          if (s === undefined || !(typeof v === "string" || v instanceof Uint8Array))
            throw typeError(v, "string");
          const rows = readCSV(s, delimiter, lazy);
          if (rows.length === 0) throw new QueryError("FAILED", "zero records were parsed");
          if (!header) return rows;
          const [headers, ...records] = rows as [string[], ...string[][]];
          if (headers.length === 0) throw new QueryError("FAILED", "no headers found on first row");
          return records.map((r, j) => {
            if (r.length !== headers.length)
              throw new QueryError("FAILED", `record on line ${j}: record mismatch with headers`);
            const o = newObject();
            r.forEach((x, i) => {
              o[headers[i] as string] = x;
            });
            return o;
          });
        };
      },
    ),
    readStringMethod("parse_url", NO_PARAMS, () => parseURL),
    simpleMethod("infer_schema", NO_PARAMS, () => inferSchema),
    simpleMethod("parse_xml", p([{ name: "cast", type: "bool", default: false }]), (args) => {
      const cast = args.bool("cast");
      return (v) => parseXML(utf8Decode(bytesOf(v)), cast);
    }),
    pluginMethod(
      "format_xml",
      p([
        { name: "indent", type: "string", default: "    " },
        { name: "no_indent", type: "bool", default: false },
        { name: "root_tag", type: "string", optional: true },
      ]),
      (args) => {
        const opts = {
          indent: args.str("indent"),
          noIndent: args.bool("no_indent"),
          rootTag: args.optStr("root_tag"),
        };
        return (v) => {
          if (!isObject(v)) throw typeError(v, "object");
          return utf8Encode(formatXML(v, opts));
        };
      },
    ),
    // byte_array_as_string is accepted and ignored, as in the reference (deprecated there).
    pluginMethod(
      "parse_parquet",
      p([{ name: "byte_array_as_string", type: "bool", default: false }]),
      () => (v) => parseParquet(bytesOf(v)),
    ),
    simpleMethod("parse_msgpack", NO_PARAMS, () => (v) => decodeMsgpack(bytesOf(v))),
    simpleMethod("format_msgpack", NO_PARAMS, () => (v) => encodeMsgpack(v)),
    {
      name: "bloblang",
      params: p([{ name: "mapping", type: "string" }]),
      ctor: (target, args, cctx) => {
        const run = compileValueMapping(args.str("mapping"), cctx.parseDynamicQuery);
        return new Closure("method bloblang", (ctx) => run(ctx, target.exec(ctx)));
      },
    },
    readStringMethod("parse_yaml", NO_PARAMS, () => parseYAML),
    simpleMethod("format_yaml", NO_PARAMS, () => (v) => utf8Encode(formatYAML(v))),
    readStringMethod("parse_form_url_encoded", NO_PARAMS, () => parseFormURLEncoded),
    readStringMethod("parse_logfmt", NO_PARAMS, () => parseLogfmt),
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
