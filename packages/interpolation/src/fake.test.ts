import { describe, expect, it } from "vitest";
import { parseError, q, qError, testEnv } from "../test/helpers.js";
import { FAKE_FUNCTIONS } from "./fake.js";
import { builtinFunctions } from "./functions/builtins.js";

// The shapes go-faker v4.7.0 gives each function Redpanda Connect's fake() accepts
// (internal/impl/lang/bloblang.go GetFakeValue).
const SHAPES: Record<string, RegExp> = {
  latitude: /^-?\d+(\.\d+)?$/,
  longitude: /^-?\d+(\.\d+)?$/,
  unix_time: /^\d+$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time_string: /^\d{2}:\d{2}:\d{2}$/,
  month_name: /^(January|February|March|April|May|June|July|August|September|October|November|December)$/,
  year_string: /^(19[6-9]\d|20\d\d)$/,
  day_of_week: /^(Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day$/,
  day_of_month: /^( [1-9]|[12]\d|3[01])$/,
  timestamp: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
  century: /^[IVX]+$/,
  timezone: /^[A-Za-z][\w+\-/]*$/,
  time_period: /^(AM|PM)$/,
  email: /^[A-Za-y]{7}@[A-Za-y]{7}\.(com|biz|info|net|org|ru|edu|top)$/,
  mac_address: /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/,
  domain_name: /^[a-z]{7}\.(com|biz|info|net|org|ru|edu|top)$/,
  url: /^https?:\/\/(www\.)?[a-z]{7}\.[a-z]+\/([A-Za-y]{7}(\.(html|php|jpg|webp|js|css|svg))?)?$/,
  username: /^[A-Za-y]{7}$/,
  ipv4: /^(\d{1,3}\.){3}\d{1,3}$/,
  ipv6: /^[0-9a-f:.]+$/,
  password: /^[A-Za-y]{50}$/,
  jwt: /^([A-Za-y]{40})\.\1\.\1$/,
  word: /^[a-z]+$/,
  sentence: /^[A-Z][a-z]*( [a-z]+){5}\.$/,
  paragraph: /^[A-Z][a-z]*( [a-z]+){5}\.( [A-Z][a-z]*( [a-z]+){5}\.){0,9}$/,
  cc_type: /^(VISA|MasterCard|American Express|Discover|JCB|Diners Club)$/,
  cc_number: /^\d{14,16}$/,
  currency: /^[A-Z]{3}$/,
  amount_with_currency: /^[A-Z]{3} \d+\.\d{6}$/,
  title_male: /^(Mr\.|Dr\.|Prof\.|Lord|King|Prince)$/,
  title_female: /^(Mrs\.|Ms\.|Miss|Dr\.|Prof\.|Lady|Queen|Princess)$/,
  first_name: /^[A-Z][\w'-]+$/,
  first_name_male: /^[A-Z][\w'-]+$/,
  first_name_female: /^[A-Z][\w'-]+$/,
  last_name: /^[A-Z][\w']+$/,
  name: /^\S+ [A-Z][\w'-]+ [A-Z][\w']+$/,
  gender: /^(Male|Female|Prefer to skip)$/,
  chinese_first_name: /^\p{Script=Han}{1,2}$/u,
  chinese_last_name: /^\p{Script=Han}{2}$/u,
  chinese_name: /^\p{Script=Han}{3,4}$/u,
  phone_number: /^\d{3}-\d{3}-\d{4}$/,
  toll_free_phone_number: /^\((777|888)\) \d{3}-\d{6}$/,
  e164_phone_number: /^\+[78]\d{11}$/,
  uuid_hyphenated: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  uuid_digit: /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/,
};

describe("fake", () => {
  it("fake - knows exactly the reference's function names", () => {
    expect([...FAKE_FUNCTIONS].sort()).toEqual(Object.keys(SHAPES).sort());
  });

  it.each(Object.entries(SHAPES))("fake - %s has go-faker's shape", (name, shape) => {
    for (let i = 0; i < 20; i++) expect(q(`fake("${name}")`)).toMatch(shape);
  });

  it("fake - coordinates are float64 numbers in range, unix_time an integer before now", () => {
    for (let i = 0; i < 50; i++) {
      const lat = Number(q('fake("latitude")'));
      const lon = Number(q('fake("longitude")'));
      expect(lat).toBeGreaterThanOrEqual(-90);
      expect(lat).toBeLessThan(90);
      expect(lon).toBeGreaterThanOrEqual(-180);
      expect(lon).toBeLessThan(180);
      // go-faker draws a float32 and widens it: the float64 is exactly a float32.
      expect(Math.fround(lat)).toBe(lat);
    }
    expect(q('fake("latitude").type()')).toBe("number");
    expect(q('fake("unix_time").type()')).toBe("number");
    expect(Number(q('fake("unix_time")'))).toBeLessThan(Date.now() / 1000);
    expect(q('fake("email").type()')).toBe("string");
  });

  it("fake - a sentence is six words and its first is capitalised", () => {
    const words = q('fake("sentence")').slice(0, -1).split(" ");
    expect(words).toHaveLength(6);
    expect(words[0]?.[0]).toBe(words[0]?.[0]?.toUpperCase());
  });

  it("fake - the card type drawn first is kept, and card numbers follow it", () => {
    const type = q('fake("cc_type")');
    const prefixes: Record<string, [RegExp, number]> = {
      VISA: [/^4/, 16],
      MasterCard: [/^5[1-5]/, 16],
      "American Express": [/^3[47]/, 15],
      Discover: [/^6011/, 16],
      JCB: [/^35[2-8]8/, 16],
      "Diners Club": [/^3[689]/, 14],
    };
    const [prefix, length] = prefixes[type] as [RegExp, number];
    for (let i = 0; i < 10; i++) {
      expect(q('fake("cc_type")')).toBe(type);
      const number = q('fake("cc_number")');
      expect(number).toMatch(prefix);
      expect(number).toHaveLength(length);
    }
  });

  it("fake - names are matched case-insensitively; no name gives 25 random letters", () => {
    expect(q('fake("UUID_Digit")')).toMatch(SHAPES.uuid_digit as RegExp);
    expect(q("fake()")).toMatch(/^[A-Za-y]{25}$/);
    expect(q('fake("")')).toMatch(/^[A-Za-y]{25}$/);
  });

  it("fake - values differ between evaluations", () => {
    expect(q('fake("uuid_digit") != fake("uuid_digit")')).toBe("true");
  });

  it("fake - an unknown name compiles, and fails when evaluated with the reference's text", () => {
    expect(testEnv.tryCompile('${! fake("nope") }').ok).toBe(true);
    expect(qError('fake("NoPe")').message).toBe("invalid faker function: NoPe");
    expect(parseError("${! fake(5) }").message).toContain("expected string, got number");
  });

  it("fake - is listed under Fake Data Generation", () => {
    expect(builtinFunctions().find((f) => f.name === "fake")?.category).toBe("Fake Data Generation");
  });
});
