import { ConfigError } from "@natskit/nats-connection";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseOutputConfig } from "./config.js";

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseOutputConfig(raw);
  } catch (e) {
    expect(ConfigError.isInstance(e)).toBe(true);
    return [...(e as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

describe("jetstream-output config", () => {
  it("jetstream-output - the reference's minimal config gets the reference defaults", () => {
    const c = parseOutputConfig({ urls: ["nats://127.0.0.1:4222"], subject: "foo" }, { label: "out" });
    expect(c.maxInFlight).toBe(1024);
    expect(c.headers).toEqual([]);
    expect(c.metadata).toBeUndefined();
    expect(c.subject.isStatic).toBe(true);
    expect(c.connection.name).toBe("out");
    expect(c.msgId).toBe("generate");
    expect(c.ackTimeoutMs).toBe(5000);
    expect(c.maxRetries).toBe(10);
    expect(c.tracing).toBeUndefined();
  });

  it("jetstream-output - the reference doc's full example parses", () => {
    const c = parseOutputConfig({
      urls: ["nats://127.0.0.1:4222"],
      max_reconnects: -1,
      subject: "foo.bar.baz",
      headers: { "Content-Type": "application/json", Timestamp: '${!meta("Timestamp")}' },
      metadata: { include_prefixes: [], include_patterns: [] },
      max_in_flight: 64,
      tls: {
        enabled: false,
        skip_cert_verify: false,
        enable_renegotiation: false,
        root_cas: "",
        root_cas_file: "",
        client_certs: [],
      },
      tls_handshake_first: false,
      auth: { user: "u", password: "p" },
      inject_tracing_map: "meta = @.merge(this)",
    });
    expect(c.headers.map(([k, v]) => [k, v.isStatic])).toEqual([
      ["Content-Type", true],
      ["Timestamp", false],
    ]);
    expect(c.metadata).toBeUndefined(); // empty lists include nothing
    expect(c.connection.maxReconnects).toBe(-1);
    expect(c.tracing).toBeDefined();
  });

  it("jetstream-output - msg_id absent generates ids, empty disables them, a template is compiled", () => {
    expect(parseOutputConfig({ urls: ["h:1"], subject: "a", msg_id: "" }).msgId).toBe("none");
    const c = parseOutputConfig({ urls: ["h:1"], subject: "a", msg_id: '${! json("id") }' });
    expect(typeof c.msgId).toBe("object");
  });

  it("jetstream-output - a static msg_id is a config error: the stream would keep only the first message", () => {
    expect(issuesOf({ urls: ["h:1"], subject: "a", msg_id: "abc" })).toEqual([
      {
        path: "msg_id",
        message:
          "is the same for every message ('abc'), so the stream would store only the first: interpolate it, e.g. '${! json(\"id\") }', or leave it out for a generated id",
      },
    ]);
  });

  it("jetstream-output - a static subject over 4000 bytes is a config error", () => {
    expect(issuesOf({ urls: ["h:1"], subject: "a".repeat(4001) })).toEqual([
      {
        path: "subject",
        message:
          "subject is 4001 bytes, over 4000: nats-server refuses protocol lines over 4096 bytes (max_control_line) and drops the connection",
      },
    ]);
    expect(
      parseOutputConfig({ urls: ["h:1"], subject: `${"é".repeat(1999)}.x` }).subject.source,
    ).toHaveLength(2001);
    expect(issuesOf({ urls: ["h:1"], subject: `${"é".repeat(2000)}.x` })).toHaveLength(1);
  });

  it("jetstream-output - reports every problem at once with its field path", () => {
    const broken = {
      urls: ["h:1"],
      subject: "a..b",
      headers: { "Bad Name": "x", Good: "${! nope( }" },
      metadata: { include_patterns: ["(unclosed"] },
      max_in_flight: 0,
      ack_timeout: "soon",
      backoff: { initial_interval: "2s", max_interval: "1s" },
      auth: { token: "t", user: "u", password: "p" },
    };
    const issues2 = issuesOf({ ...broken, extra: true, max_retries: "many" });
    expect(issues2).toEqual(
      expect.arrayContaining([
        {
          path: "auth",
          message: "multiple auth methods configured (token, user+password); only one is permitted",
        },
        { path: "subject", message: "subject 'a..b' has an empty token" },
        {
          path: `headers["Bad Name"]`,
          message: expect.stringContaining("header name 'Bad Name' has characters"),
        },
        { path: "headers.Good", message: expect.stringContaining("failed to parse interpolation") },
        {
          path: "metadata.include_patterns[0]",
          message: expect.stringContaining('failed to compile regexp "(unclosed"'),
        },
        { path: "max_in_flight", message: "must be at least 1, got 0" },
        { path: "ack_timeout", message: expect.stringContaining("'soon' is not a duration") },
        { path: "backoff.max_interval", message: "must not be below backoff.initial_interval" },
        { path: "extra", message: "unknown field" },
        { path: "max_retries", message: "expected number, got string" },
      ]),
    );
    expect(issues2).toHaveLength(10);
  });

  it("jetstream-output - ttl becomes the Nats-TTL header; a static ttl the server would refuse is a config error", () => {
    const c = parseOutputConfig({ urls: ["nats://h"], subject: "a", ttl: "90s" });
    expect(c.ttl?.source).toBe("90s");
    expect(c.headers.map(([n]) => n)).toEqual(["Nats-TTL"]);
    for (const ok of ["never", "1s", "1h30m", "3600", '${! meta("ttl") }']) {
      expect(() => parseOutputConfig({ urls: ["nats://h"], subject: "a", ttl: ok })).not.toThrow();
    }
    for (const [bad, text] of [
      ["500ms", "must be at least 1s"],
      ["0", "must be at least 1s"],
      ["soon", "is not a ttl"],
    ] as const) {
      expect(issuesOf({ urls: ["nats://h"], subject: "a", ttl: bad })).toEqual([
        { path: "ttl", message: expect.stringContaining(text) },
      ]);
    }
  });

  it("jetstream-output - fast_ingest is off or auto", () => {
    expect(parseOutputConfig({ urls: ["nats://h"], subject: "a" }).fastIngest).toBe("off");
    expect(parseOutputConfig({ urls: ["nats://h"], subject: "a", fast_ingest: "auto" }).fastIngest).toBe(
      "auto",
    );
    expect(issuesOf({ urls: ["nats://h"], subject: "a", fast_ingest: "on" })[0]?.path).toBe("fast_ingest");
  });

  it("jetstream-output - subject is required", () => {
    expect(issuesOf({ urls: ["h:1"] })).toEqual([{ path: "subject", message: "required" }]);
  });

  it("jetstream-output - a broken interpolation in the subject names the field", () => {
    const [issue] = issuesOf({ urls: ["h:1"], subject: 'events.${! meta("x") ' });
    expect(issue?.path).toBe("subject");
    expect(issue?.message).toContain("failed to parse interpolation: char");
  });

  it("jetstream-output - a header value with a line break is a config error when static", () => {
    expect(issuesOf({ urls: ["h:1"], subject: "a", headers: { X: "a\nb" } })).toEqual([
      { path: "headers.X", message: "header value contains CR or LF" },
    ]);
  });

  it("jetstream-output - a regex that would backtrack badly compiles to a linear-time matcher", () => {
    const c = parseOutputConfig({ urls: ["h:1"], subject: "a", metadata: { include_patterns: ["^(a+)+$"] } });
    const started = Date.now();
    expect(c.metadata?.patterns[0]?.matcher(`${"a".repeat(5000)}!`).find()).toBe(false);
    // A backtracking engine would not return at all; linear time is milliseconds.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("jetstream-output - errors never contain secrets", () => {
    const issues = issuesOf({
      urls: ["nats://u:pw-HIDDEN@h:1"],
      subject: "a",
      auth: { token: "tok-HIDDEN" },
    });
    expect(JSON.stringify(issues)).not.toContain("HIDDEN");
  });

  it("jetstream-output - any input gives a config or a ConfigError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              urls: fc.array(fc.string()),
              subject: fc.string(),
              headers: fc.dictionary(fc.string(), fc.string()),
              metadata: fc.record({
                include_prefixes: fc.array(fc.string()),
                include_patterns: fc.array(fc.string()),
              }),
              max_in_flight: fc.integer(),
              msg_id: fc.string(),
              ack_timeout: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        (raw) => {
          try {
            parseOutputConfig(raw);
          } catch (e) {
            expect(ConfigError.isInstance(e)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
