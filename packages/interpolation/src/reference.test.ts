// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${! … }` and `${VAR}` in plain strings are the syntax under test
import { describe, expect, it } from "vitest";
import { msg, run } from "../test/helpers.js";
import { substituteEnvVars } from "./env-vars.js";

/** The interpolations shown in ../shared/reference/*.md, with the outputs the reference gives. */
describe("interpolation - reference component examples", () => {
  const m = msg('{"meta":{"type":"created"},"id":1}', {
    metadata: { kafka_topic: "orders", Timestamp: "2024-05-01T12:00:00Z" },
  });

  it.each([
    ["foo.bar.baz", "foo.bar.baz"],
    ['${! meta("kafka_topic") }', "orders"],
    ['foo.${! json("meta.type") }', "foo.created"],
    ['${!meta("Timestamp")}', "2024-05-01T12:00:00Z"],
    ["application/json", "application/json"],
  ])("interpolation - jetstream output field %j gives %j", (field, expected) => {
    expect(run(field, m)).toBe(expected);
  });

  it("interpolation - a subject from a missing key prints null rather than failing", () => {
    expect(run('foo.${! json("meta.type") }', msg("{}"))).toBe("foo.null");
    expect(run('${! meta("kafka_topic") }', msg("{}"))).toBe("null");
  });

  it("interpolation - password: ${KEY_PASSWORD} is a config-level variable", () => {
    const r = substituteEnvVars("password: ${KEY_PASSWORD}", { KEY_PASSWORD: "s3cret" });
    expect(r).toMatchObject({ text: "password: s3cret", missing: [] });
    const missing = substituteEnvVars("password: ${KEY_PASSWORD}", {});
    expect(missing).toMatchObject({ text: "password: ", missing: ["KEY_PASSWORD"] });
  });

  it("interpolation - env substitution leaves interpolations for the runtime", () => {
    const config = 'subject: ${PREFIX:events}.${! meta("kafka_topic") }';
    const { text } = substituteEnvVars(config, {});
    expect(text).toBe('subject: events.${! meta("kafka_topic") }');
    expect(run(text.slice("subject: ".length), m)).toBe("events.orders");
  });
});
