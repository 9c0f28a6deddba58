import { QueryError } from "./query-error.js";
import {
  civil,
  daysFromCivil,
  formatOffset,
  LOCAL,
  Timestamp,
  UTC,
  type Zone,
  zoneOffsetAt,
} from "./value.js";

const NS_PER_SEC = 1000000000n;

const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

// ---------------------------------------------------------------------------------------------
// Go layouts

type Std =
  | { t: "lit"; s: string }
  | { t: "LongMonth" | "Month" | "NumMonth" | "ZeroMonth" }
  | { t: "LongWeekDay" | "WeekDay" }
  | { t: "Day" | "UnderDay" | "ZeroDay" | "UnderYearDay" | "ZeroYearDay" }
  | { t: "Hour" | "Hour12" | "ZeroHour12" | "Minute" | "ZeroMinute" | "Second" | "ZeroSecond" }
  | { t: "LongYear" | "Year" }
  | { t: "PM" | "pm" }
  | { t: "TZ" }
  | { t: "NumTZ"; iso: boolean; colon: boolean; seconds: boolean; short: boolean; text: string }
  | { t: "Frac"; nines: boolean; n: number; sep: string };

function startsWithLower(s: string): boolean {
  const c = s[0];
  return c !== undefined && c >= "a" && c <= "z";
}

const TZ_FORMS: [string, boolean, boolean, boolean, boolean][] = [
  // text, iso, colon, seconds, short
  ["Z070000", true, false, true, false],
  ["Z07:00:00", true, true, true, false],
  ["Z0700", true, false, false, false],
  ["Z07:00", true, true, false, false],
  ["Z07", true, false, false, true],
  ["-070000", false, false, true, false],
  ["-07:00:00", false, true, true, false],
  ["-0700", false, false, false, false],
  ["-07:00", false, true, false, false],
  ["-07", false, false, false, true],
];

const layoutCache = new Map<string, Std[]>();

/** Splits a Go layout into literal text and std chunks (`time.nextStdChunk`). */
export function parseLayoutChunks(layout: string): Std[] {
  const cached = layoutCache.get(layout);
  if (cached) return cached;
  const out: Std[] = [];
  let lit = "";
  let i = 0;
  const push = (s: Std, len: number) => {
    if (lit !== "") out.push({ t: "lit", s: lit });
    lit = "";
    out.push(s);
    i += len;
  };
  while (i < layout.length) {
    const rest = layout.slice(i);
    const c = layout[i] as string;
    if (c === "J" && rest.startsWith("Jan")) {
      if (rest.startsWith("January")) {
        push({ t: "LongMonth" }, 7);
        continue;
      }
      if (!startsWithLower(rest.slice(3))) {
        push({ t: "Month" }, 3);
        continue;
      }
    } else if (c === "M") {
      if (rest.startsWith("Mon")) {
        if (rest.startsWith("Monday")) {
          push({ t: "LongWeekDay" }, 6);
          continue;
        }
        if (!startsWithLower(rest.slice(3))) {
          push({ t: "WeekDay" }, 3);
          continue;
        }
      }
      if (rest.startsWith("MST")) {
        push({ t: "TZ" }, 3);
        continue;
      }
    } else if (c === "0") {
      const d = rest[1];
      if (d !== undefined && d >= "1" && d <= "6") {
        const kinds = ["ZeroMonth", "ZeroDay", "ZeroHour12", "ZeroMinute", "ZeroSecond", "Year"] as const;
        push({ t: kinds[Number(d) - 1] as (typeof kinds)[number] } as Std, 2);
        continue;
      }
      if (rest.startsWith("002")) {
        push({ t: "ZeroYearDay" }, 3);
        continue;
      }
    } else if (c === "1") {
      if (rest[1] === "5") push({ t: "Hour" }, 2);
      else push({ t: "NumMonth" }, 1);
      continue;
    } else if (c === "2") {
      if (rest.startsWith("2006")) push({ t: "LongYear" }, 4);
      else push({ t: "Day" }, 1);
      continue;
    } else if (c === "_") {
      if (rest[1] === "2") {
        if (rest.startsWith("_2006")) {
          lit += "_";
          i += 1;
          push({ t: "LongYear" }, 4);
          continue;
        }
        push({ t: "UnderDay" }, 2);
        continue;
      }
      if (rest.startsWith("__2")) {
        push({ t: "UnderYearDay" }, 3);
        continue;
      }
    } else if (c === "3" || c === "4" || c === "5") {
      push({ t: c === "3" ? "Hour12" : c === "4" ? "Minute" : "Second" }, 1);
      continue;
    } else if (c === "P" && rest[1] === "M") {
      push({ t: "PM" }, 2);
      continue;
    } else if (c === "p" && rest[1] === "m") {
      push({ t: "pm" }, 2);
      continue;
    } else if (c === "-" || c === "Z") {
      const f = TZ_FORMS.find(([text]) => rest.startsWith(text));
      if (f) {
        push({ t: "NumTZ", text: f[0], iso: f[1], colon: f[2], seconds: f[3], short: f[4] }, f[0].length);
        continue;
      }
    } else if ((c === "." || c === ",") && (rest[1] === "0" || rest[1] === "9")) {
      const ch = rest[1];
      let j = 1;
      while (j < rest.length && rest[j] === ch) j++;
      const next = rest[j];
      if (!(next !== undefined && next >= "0" && next <= "9")) {
        push({ t: "Frac", nines: ch === "9", n: j - 1, sep: c }, j);
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit !== "") out.push({ t: "lit", s: lit });
  if (layoutCache.size > 256) layoutCache.clear();
  layoutCache.set(layout, out);
  return out;
}

function pad(n: number, w: number, ch = "0"): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  while (s.length < w) s = ch + s;
  return neg ? "-" + s : s;
}

/** Abbreviation of a zone at an instant (`MST` in layouts). */
export function zoneAbbrev(zone: Zone, ns: bigint, offset: number): string {
  if (zone.name === "UTC") return "UTC";
  if (zone.fixed !== undefined) return zone.name;
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone === LOCAL ? undefined : zone.name,
      timeZoneName: "short",
    }).formatToParts(new Date(Number(ns / 1000000n)));
    const name = parts.find((p) => p.type === "timeZoneName")?.value;
    if (name && /^[A-Z]{3,5}$/.test(name)) return name;
  } catch {
    // fall through to the numeric form
  }
  return formatOffset(offset, false, false);
}

/** Go `time.Time.Format`. */
export function formatLayout(t: Timestamp, layout: string): string {
  const off = zoneOffsetAt(t.zone, t.ns);
  const c = civil(t.ns, off);
  let out = "";
  for (const s of parseLayoutChunks(layout)) {
    switch (s.t) {
      case "lit":
        out += s.s;
        break;
      case "Year":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "LongYear":
        out += pad(c.year, 4);
        break;
      case "Month":
        out += (LONG_MONTHS[c.month - 1] as string).slice(0, 3);
        break;
      case "LongMonth":
        out += LONG_MONTHS[c.month - 1];
        break;
      case "NumMonth":
        out += String(c.month);
        break;
      case "ZeroMonth":
        out += pad(c.month, 2);
        break;
      case "WeekDay":
        out += (LONG_DAYS[c.weekday] as string).slice(0, 3);
        break;
      case "LongWeekDay":
        out += LONG_DAYS[c.weekday];
        break;
      case "Day":
        out += String(c.day);
        break;
      case "UnderDay":
        out += pad(c.day, 2, " ");
        break;
      case "ZeroDay":
        out += pad(c.day, 2);
        break;
      case "UnderYearDay":
        out += pad(c.yday, 3, " ");
        break;
      case "ZeroYearDay":
        out += pad(c.yday, 3);
        break;
      case "Hour":
        out += pad(c.hour, 2);
        break;
      case "Hour12":
        out += String(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case "ZeroHour12":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case "Minute":
        out += String(c.minute);
        break;
      case "ZeroMinute":
        out += pad(c.minute, 2);
        break;
      case "Second":
        out += String(c.second);
        break;
      case "ZeroSecond":
        out += pad(c.second, 2);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "TZ": {
        const name = zoneAbbrev(t.zone, t.ns, off);
        out += name !== "" ? name : formatOffset(off, false, false);
        break;
      }
      case "NumTZ": {
        if (off === 0 && s.iso) {
          out += "Z";
          break;
        }
        const a = Math.abs(off);
        out += (off < 0 ? "-" : "+") + pad(Math.floor(a / 3600), 2);
        if (!s.short) out += (s.colon ? ":" : "") + pad(Math.floor((a % 3600) / 60), 2);
        if (s.seconds) out += (s.colon ? ":" : "") + pad(a % 60, 2);
        break;
      }
      case "Frac": {
        let digits = pad(c.nanos, 9).slice(0, s.n);
        if (s.nines) {
          digits = digits.replace(/0+$/, "");
          if (digits === "") break;
        }
        out += s.sep + digits;
        break;
      }
    }
  }
  return out;
}

class LayoutParseError extends QueryError {}

function stdText(s: Std, layout: string): string {
  switch (s.t) {
    case "lit":
      return s.s;
    case "LongMonth":
      return "January";
    case "Month":
      return "Jan";
    case "NumMonth":
      return "1";
    case "ZeroMonth":
      return "01";
    case "LongWeekDay":
      return "Monday";
    case "WeekDay":
      return "Mon";
    case "Day":
      return "2";
    case "UnderDay":
      return "_2";
    case "ZeroDay":
      return "02";
    case "UnderYearDay":
      return "__2";
    case "ZeroYearDay":
      return "002";
    case "Hour":
      return "15";
    case "Hour12":
      return "3";
    case "ZeroHour12":
      return "03";
    case "Minute":
      return "4";
    case "ZeroMinute":
      return "04";
    case "Second":
      return "5";
    case "ZeroSecond":
      return "05";
    case "LongYear":
      return "2006";
    case "Year":
      return "06";
    case "PM":
      return "PM";
    case "pm":
      return "pm";
    case "TZ":
      return "MST";
    case "NumTZ":
      return s.text;
    case "Frac":
      return s.sep + (s.nines ? "9" : "0").repeat(s.n);
  }
  return layout;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Go `time.Parse` (no location: missing zone information means UTC). */
export function parseLayout(layout: string, value: string): Timestamp {
  const original = value;
  const chunks = parseLayoutChunks(layout);
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let zoneName = "";
  let utc = false;

  const fail = (elem: string, rest: string): never => {
    throw new LayoutParseError(
      "INVALID_ARGUMENT",
      `parsing time ${quote(original)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(elem)}`,
    );
  };
  const rangeFail = (what: string): never => {
    throw new LayoutParseError("INVALID_ARGUMENT", `parsing time ${quote(original)}: ${what} out of range`);
  };

  const getNum = (fixed: boolean): number | undefined => {
    const d0 = value[0];
    if (d0 === undefined || d0 < "0" || d0 > "9") return undefined;
    const d1 = value[1];
    if (d1 === undefined || d1 < "0" || d1 > "9") {
      if (fixed) return undefined;
      value = value.slice(1);
      return Number(d0);
    }
    value = value.slice(2);
    return Number(d0 + d1);
  };
  const getNum3 = (fixed: boolean): number | undefined => {
    let n = 0;
    let i = 0;
    for (
      ;
      i < 3 && value[i] !== undefined && (value[i] as string) >= "0" && (value[i] as string) <= "9";
      i++
    ) {
      n = n * 10 + Number(value[i]);
    }
    if (i === 0 || (fixed && i !== 3)) return undefined;
    value = value.slice(i);
    return n;
  };
  const lookup = (tab: readonly string[]): number | undefined => {
    for (let i = 0; i < tab.length; i++) {
      const v = tab[i] as string;
      if (value.length >= v.length && value.slice(0, v.length).toLowerCase() === v.toLowerCase()) {
        value = value.slice(v.length);
        return i;
      }
    }
    return undefined;
  };

  for (let ci = 0; ci < chunks.length; ci++) {
    const s = chunks[ci] as Std;
    const elem = stdText(s, layout);
    const before = value;
    if (s.t === "lit") {
      // Go skips leading spaces in both layout and value when the literal starts with spaces.
      let lit = s.s;
      while (lit.length > 0 && lit[0] === " " && value.length > 0 && value[0] === " ") {
        lit = lit.slice(1);
        value = value.slice(1);
      }
      if (!value.startsWith(lit)) fail(s.s, before);
      value = value.slice(lit.length);
      continue;
    }
    switch (s.t) {
      case "Year": {
        if (value.length < 2) fail(elem, before);
        const p = value.slice(0, 2);
        if (!/^\d\d$/.test(p)) fail(elem, before);
        year = Number(p);
        year += year >= 69 ? 1900 : 2000;
        value = value.slice(2);
        break;
      }
      case "LongYear": {
        const p = value.slice(0, 4);
        if (!/^\d{4}$/.test(p)) fail(elem, before);
        year = Number(p);
        value = value.slice(4);
        break;
      }
      case "Month":
      case "LongMonth": {
        const tab = s.t === "Month" ? LONG_MONTHS.map((m) => m.slice(0, 3)) : LONG_MONTHS;
        const m = lookup(tab);
        if (m === undefined) fail(elem, before);
        month = (m as number) + 1;
        break;
      }
      case "NumMonth":
      case "ZeroMonth": {
        const m = getNum(s.t === "ZeroMonth");
        if (m === undefined) fail(elem, before);
        if ((m as number) <= 0 || (m as number) > 12) rangeFail("month");
        month = m as number;
        break;
      }
      case "WeekDay":
      case "LongWeekDay": {
        const tab = s.t === "WeekDay" ? LONG_DAYS.map((d) => d.slice(0, 3)) : LONG_DAYS;
        if (lookup(tab) === undefined) fail(elem, before);
        break;
      }
      case "Day":
      case "UnderDay":
      case "ZeroDay": {
        if (s.t === "UnderDay" && value[0] === " ") value = value.slice(1);
        const d = getNum(s.t === "ZeroDay");
        if (d === undefined) fail(elem, before);
        day = d as number;
        break;
      }
      case "UnderYearDay":
      case "ZeroYearDay": {
        for (let k = 0; k < 2 && s.t === "UnderYearDay" && value[0] === " "; k++) value = value.slice(1);
        const d = getNum3(s.t === "ZeroYearDay");
        if (d === undefined) fail(elem, before);
        yday = d as number;
        break;
      }
      case "Hour": {
        const h = getNum(false);
        if (h === undefined) fail(elem, before);
        if ((h as number) < 0 || (h as number) >= 24) rangeFail("hour");
        hour = h as number;
        break;
      }
      case "Hour12":
      case "ZeroHour12": {
        const h = getNum(s.t === "ZeroHour12");
        if (h === undefined) fail(elem, before);
        if ((h as number) < 0 || (h as number) > 12) rangeFail("hour");
        hour = h as number;
        break;
      }
      case "Minute":
      case "ZeroMinute": {
        const m = getNum(s.t === "ZeroMinute");
        if (m === undefined) fail(elem, before);
        if ((m as number) >= 60) rangeFail("minute");
        min = m as number;
        break;
      }
      case "Second":
      case "ZeroSecond": {
        const x = getNum(s.t === "ZeroSecond");
        if (x === undefined) fail(elem, before);
        if ((x as number) >= 60) rangeFail("second");
        sec = x as number;
        // A fractional second in the value without one in the layout is still accepted.
        const next = chunks[ci + 1];
        if (
          value.length >= 2 &&
          (value[0] === "." || value[0] === ",") &&
          /\d/.test(value[1] as string) &&
          next?.t !== "Frac"
        ) {
          let n = 1;
          while (n < value.length && /\d/.test(value[n] as string)) n++;
          nsec = fracToNanos(value.slice(1, n));
          value = value.slice(n);
        }
        break;
      }
      case "PM":
      case "pm": {
        const p = value.slice(0, 2);
        if (p.length < 2) fail(elem, before);
        if (p.toUpperCase() === "PM") pmSet = true;
        else if (p.toUpperCase() === "AM") amSet = true;
        else fail(elem, before);
        value = value.slice(2);
        break;
      }
      case "NumTZ": {
        if (s.iso && value[0] === "Z") {
          value = value.slice(1);
          utc = true;
          break;
        }
        const sign = value[0];
        if (sign !== "+" && sign !== "-") fail(elem, before);
        let rest = value.slice(1);
        const num2 = () => {
          const p = rest.slice(0, 2);
          if (!/^\d\d$/.test(p)) fail(elem, before);
          rest = rest.slice(2);
          return Number(p);
        };
        const hh = num2();
        let mm = 0;
        let ss = 0;
        if (!s.short) {
          if (s.colon) {
            if (rest[0] !== ":") fail(elem, before);
            rest = rest.slice(1);
          }
          mm = num2();
        }
        if (s.seconds) {
          if (s.colon) {
            if (rest[0] !== ":") fail(elem, before);
            rest = rest.slice(1);
          }
          ss = num2();
        }
        if (hh > 24 || mm >= 60 || ss >= 60) rangeFail("time zone offset");
        zoneOffset = (hh * 3600 + mm * 60 + ss) * (sign === "-" ? -1 : 1);
        value = rest;
        break;
      }
      case "TZ": {
        if (value.startsWith("UTC")) {
          value = value.slice(3);
          utc = true;
          break;
        }
        const m = /^[A-Z]{3,5}/.exec(value);
        if (!m) fail(elem, before);
        zoneName = (m as RegExpExecArray)[0];
        value = value.slice(zoneName.length);
        break;
      }
      case "Frac": {
        if (s.nines) {
          if (value.length < 2 || (value[0] !== "." && value[0] !== ",") || !/\d/.test(value[1] as string))
            break;
          let n = 1;
          while (n < value.length && /\d/.test(value[n] as string)) n++;
          nsec = fracToNanos(value.slice(1, n));
          value = value.slice(n);
        } else {
          const want = 1 + s.n;
          const p = value.slice(0, want);
          if (p.length < want || (p[0] !== "." && p[0] !== ",") || !/^\d+$/.test(p.slice(1)))
            fail(elem, before);
          nsec = fracToNanos(p.slice(1));
          value = value.slice(want);
        }
        break;
      }
    }
  }
  if (value.length > 0) {
    throw new LayoutParseError(
      "INVALID_ARGUMENT",
      `parsing time ${quote(original)}: extra text: ${quote(value)}`,
    );
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (yday < 1 || yday > (leap ? 366 : 365)) rangeFail("day-of-year");
    const days = daysFromCivil(year, 1, 1) + yday - 1;
    const c = civil(BigInt(days) * 86400n * NS_PER_SEC, 0);
    if (month >= 0 && month !== c.month) rangeFail("day-of-year");
    if (day >= 0 && day !== c.day) rangeFail("day-of-year");
    month = c.month;
    day = c.day;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) rangeFail("day");

  const localSecs = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + min * 60 + sec);
  if (utc) return new Timestamp(localSecs * NS_PER_SEC + BigInt(nsec), UTC);
  if (zoneOffset !== undefined) {
    const ns = (localSecs - BigInt(zoneOffset)) * NS_PER_SEC + BigInt(nsec);
    if (zoneOffsetAt(LOCAL, ns) === zoneOffset) return new Timestamp(ns, LOCAL);
    return new Timestamp(ns, { name: "", fixed: zoneOffset });
  }
  if (zoneName !== "") {
    const ns = localSecs * NS_PER_SEC + BigInt(nsec);
    return new Timestamp(ns, { name: zoneName, fixed: 0 });
  }
  return new Timestamp(localSecs * NS_PER_SEC + BigInt(nsec), UTC);
}

function fracToNanos(digits: string): number {
  return Number((digits + "000000000").slice(0, 9));
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The same instant shown in another zone. */
export function inZone(t: Timestamp, zone: Zone): Timestamp {
  return new Timestamp(t.ns, zone);
}

// ---------------------------------------------------------------------------------------------
// strftime / strptime (C-style directives)

/** `ts_strftime`: C `strftime` directives. */
export function strftime(t: Timestamp, fmt: string): string {
  const off = zoneOffsetAt(t.zone, t.ns);
  const c = civil(t.ns, off);
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch !== "%" || i + 1 >= fmt.length) {
      out += ch;
      continue;
    }
    const d = fmt[++i] as string;
    switch (d) {
      case "a":
        out += (LONG_DAYS[c.weekday] as string).slice(0, 3);
        break;
      case "A":
        out += LONG_DAYS[c.weekday];
        break;
      case "b":
      case "h":
        out += (LONG_MONTHS[c.month - 1] as string).slice(0, 3);
        break;
      case "B":
        out += LONG_MONTHS[c.month - 1];
        break;
      case "c":
        out += strftime(t, "%a %b %e %H:%M:%S %Y");
        break;
      case "C":
        out += pad(Math.floor(c.year / 100), 2);
        break;
      case "d":
        out += pad(c.day, 2);
        break;
      case "D":
      case "x":
        out += strftime(t, "%m/%d/%y");
        break;
      case "e":
        out += pad(c.day, 2, " ");
        break;
      case "f":
        out += pad(Math.floor(c.nanos / 1000), 6);
        break;
      case "F":
        out += strftime(t, "%Y-%m-%d");
        break;
      case "H":
        out += pad(c.hour, 2);
        break;
      case "I":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case "j":
        out += pad(c.yday, 3);
        break;
      case "k":
        out += pad(c.hour, 2, " ");
        break;
      case "l":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2, " ");
        break;
      case "m":
        out += pad(c.month, 2);
        break;
      case "M":
        out += pad(c.minute, 2);
        break;
      case "n":
        out += "\n";
        break;
      case "p":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "R":
        out += strftime(t, "%H:%M");
        break;
      case "r":
        out += strftime(t, "%I:%M:%S %p");
        break;
      case "s":
        out += (t.ns / NS_PER_SEC - (t.ns < 0n && t.ns % NS_PER_SEC !== 0n ? 1n : 0n)).toString();
        break;
      case "S":
        out += pad(c.second, 2);
        break;
      case "t":
        out += "\t";
        break;
      case "T":
      case "X":
        out += strftime(t, "%H:%M:%S");
        break;
      case "u":
        out += String(c.weekday === 0 ? 7 : c.weekday);
        break;
      case "w":
        out += String(c.weekday);
        break;
      case "y":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "Y":
        out += pad(c.year, 4);
        break;
      case "z":
        out += formatOffset(off, false, false);
        break;
      case "Z":
        out += zoneAbbrev(t.zone, t.ns, off);
        break;
      case "%":
        out += "%";
        break;
      default:
        out += "%" + d;
    }
  }
  return out;
}

/** `ts_strptime`: translates the C directives to a Go layout and parses with it. */
export function strptime(fmt: string, value: string): Timestamp {
  const map: Record<string, string> = {
    a: "Mon",
    A: "Monday",
    b: "Jan",
    h: "Jan",
    B: "January",
    d: "02",
    e: "_2",
    f: ".000000",
    F: "2006-01-02",
    H: "15",
    I: "03",
    j: "002",
    m: "01",
    M: "04",
    p: "PM",
    S: "05",
    T: "15:04:05",
    y: "06",
    Y: "2006",
    z: "-0700",
    Z: "MST",
    "%": "%",
  };
  let layout = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch === "%" && i + 1 < fmt.length) {
      const d = fmt[++i] as string;
      const m = map[d];
      if (m === undefined) throw new QueryError("INVALID_ARGUMENT", `unsupported directive %${d}`);
      if (d === "f" && layout.endsWith(".")) layout = layout.slice(0, -1);
      layout += m;
    } else layout += ch;
  }
  return parseLayout(layout, value);
}

// ---------------------------------------------------------------------------------------------
// durations

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go `time.ParseDuration`, in nanoseconds. */
export function parseDuration(s: string): bigint {
  const orig = s;
  const invalid = () => new QueryError("INVALID_ARGUMENT", `time: invalid duration ${quote(orig)}`);
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const intPart = m[1] ?? "";
    const fracPart = m[2];
    if (intPart === "" && (fracPart === undefined || fracPart === "")) throw invalid();
    s = s.slice(m[0].length);
    const u = /^[^\d.]*/.exec(s) as RegExpExecArray;
    const unit = u[0];
    if (unit === "")
      throw new QueryError("INVALID_ARGUMENT", `time: missing unit in duration ${quote(orig)}`);
    const mult = UNIT_NS[unit];
    if (mult === undefined) {
      throw new QueryError(
        "INVALID_ARGUMENT",
        `time: unknown unit ${quote(unit)} in duration ${quote(orig)}`,
      );
    }
    s = s.slice(unit.length);
    total += Number(intPart === "" ? "0" : intPart) * mult;
    if (fracPart) total += Number(`0.${fracPart}`) * mult;
    if (total > 9.223372036854776e18) throw invalid();
  }
  const r = BigInt(Math.round(total));
  return neg ? -r : r;
}

/** Go `time.Duration.String()`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < NS_PER_SEC) {
    let unit: string;
    let scale: bigint;
    if (u < 1000n) return (neg ? "-" : "") + u.toString() + "ns";
    if (u < 1000000n) {
      unit = "µs";
      scale = 1000n;
    } else {
      unit = "ms";
      scale = 1000000n;
    }
    out = fracStr(u, scale) + unit;
  } else {
    const h = u / 3600000000000n;
    u -= h * 3600000000000n;
    const m = u / 60000000000n;
    u -= m * 60000000000n;
    out = fracStr(u, NS_PER_SEC) + "s";
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return (neg ? "-" : "") + out;
}

function fracStr(v: bigint, scale: bigint): string {
  const whole = v / scale;
  const frac = v % scale;
  if (frac === 0n) return whole.toString();
  const width = scale.toString().length - 1;
  return `${whole}.${frac.toString().padStart(width, "0").replace(/0+$/, "")}`;
}

// ---------------------------------------------------------------------------------------------
// calendar arithmetic

/** Go `Time.AddDate` in the timestamp's zone. */
export function addDate(t: Timestamp, years: number, months: number, days: number): Timestamp {
  const off = zoneOffsetAt(t.zone, t.ns);
  const c = civil(t.ns, off);
  let y = c.year + years;
  let mo = c.month + months;
  y += Math.floor((mo - 1) / 12);
  mo = ((((mo - 1) % 12) + 12) % 12) + 1;
  const dayNum = daysFromCivil(y, mo, 1) + c.day - 1 + days;
  const localSec = BigInt(dayNum) * 86400n + BigInt(c.hour * 3600 + c.minute * 60 + c.second);
  let ns = (localSec - BigInt(off)) * NS_PER_SEC + BigInt(c.nanos);
  const off2 = zoneOffsetAt(t.zone, ns);
  if (off2 !== off) ns += BigInt(off - off2) * NS_PER_SEC;
  return new Timestamp(ns, t.zone);
}

/** An ISO 8601 period (`P1Y2M3DT4H5M6S`, `P2W`). */
export interface Period {
  years: number;
  months: number;
  days: number;
  ns: bigint;
}

export function parsePeriod(s: string): Period {
  const m =
    /^([-+])?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(
      s,
    );
  if (!m || s === "P" || s.endsWith("T")) {
    throw new QueryError("INVALID_ARGUMENT", `failed to parse ISO 8601 duration: ${quote(s)} is not valid`);
  }
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x.replace(",", ".")));
  const sign = m[1] === "-" ? -1 : 1;
  const secs = n(m[6]) * 3600 + n(m[7]) * 60 + n(m[8]);
  return {
    years: sign * n(m[2]),
    months: sign * n(m[3]),
    days: sign * (n(m[4]) * 7 + n(m[5])),
    ns: BigInt(Math.round(sign * secs * 1e9)),
  };
}

export function addPeriod(t: Timestamp, p: Period, sign: 1 | -1): Timestamp {
  const d = addDate(t, sign * Math.trunc(p.years), sign * Math.trunc(p.months), sign * Math.trunc(p.days));
  return new Timestamp(d.ns + (sign === 1 ? p.ns : -p.ns), t.zone);
}

/** Go `Time.Round(d)`: to the nearest multiple of `d` since the zero time, halves up. */
export function roundTime(t: Timestamp, d: bigint): Timestamp {
  if (d <= 0n) return t;
  const ZERO_OFFSET = 62135596800n * NS_PER_SEC;
  const abs = t.ns + ZERO_OFFSET;
  let r = abs % d;
  if (r < 0n) r += d;
  let res = abs - r;
  if (r + r >= d) res += d;
  return new Timestamp(res - ZERO_OFFSET, t.zone);
}
