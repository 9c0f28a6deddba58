const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * A duration in milliseconds: a number of ms, or a Go duration string as Redpanda Connect
 * configs use (`"500ms"`, `"5s"`, `"1m30s"`, `"2h"`).
 */
export type Duration = number | string;

/**
 * Parses a {@link Duration} to milliseconds; `undefined` (with `error` set) when it is not one.
 * `"0"` is 0. Negative values are returned as such; callers decide whether they are allowed.
 */
export function parseDuration(input: Duration): { ms: number } | { error: string } {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return { error: `expected a finite number of ms, got ${input}` };
    return { ms: input };
  }
  if (typeof input !== "string") return { error: `expected a duration such as '5s', got ${typeof input}` };
  let s = input.trim();
  if (s === "") return { error: "expected a duration such as '5s', got an empty string" };
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return { ms: 0 };
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== at) {
      return {
        error: `'${input}' is not a duration (use a number with a unit: ns, us, ms, s, m, h, e.g. '1m30s')`,
      };
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return { error: `'${input}' is out of range` };
  return { ms: sign * total };
}
