import { loadExtended } from "./load-extended.js";
import { QueryError, typeError } from "./query-error.js";
import {
  GoFloat,
  isKnownZone,
  JsonNumber,
  LOCAL,
  Timestamp,
  UTC,
  utf8Decode,
  type Value,
  type Zone,
} from "./value.js";

// What the always-loaded code needs of time: reading a value as a timestamp. Go layouts,
// strftime and durations live in ./time.ts, loaded with the extended methods on first use.

export const RFC3339 = "2006-01-02T15:04:05Z07:00";
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

const NS_PER_SEC = 1000000000n;

/** A zone by name: `UTC`, `Local`, `""` (UTC) or an IANA name. Throws like Go's `LoadLocation`. */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return LOCAL;
  if (!isKnownZone(name)) throw new QueryError("INVALID_ARGUMENT", `unknown time zone ${name}`);
  return { name, fixed: undefined };
}

export function timestampFromUnix(sec: bigint, nsec: bigint): Timestamp {
  return new Timestamp(sec * NS_PER_SEC + nsec, LOCAL);
}

/** Unix seconds the calendar and zone code can handle (JavaScript dates end in year 275760). */
const MAX_UNIX_SECONDS = 8_640_000_000_000n;

function unixInRange(sec: bigint): bigint {
  if (sec > MAX_UNIX_SECONDS || sec < -MAX_UNIX_SECONDS) {
    throw new QueryError(
      "FAILED",
      `unix timestamp ${sec} is out of range (at most ±${MAX_UNIX_SECONDS} seconds)`,
    );
  }
  return sec;
}

/** `value.IGetTimestamp`: timestamps, unix seconds (fractions allowed) or RFC 3339 strings. */
export function getTimestamp(v: Value): Timestamp {
  if (v instanceof Timestamp) return v;
  if (typeof v === "bigint") return timestampFromUnix(unixInRange(v), 0n);
  if (typeof v === "number" || v instanceof GoFloat || v instanceof JsonNumber) {
    const text = typeof v === "number" ? String(v) : v instanceof JsonNumber ? v.text : undefined;
    if (text !== undefined && /^-?\d+$/.test(text)) return timestampFromUnix(unixInRange(BigInt(text)), 0n);
    const f = typeof v === "number" ? v : v instanceof GoFloat ? v.f : Number((v as JsonNumber).text);
    if (!Number.isFinite(f)) throw new QueryError("FAILED", `${f} is not a valid unix timestamp`);
    const fint = Math.trunc(f);
    const fdec = f - fint;
    return timestampFromUnix(unixInRange(BigInt(fint)), BigInt(Math.trunc(fdec * 1e9)));
  }
  if (typeof v === "string") return loadExtended().parseLayout(RFC3339_NANO, v);
  if (v instanceof Uint8Array) return loadExtended().parseLayout(RFC3339_NANO, utf8Decode(v));
  throw typeError(v, "number", "string");
}
