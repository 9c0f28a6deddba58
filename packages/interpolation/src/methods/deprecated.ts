import { inCategory, type MethodImpl, simpleMethod } from "../registry.js";
import { parseLayout, strptime } from "../time.js";
import { timestampToString } from "../value.js";
import { formatMethod, NS, strftimeMethod, stringArg, unixMethod } from "./time.js";

/**
 * The `format_timestamp*` / `parse_timestamp*` names the reference keeps for old configs; the
 * parse ones return the RFC 3339 string rather than a timestamp.
 */
export function deprecatedMethods(): MethodImpl[] {
  return inCategory("Deprecated", [
    formatMethod("format_timestamp"),
    strftimeMethod("format_timestamp_strftime"),
    simpleMethod("parse_timestamp", { params: [{ name: "format", type: "string" }] }, (args) => {
      const layout = args.str("format");
      return (v) => timestampToString(parseLayout(layout, stringArg(v)));
    }),
    simpleMethod("parse_timestamp_strptime", { params: [{ name: "format", type: "string" }] }, (args) => {
      const fmt = args.str("format");
      return (v) => timestampToString(strptime(fmt, stringArg(v)));
    }),
    unixMethod("format_timestamp_unix", NS),
    unixMethod("format_timestamp_unix_milli", 1000000n),
    unixMethod("format_timestamp_unix_micro", 1000n),
    unixMethod("format_timestamp_unix_nano", 1n),
  ]);
}
