import type { Args } from "../params.js";
import { QueryError, typeError } from "../query-error.js";
import { inCategory, type MethodImpl, NO_PARAMS, simpleMethod } from "../registry.js";
import {
  addPeriod,
  formatLayout,
  inZone,
  parseDuration,
  parseLayout,
  parsePeriod,
  roundTime,
  strftime,
  strptime,
} from "../time.js";
import { getTimestamp, loadZone, RFC3339_NANO } from "../timestamps.js";
import { getString, type Timestamp, type Value, type Zone } from "../value.js";

function zoneArg(tz: string): Zone {
  try {
    return loadZone(tz);
  } catch (e) {
    throw new QueryError(
      "INVALID_ARGUMENT",
      `failed to parse timezone location name: ${(e as QueryError).message}`,
    );
  }
}

function optZone(args: Args, name = "tz"): Zone | undefined {
  const tz = args.optStr(name);
  return tz === undefined ? undefined : zoneArg(tz);
}

export function stringArg(v: Value): string {
  const s = getString(v);
  if (s === undefined) throw typeError(v, "string");
  return s;
}

export const NS = 1000000000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function formatMethod(name: string): MethodImpl {
  return simpleMethod(
    name,
    {
      params: [
        { name: "format", type: "string", default: RFC3339_NANO },
        { name: "tz", type: "string", optional: true },
      ],
    },
    (args) => {
      const layout = args.str("format");
      const zone = optZone(args);
      return (v) => {
        const t = getTimestamp(v);
        return formatLayout(zone ? inZone(t, zone) : t, layout);
      };
    },
  );
}

export function strftimeMethod(name: string): MethodImpl {
  return simpleMethod(
    name,
    {
      params: [
        { name: "format", type: "string" },
        { name: "tz", type: "string", optional: true },
      ],
    },
    (args) => {
      const fmt = args.str("format");
      const zone = optZone(args);
      return (v) => {
        const t = getTimestamp(v);
        return strftime(zone ? inZone(t, zone) : t, fmt);
      };
    },
  );
}

export function unixMethod(name: string, div: bigint): MethodImpl {
  return simpleMethod(name, NO_PARAMS, () => (v) => floorDiv(getTimestamp(v).ns, div));
}

/** Timestamp manipulation: the `ts_*` methods and durations. */
export function timeMethods(): MethodImpl[] {
  return inCategory("Timestamp Manipulation", [
    formatMethod("ts_format"),
    strftimeMethod("ts_strftime"),
    simpleMethod("ts_parse", { params: [{ name: "format", type: "string" }] }, (args) => {
      const layout = args.str("format");
      return (v) => parseLayout(layout, stringArg(v));
    }),
    simpleMethod("ts_strptime", { params: [{ name: "format", type: "string" }] }, (args) => {
      const fmt = args.str("format");
      return (v) => strptime(fmt, stringArg(v));
    }),
    unixMethod("ts_unix", NS),
    unixMethod("ts_unix_milli", 1000000n),
    unixMethod("ts_unix_micro", 1000n),
    unixMethod("ts_unix_nano", 1n),
    simpleMethod("ts_tz", { params: [{ name: "tz", type: "string" }] }, (args) => {
      const zone = zoneArg(args.str("tz"));
      return (v) => inZone(getTimestamp(v), zone);
    }),
    simpleMethod("ts_round", { params: [{ name: "duration", type: "int" }] }, (args) => {
      const d = args.int("duration");
      return (v) => roundTime(getTimestamp(v), d);
    }),
    simpleMethod("ts_add_iso8601", { params: [{ name: "duration", type: "string" }] }, (args) => {
      const p = parsePeriod(args.str("duration"));
      return (v) => addPeriod(getTimestamp(v), p, 1);
    }),
    simpleMethod("ts_sub_iso8601", { params: [{ name: "duration", type: "string" }] }, (args) => {
      const p = parsePeriod(args.str("duration"));
      return (v) => addPeriod(getTimestamp(v), p, -1);
    }),
    simpleMethod("ts_sub", { params: [{ name: "t2", type: "timestamp" }] }, (args) => {
      const t2 = args.get("t2") as Timestamp;
      return (v) => getTimestamp(v).ns - t2.ns;
    }),
    simpleMethod("parse_duration", NO_PARAMS, () => (v) => parseDuration(stringArg(v))),
    simpleMethod("parse_duration_iso8601", NO_PARAMS, () => (v) => {
      // Like period.DurationApprox: a year is 365.2425 days, a month a twelfth of that.
      const p = parsePeriod(stringArg(v));
      const yearSecs = 31556952;
      const secs = p.years * yearSecs + p.months * (yearSecs / 12) + p.days * 86400;
      return BigInt(Math.round(secs)) * NS + p.ns;
    }),
  ]);
}
