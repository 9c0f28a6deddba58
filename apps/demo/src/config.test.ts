import { createMessage } from "@natskit/interpolation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatProblem,
  loadConfig,
  MAX_CONFIG_CHARS,
  type Problem,
  parsePath,
  renderConfigPath as renderPath,
} from "./config.js";
import { configJsonSchema } from "./schema.js";
import { summaryLine } from "./summary.js";

const VALID = `input:
  generate:
    count: \${COUNT:3}
    content: '{"id":\${! counter() },"type":"a"}'
pipeline:
  processors:
    - mapping: meta type = this.type
    - dedupe:
        cache: seen
        key: '\${! json("id") }'
cache_resources:
  - label: seen
    nats_kv:
      urls: [nats://127.0.0.1:4222]
      bucket: seen
output:
  label: out
  nats_jetstream:
    urls: ["\${NATS_URL:nats://127.0.0.1:4222}"]
    subject: 'ev.\${! meta("type") }'
`;

describe("config", () => {
  it("demo - a valid config compiles to a plan with env defaults applied", () => {
    const { plan, problems } = loadConfig(VALID, {});
    expect(problems).toEqual([]);
    expect(plan?.input).toMatchObject({ kind: "generate", count: 3 });
    expect(plan?.processors.map((p) => p.kind)).toEqual(["mapping", "dedupe"]);
    expect(plan?.caches[0]?.config.bucket).toBe("seen");
    expect(plan?.output.label).toBe("out");
  });

  it("demo - dedupe without an output msg_id is a warning naming msg_id; allow_empty_key is a bool", () => {
    const { plan, warnings } = loadConfig(VALID, {});
    expect(plan).toBeDefined();
    expect(warnings).toMatchObject([
      { path: ["output", "nats_jetstream", "msg_id"], line: 18, message: expect.stringContaining("rerun") },
    ]);
    expect(formatProblem("c.yaml", warnings?.[0] as never, "warning")).toMatch(
      /^c\.yaml:18:\d+: warning: output\.nats_jetstream\.msg_id: is not set/,
    );
    const withId = loadConfig(`${VALID}    msg_id: '\${! json("id") }'\n`, {});
    expect(withId.warnings).toEqual([]);
    const bad = loadConfig(
      VALID.replace("        cache: seen\n", "        cache: seen\n        allow_empty_key: 1\n"),
      {},
    );
    expect(bad.problems).toMatchObject([
      {
        path: ["pipeline", "processors", 1, "dedupe", "allow_empty_key"],
        message: "expected true or false, got number 1",
      },
    ]);
    const ok = loadConfig(
      VALID.replace("        cache: seen\n", "        cache: seen\n        allow_empty_key: true\n"),
      {},
    );
    expect(ok.plan?.processors[1]).toMatchObject({ kind: "dedupe", allowEmptyKey: true });
  });

  it("demo - tls.skip_cert_verify is a warning on each component that sets it, never silent", () => {
    const text = `${VALID.replace("      bucket: seen\n", "      bucket: seen\n      tls: { enabled: true, skip_cert_verify: true }\n")}    msg_id: '\${! json("id") }'\n    tls:\n      enabled: true\n      skip_cert_verify: true\n`;
    const { plan, warnings } = loadConfig(text, {});
    expect(plan).toBeDefined();
    expect(warnings?.map((w) => formatProblem("c.yaml", w, "warning"))).toEqual([
      expect.stringMatching(
        /^c\.yaml:\d+:\d+: warning: cache_resources\[0\]\.nats_kv\.tls\.skip_cert_verify: true: the server's certificate is not checked/,
      ),
      expect.stringMatching(
        /^c\.yaml:2\d:7: warning: output\.nats_jetstream\.tls\.skip_cert_verify: true: the server's certificate is not checked/,
      ),
    ]);
  });

  it("demo - generate.interval defaults to 1s as in Redpanda Connect; '' means no pause", () => {
    const withInterval = (line: string) =>
      loadConfig(VALID.replace("    count: ${COUNT:3}\n", `    count: \${COUNT:3}\n${line}`), {});
    expect(withInterval("").plan?.input).toMatchObject({ kind: "generate", intervalMs: 1000 });
    expect(withInterval('    interval: ""\n').plan?.input).toMatchObject({ intervalMs: 0 });
    expect(withInterval("    interval: 250ms\n").plan?.input).toMatchObject({ intervalMs: 250 });
    for (const bad of ["'@every 5m'", "'*/5 * * * *'"]) {
      const { plan, problems } = withInterval(`    interval: ${bad}\n`);
      expect(plan).toBeUndefined();
      expect(problems).toMatchObject([
        {
          path: ["input", "generate", "interval"],
          line: 4,
          message: expect.stringContaining("cron schedules"),
        },
      ]);
    }
    // A bare number is milliseconds, as for every duration field of the packages.
    expect(withInterval("    interval: 5\n").plan?.input).toMatchObject({ intervalMs: 5 });
    expect(withInterval("    interval: -1s\n").problems).toMatchObject([
      { path: ["input", "generate", "interval"], line: 4, message: "must not be negative" },
    ]);
  });

  it("demo - environment variables replace ${VAR} before parsing", () => {
    const { plan } = loadConfig(VALID, { COUNT: "42" });
    expect(plan?.input).toMatchObject({ count: 42 });
  });

  it("demo - the mapping processor attaches metadata from JSON fields", () => {
    const { plan } = loadConfig(VALID, {});
    const p = plan?.processors[0];
    if (p?.kind !== "mapping") throw new Error("expected a mapping");
    const msg = createMessage('{"type":"click"}');
    p.mapping.apply(msg);
    expect(msg.getMeta("type")).toBe("click");
  });

  it.each([
    ["${TOK|base64decode}", { TOK: "not base64!" }, "environment variable TOK: value is not valid base64"],
    ["${X|bogus}", { X: "v" }, "environment variable X: unknown filter 'bogus'"],
  ])(
    "demo - a variable filter that fails (%s) is a config problem at its position, not a crash",
    (ref, env, message) => {
      const { plan, problems } = loadConfig(`output:\n  nats_jetstream:\n    urls: [${ref}]\n`, env);
      expect(plan).toBeUndefined();
      expect(problems).toEqual([{ path: [], message, line: 3, col: 12 }]);
    },
  );

  it("demo - positions are in the config as written, before ${VAR} substitution", () => {
    const text = 'output:\n  nats_jetstream:\n    urls: [ "${NATS_URL}", "http://bad" ]\n    subject: x\n';
    const { problems } = loadConfig(text, { NATS_URL: "nats://a-rather-long-host-name:4222" });
    expect(problems).toMatchObject([
      { path: ["input"], line: 1, col: 1 },
      {
        path: ["output", "nats_jetstream", "urls", 1],
        line: 3,
        col: text.split("\n")[2]!.indexOf('"http') + 1,
      },
    ]);
  });

  it("demo - a YAML error never shows what a variable put into the text", () => {
    const { problems } = loadConfig("output:\n  nats_jetstream:\n    auth:\n      password: ${PW}\n", {
      PW: "*hunter2",
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(problems)).not.toContain("hunter2");
    expect(problems[0]?.message).toMatch(/^invalid YAML: /);
  });

  it("demo - a YAML error never shows a decoded (base64decode) value either", () => {
    const { problems } = loadConfig(
      "output:\n  nats_jetstream:\n    auth:\n      password: ${P|base64decode}\n",
      {
        P: Buffer.from("*hunter2secret").toString("base64"),
      },
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(problems)).not.toContain("hunter2");
  });

  it("demo - a missing variable without default is a problem at its position", () => {
    const { problems } = loadConfig("output:\n  nats_jetstream:\n    urls: [${NOPE}]\n", {});
    const p = problems.find((x) => x.message.includes("'NOPE'"));
    expect(p).toMatchObject({ line: 3, col: 12 });
  });

  it("demo - problems name the field path and the line:col of the nearest node", () => {
    const text = VALID.replace("bucket: seen", "bucket: 'a b'").replace("cache: seen", "cache: other");
    const { plan, problems } = loadConfig(`${text}extra: 1\n`, {});
    expect(plan).toBeUndefined();
    const lines = problems.map((p) => formatProblem("c.yaml", p));
    expect(lines).toContain(
      "c.yaml:9:9: pipeline.processors[1].dedupe.cache: cache resource 'other' is not defined (defined: 'seen')",
    );
    expect(lines.some((l) => l.startsWith("c.yaml:15:7: cache_resources[0].nats_kv.bucket: "))).toBe(true);
    expect(lines.some((l) => l.startsWith("c.yaml:21:1: extra: unknown field"))).toBe(true);
  });

  it("demo - a missing required field points at its parent", () => {
    const { problems } = loadConfig("input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    subject: x\n", {});
    const urls = problems.find((p) => p.path.join(".") === "output.nats_jetstream.urls");
    expect(urls).toMatchObject({ line: 4, col: 3 });
  });

  it("demo - unknown component types are errors with their path", () => {
    const { problems } = loadConfig("input:\n  kafka: {}\noutput:\n  http_client: {}\n", {});
    expect(problems.map((p) => p.path.join("."))).toEqual(["input.kafka", "output.http_client"]);
  });

  it("demo - input files that cannot be read are problems on their path", () => {
    const { problems } = loadConfig(
      VALID.replace(
        /input:\n {2}generate:\n(.*\n){2}/,
        "input:\n  file:\n    paths: [/nonexistent/x.jsonl]\n",
      ),
      {},
    );
    expect(problems.map((p) => formatProblem("c.yaml", p))).toEqual([
      "c.yaml:3:13: input.file.paths[0]: cannot read '/nonexistent/x.jsonl': no such file",
    ]);
  });

  it("demo - a broken interpolation is reported on its field", () => {
    const { problems } = loadConfig(VALID.replace('json("id") }', 'json("id" }'), {});
    expect(problems.map((p) => p.path.join("."))).toEqual(["pipeline.processors.1.dedupe.key"]);
  });

  it("demo - invalid YAML is a problem with a position, not a crash", () => {
    const { problems } = loadConfig("input: [\n", {});
    expect(problems[0]?.message).toMatch(/^invalid YAML/);
    expect(problems[0]?.line).toBeGreaterThan(0);
  });

  it("demo - any text gives a plan or problems, never a crash", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = loadConfig(text, {});
        expect(r.plan !== undefined || r.problems.length > 0).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) },
    );
  });

  it("demo - issue paths of the packages are split into segments", () => {
    expect(parsePath("tls.client_certs[0].key_file")).toEqual(["tls", "client_certs", 0, "key_file"]);
    expect(parsePath("")).toEqual([]);
    const odd = ["auth", "a.b", "x[0]", 'q"', "", 2, "key"];
    expect(parsePath(renderPath(odd))).toEqual(odd);
  });

  it("demo - the JSON Schema covers input, caches and output fields", () => {
    const schema = JSON.stringify(configJsonSchema());
    for (const field of [
      "generate",
      "dedupe",
      "nats_kv",
      "nats_jetstream",
      "max_in_flight",
      "near_cache",
      "http",
      "address",
      "logger",
      "static_fields",
      "metrics",
      "prometheus",
    ])
      expect(schema).toContain(`"${field}"`);
  });

  it("demo - http, logger and metrics default to Redpanda Connect's: 0.0.0.0:4195, INFO logfmt, prometheus", () => {
    const { plan } = loadConfig(VALID, {});
    expect(plan?.http).toEqual({
      enabled: true,
      address: "0.0.0.0:4195",
      rootPath: "/benthos",
      configured: false,
    });
    expect(plan?.logger).toEqual({ staticFields: { "@service": "natskit" } });
    expect(plan?.metrics).toEqual({ kind: "prometheus", explicit: false });
    expect(plan?.inputLabel).toBe("");
  });

  it("demo - the Redpanda Connect shapes of http, logger and metrics load", () => {
    const { plan, problems, warnings } = loadConfig(
      `${VALID}    msg_id: '\${! json("id") }'
http:
  address: "127.0.0.1:0"
  enabled: true
  root_path: /natskit
  debug_endpoints: false
logger:
  level: Debug
  format: json
  add_timestamp: true
  level_name: severity
  static_fields:
    '@service': ingest
    env: prod
metrics:
  prometheus: {}
`,
      {},
    );
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(plan?.http).toEqual({
      enabled: true,
      address: "127.0.0.1:0",
      rootPath: "/natskit",
      configured: true,
    });
    expect(plan?.logger).toEqual({
      level: "debug",
      format: "json",
      addTimestamp: true,
      levelName: "severity",
      staticFields: { "@service": "ingest", env: "prod" },
    });
    expect(plan?.metrics).toEqual({ kind: "prometheus", explicit: true });
    const none = loadConfig(`${VALID}metrics:\n  none: {}\nlogger:\n  static_fields: {}\n`, {});
    expect(none.plan?.metrics.kind).toBe("none");
    expect(none.plan?.logger.staticFields).toEqual({});
  });

  it("demo - wrong http, logger and metrics fields are problems naming their path", () => {
    const { problems } = loadConfig(
      `${VALID}http:
  address: 4195
  enabled: "yes"
  root_path: metrics
  debug_endpoints: true
  cert_file: ./x.pem
  port: 1
logger:
  level: verbose
  format: text
  file:
    path: ./x.log
  static_fields:
    "a b": x
    msg: y
    ok: [1]
metrics:
  prometheus:
    push_url: http://gateway
  statsd: {}
`,
      {},
    );
    const shown = problems.map((p) => `${p.line}: ${renderPath(p.path)}: ${p.message}`);
    expect(shown).toEqual([
      "22: http.address: expected host:port, got number 4195",
      "23: http.enabled: expected true or false, got 'yes'",
      "24: http.root_path: expected a path starting with '/', got 'metrics'",
      "25: http.debug_endpoints: natskit has no debug endpoints: remove it or set false, got boolean true",
      "26: http.cert_file: Redpanda Connect's 'cert_file' is not supported by natskit: serve /metrics behind a TLS-terminating proxy",
      "27: http.port: unknown field 'port' (expected one of address, enabled, root_path, debug_endpoints)",
      "29: logger.level: expected one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL (any case), got 'verbose'",
      "30: logger.format: expected logfmt or json, got 'text'",
      "31: logger.file: Redpanda Connect's 'file' is not supported by natskit: logs go to stderr: redirect it",
      `34: logger.static_fields["a b"]: a field name cannot hold spaces, '=' or quotes`,
      "35: logger.static_fields.msg: 'msg' is the name of the level, message or time field",
      "36: logger.static_fields.ok: expected a string, got a list",
      "39: metrics.prometheus.push_url: Redpanda Connect's 'push_url' is not supported: natskit's prometheus metrics take no options and are served on the http server's /metrics",
      "40: metrics.statsd: unknown metrics type 'statsd' (supported: prometheus, none)",
    ]);
    expect(loadConfig(`${VALID}http:\n  address: "localhost:99999"\n`, {}).problems).toMatchObject([
      {
        path: ["http", "address"],
        message: "expected host:port such as '0.0.0.0:4195', got 'localhost:99999'",
      },
    ]);
    expect(loadConfig(`${VALID}metrics:\n  mapping: root = this\n`, {}).problems).toMatchObject([
      { path: ["metrics", "mapping"], message: expect.stringContaining("'mapping' is not supported") },
    ]);
  });

  it("demo - prometheus metrics with http off is a warning: nothing would serve them", () => {
    const { plan, warnings } = loadConfig(
      `${VALID}    msg_id: '\${! json("id") }'\nhttp:\n  enabled: false\nmetrics:\n  prometheus: {}\n`,
      {},
    );
    expect(plan).toBeDefined();
    expect(warnings).toMatchObject([
      { path: ["metrics", "prometheus"], message: expect.stringContaining("nothing serves /metrics") },
    ]);
  });

  it("demo - the summary line names every counter", () => {
    const stats = {
      read: 10,
      published: 8,
      acked: 7,
      duplicates: 0,
      batched: 0,
      takenOver: 0,
      deduplicated: 2,
      filtered: 0,
      failed: 1,
      errors: { ACK_TIMEOUT: 1 },
      retries: 0,
      elapsedMs: 1000,
      interrupted: false,
    };
    expect(summaryLine(stats)).toBe(
      "done: read 10, published 8, acked 7 (already in the stream 0), deduplicated 2, failed 1 (ACK_TIMEOUT 1) in 1.00s (7 msgs/s)",
    );
    expect(summaryLine({ ...stats, read: 13, filtered: 3, duplicates: 2, takenOver: 2 })).toBe(
      "done: read 13, published 8, acked 7 (already in the stream 2), deduplicated 2, taken over 2, filtered 3, failed 1 (ACK_TIMEOUT 1) in 1.00s (7 msgs/s)",
    );
    expect(summaryLine({ ...stats, batched: 5 })).toBe(
      "done: read 10, published 8, acked 7 (already in the stream 0, in batches 5), deduplicated 2, failed 1 (ACK_TIMEOUT 1) in 1.00s (7 msgs/s)",
    );
  });
});

describe("config - hostile input", () => {
  const SECRET_TEMPLATES = [
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth:\n      user: bob\n      password: ${NATS_PASSWORD}\n",
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth: {user: bob, password: ${NATS_PASSWORD}}\n",
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth: {token: ${NATS_PASSWORD}}\n    tls: {enabled: true, client_certs: [{cert: ${NATS_PASSWORD}, key: x}]}\n",
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: ['nats://bob:${NATS_PASSWORD}@127.0.0.1:4222']\n    subject: x\n",
    'input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth:\n      user: bob\n      password: "${NATS_PASSWORD}"\n',
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth:\n      user: bob\n      password: '${NATS_PASSWORD}'\n",
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n    auth: [${NATS_PASSWORD}]\n",
    "input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls:\n      - nats://127.0.0.1:4222\n      - ${NATS_PASSWORD}\n    subject: x\n",
  ];
  /** The value, and every piece of it YAML could cut out, that is long enough to be telling. */
  const pieces = (secret: string) =>
    [secret, ...secret.split(/[^A-Za-z0-9]+/)].filter((p) => p.length >= 6 && /[A-Za-z]/.test(p));
  const rendered = (text: string, env: Record<string, string>) => {
    const r = loadConfig(text, env);
    return [...r.problems, ...(r.warnings ?? [])].map((p) => formatProblem("c.yaml", p)).join("\n");
  };

  it("demo - a variable's value never shows in a problem, even when it breaks the YAML or becomes keys", () => {
    for (const secret of [
      "}Tr0ub4dor&3xyz",
      "correct,horse,battery",
      "[hunter2secret, x",
      'abc: b, c: "dsecret',
      "x\n  extraSecretKey: 1",
      // Found by the property below: an anchor before a key, block scalar headers, quotes and
      // dots in keys, urls whose error masks only the user info, an alias name with dots.
      ",&aAA0A0 A0Aaa0",
      ">AaaAA0#",
      "|\n  secretvalue",
      "A0A00A:@|",
      "a0AA0a:?@}",
      "aa0a0A@ 'A00aaa",
      '*aaAAa0:"a0AaAA',
      ",Aa0aaA..",
      "\ra0A000@AaaA0A\n}",
      "*a0A0a0..",
    ]) {
      for (const t of SECRET_TEMPLATES) {
        const out = rendered(t, { NATS_PASSWORD: secret });
        for (const p of pieces(secret)) expect(out, `template ${t}\nsecret ${secret}`).not.toContain(p);
      }
    }
  });

  it("demo - a YAML error inside a variable's value names the variable and the fix, not the text", () => {
    const r = loadConfig(SECRET_TEMPLATES[0] as string, { NATS_PASSWORD: "|Tr0ub4dor #x" });
    expect(r.problems.map((p) => formatProblem("c.yaml", p))).toEqual([
      'c.yaml:9:17: invalid YAML (UNEXPECTED_TOKEN) in the value of ${NATS_PASSWORD}, which is not shown: a value with YAML syntax in it (: , [ ] { } # & * ! | > and others) needs the reference quoted, e.g. "${NATS_PASSWORD}"',
    ]);
    // Quoted as it says, the same value is a password.
    const quoted = (SECRET_TEMPLATES[0] as string).replace("${NATS_PASSWORD}", '"${NATS_PASSWORD}"');
    expect(
      loadConfig(quoted, { NATS_PASSWORD: "|Tr0ub4dor #x" }).plan?.output.config.connection.auth,
    ).toMatchObject({
      password: "|Tr0ub4dor #x",
    });
  });

  it("demo - random secrets with YAML-special characters never show in lint output", () => {
    const special = fc.constantFrom(
      "}",
      "]",
      "[",
      "{",
      ",",
      ":",
      " ",
      "#",
      '"',
      "'",
      "\n",
      "&",
      "*",
      "@",
      "/",
      "%",
      "!",
      "|",
      ">",
      "-",
      "?",
      "\t",
      "\r",
      "`",
      "\\",
      "=",
      ";",
      "~",
      "é",
      "..",
    );
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{5,11}$/);
    const secret = fc
      .array(fc.oneof(word, special), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.join(""))
      .filter((s) => pieces(s).length > 0);
    fc.assert(
      fc.property(secret, fc.constantFrom(...SECRET_TEMPLATES), (s, t) => {
        const out = rendered(t, { NATS_PASSWORD: s });
        for (const p of pieces(s)) if (out.includes(p)) return false;
        return true;
      }),
      // PROPERTY_RUNS=200000 for a longer hunt.
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) },
    );
  });

  it("demo - random bytes, YAML and env values give a plan or problems, quickly, printable", () => {
    const bytes = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString("latin1"));
    const yamlish = fc
      .array(
        fc.constantFrom(
          "input:",
          "  stdin: {}",
          "output:",
          "  nats_jetstream:",
          "    subject: ${X}",
          "    urls: [${X}]",
          "- ",
          "  a: [",
          "&a",
          "*a",
          "\t",
          "\u0000",
          "\u00ff",
        ),
        {
          maxLength: 20,
        },
      )
      .map((l) => l.join("\n"));
    fc.assert(
      fc.property(fc.oneof(bytes, yamlish), fc.string({ maxLength: 30 }), (text, x) => {
        const started = performance.now();
        const r = loadConfig(text, { X: x });
        expect(performance.now() - started).toBeLessThan(10_000); // a hang, not a speed check
        expect(r.plan !== undefined || r.problems.length > 0).toBe(true);
        // Nothing that would garble a terminal comes from the YAML library's messages.
        for (const p of r.problems) expect(p.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) },
    );
  });

  it("demo - many keys load in linear time; an oversized config is refused before parsing", () => {
    const keys = (n: number) =>
      `input:\n  stdin: {}\noutput:\n  nats_jetstream:\n    urls: [nats://127.0.0.1:4222]\n    subject: x\n${Array.from({ length: n }, (_, i) => `k${i}: v`).join("\n")}\n`;
    // 40k unknown keys took minutes when every key was checked against every other. Speed is not
    // asserted (a loaded machine decides it); growth is: ten times the keys must cost about ten
    // times the time (it was about a hundred). Interleaved runs, the best of five of each, even
    // out the load of a busy machine.
    const small = keys(2_000);
    const big = keys(20_000);
    let smallMs = Number.POSITIVE_INFINITY;
    let bigMs = Number.POSITIVE_INFINITY;
    let problems: Problem[] = [];
    for (let i = 0; i < 5; i++) {
      let started = performance.now();
      loadConfig(small, {});
      smallMs = Math.min(smallMs, performance.now() - started);
      started = performance.now();
      problems = loadConfig(big, {}).problems;
      bigMs = Math.min(bigMs, performance.now() - started);
    }
    expect(problems).toHaveLength(20_000);
    expect(problems[19_999]).toMatchObject({ path: ["k19999"], line: 20_006, col: 1 });
    expect(bigMs / smallMs, `2k keys: ${smallMs} ms, 20k keys: ${bigMs} ms`).toBeLessThan(50);

    const dup = loadConfig("input:\n  stdin: {}\ninput:\n  stdin: {}\n", {});
    expect(dup.problems).toMatchObject([
      { line: 3, col: 1, message: "invalid YAML: Map keys must be unique: 'input'" },
    ]);

    const huge = loadConfig(`# ${"x".repeat(MAX_CONFIG_CHARS)}\n`, {});
    expect(huge.problems).toMatchObject([{ line: 1, message: expect.stringContaining("over the limit") }]);
  }, 120_000);
});
