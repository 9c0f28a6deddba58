// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, parseError, q, qError } from "../test/helpers.js";
import { formatDuration, parseDuration } from "./time.js";

const P = '"2006-01-02T15:04:05Z07:00"';

describe("interpolation - timestamp methods", () => {
  it.each([
    // Examples from the reference documentation.
    ['"2020-08-14T11:50:26.371Z".ts_format("2006-Jan-02 15:04:05")', "2020-Aug-14 11:50:26"],
    ['1597405526.ts_format(format: "2006-Jan-02 15:04:05", tz: "UTC")', "2020-Aug-14 11:45:26"],
    ['"2020-08-14T11:50:26.371Z".ts_strftime("%Y-%b-%d %H:%M:%S")', "2020-Aug-14 11:50:26"],
    ['"2020-08-14T11:50:26.371Z".ts_strftime("%Y-%b-%d %H:%M:%S.%f", "UTC")', "2020-Aug-14 11:50:26.371000"],
    ['"2020-Aug-14".ts_parse("2006-Jan-02")', "2020-08-14T00:00:00Z"],
    ['"Aug 14, 2020 at 5:54am (UTC)".ts_parse("Jan 2, 2006 at 3:04pm (MST)")', "2020-08-14T05:54:00Z"],
    ['"2020-Aug-14".ts_strptime("%Y-%b-%d")', "2020-08-14T00:00:00Z"],
    ['"2020-Aug-14 11:50:26.371000".ts_strptime("%Y-%b-%d %H:%M:%S.%f")', "2020-08-14T11:50:26.371Z"],
    ['"2020-08-14T05:54:23Z".ts_round("1h".parse_duration())', "2020-08-14T06:00:00Z"],
    ['"2020-08-14T05:54:23Z".ts_round("1m".parse_duration())', "2020-08-14T05:54:00Z"],
    ['"2021-02-03T17:05:06+01:00".ts_tz("UTC")', "2021-02-03T16:05:06Z"],
    ['"2021-02-03T16:05:06Z".ts_tz("America/New_York")', "2021-02-03T11:05:06-05:00"],
    ['"2020-08-14T05:54:23Z".ts_add_iso8601("P1Y")', "2021-08-14T05:54:23Z"],
    ['"2020-01-01T00:00:00Z".ts_add_iso8601("P1Y2M3DT4H5M6S")', "2021-03-04T04:05:06Z"],
    ['"2020-08-14T05:54:23Z".ts_sub_iso8601("P1Y")', "2019-08-14T05:54:23Z"],
    ['"2021-03-04T04:05:06Z".ts_sub_iso8601("P1Y2M3DT4H5M6S")', "2020-01-01T00:00:00Z"],
    ['"50us".parse_duration()', "50000"],
    ['"2h".parse_duration() / 1000000000', "7200"],
    ['"P3Y6M4DT12H30M5S".parse_duration_iso8601()', "110839937000000000"],
    ['"PT2H".parse_duration_iso8601() / 1000000000', "7200"],
    // Others.
    ['"2020-01-01T00:00:00Z".ts_unix()', "1577836800"],
    ['"2020-01-01T00:00:00.123456789Z".ts_unix_milli()', "1577836800123"],
    ['"2020-01-01T00:00:00.123456789Z".ts_unix_micro()', "1577836800123456"],
    ['"2020-01-01T00:00:00.123456789Z".ts_unix_nano()', "1577836800123456789"],
    ['"1969-12-31T23:59:59.5Z".ts_unix()', "-1"],
    ['"2020-01-01T00:00:00.5Z".ts_sub("2020-01-01T00:00:00Z".ts_parse(' + P + "))", "500000000"],
    ['1577836800.ts_format("2006-01-02T15:04:05Z07:00", "UTC")', "2020-01-01T00:00:00Z"],
    ['1577836800.5.ts_format("15:04:05.000", "UTC")', "00:00:00.500"],
    [
      '"2020-06-07T08:09:10.000000123+02:00".ts_parse("2006-01-02T15:04:05.999999999Z07:00")',
      "2020-06-07T08:09:10.000000123+02:00",
    ],
    [
      '"2020-01-02T03:04:05Z".ts_format("Mon Monday Jan January 1 01 2 02 _2 06 2006 3 03 15 4 04 5 05 PM pm 002 MST -0700 -07:00 Z07:00")',
      "Thu Thursday Jan January 1 01 2 02  2 20 2020 3 03 03 4 04 5 05 AM am 002 UTC +0000 +00:00 Z",
    ],
    ['"2020-01-02T15:04:05.120Z".ts_format(".000 .999 ,000")', ".120 .12 ,120"],
    [
      '"2020-01-02T15:04:05Z".ts_format("2006-01-02 15:04:05 -07:00", "Asia/Kolkata")',
      "2020-01-02 20:34:05 +05:30",
    ],
    [
      '"2020-01-02T03:04:05Z".ts_strftime("%a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %z %% %F %T")',
      "Thu Thursday Jan January 02  2 03 03 002 01 04 AM 05 20 2020 +0000 % 2020-01-02 03:04:05",
    ],
    ['"2020-02-29T00:00:00Z".ts_add_iso8601("P1Y")', "2021-03-01T00:00:00Z"],
    ['"2020-01-31T00:00:00Z".ts_add_iso8601("P1M")', "2020-03-02T00:00:00Z"],
    ['"2020-01-01T00:00:00Z".ts_add_iso8601("P2W")', "2020-01-15T00:00:00Z"],
    ['"2020-01-01T00:00:00Z".timestamp().type()', "timestamp"],
    ['"2020-01-01T00:00:00Z".ts_parse(' + P + ').ts_format("2006")', "2020"],
    ['"2020-Aug-14".parse_timestamp("2006-Jan-02").type()', "string"],
    ['"1h30m".parse_duration()', "5400000000000"],
    ['"-1.5h".parse_duration()', "-5400000000000"],
    ['"1h0.5m".parse_duration()', "3630000000000"],
  ])("interpolation - %s gives %j", (query, expected) => {
    expect(q(query)).toBe(expected);
  });

  it.each([
    [
      '"nope".ts_parse("2006-01-02")',
      'string literal: parsing time "nope" as "2006-01-02": cannot parse "nope" as "2006"',
    ],
    ['"2020-13-01".ts_parse("2006-01-02")', 'string literal: parsing time "2020-13-01": month out of range'],
    ['"2020-02-30".ts_parse("2006-01-02")', 'string literal: parsing time "2020-02-30": day out of range'],
    ['"2020-01-01x".ts_parse("2006-01-02")', 'string literal: parsing time "2020-01-01x": extra text: "x"'],
    [
      '"nope".ts_unix()',
      'string literal: parsing time "nope" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "nope" as "2006"',
    ],
    ['"5x".parse_duration()', 'string literal: time: unknown unit "x" in duration "5x"'],
    ['"5".parse_duration()', 'string literal: time: missing unit in duration "5"'],
    ['"".parse_duration()', 'string literal: time: invalid duration ""'],
    ["true.ts_unix()", "expected number or string value, got bool from bool literal (true)"],
  ])("interpolation - %s fails with %j", (query, message) => {
    expect(qError(query).message).toBe(message);
  });

  it.each(["100000000000000000000", "-100000000000000000000", "1e300"])(
    "interpolation - a unix timestamp too large for a calendar (%s) is a clear error",
    (n) => {
      expect(qError('this.ts.ts_format("2006")', msg(`{"ts":${n}}`)).message).toMatch(
        /^field `this.ts`: unix timestamp -?\d+ is out of range \(at most ±8640000000000 seconds\)$/,
      );
    },
  );

  it("interpolation - an unknown time zone is rejected when compiled", () => {
    expect(parseError('${! now().ts_format("2006", "Not/AZone") }').reason).toBe(
      "failed to parse timezone location name: unknown time zone Not/AZone",
    );
    expect(parseError('${! now().ts_tz("Nowhere") }').reason).toBe(
      "failed to parse timezone location name: unknown time zone Nowhere",
    );
  });

  it("interpolation - a body timestamp string can be reformatted", () => {
    const m = msg('{"at":"2024-05-01T12:34:56.789Z"}');
    expect(q('this.at.ts_format("2006/01/02")', m)).toBe("2024/05/01");
    expect(q("this.at.ts_unix()", m)).toBe("1714566896");
  });
});

describe("interpolation - durations", () => {
  it.each([
    ["0", 0n],
    ["1ns", 1n],
    ["1.5s", 1500000000n],
    ["2h45m", 9900000000000n],
    ["1µs", 1000n],
    ["+3ms", 3000000n],
  ])("interpolation - %s parses to %s ns", (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each([
    [0n, "0s"],
    [1500n, "1.5µs"],
    [1500000000n, "1.5s"],
    [5400000000000n, "1h30m0s"],
    [-2000000n, "-2ms"],
  ])("interpolation - %s ns prints %j", (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });
});
