import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The built package loads its extended method categories (dist/extended.js) with require(esm) on
// first use — a path that the unit tests, which run src/, never take. This runs dist/ in a plain
// node process, as a user's app would.
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

const SCRIPT = `
import { createRequire } from "node:module";
import { compileInterpolation, createEnvironment, createMessage, InterpolationError } from ${JSON.stringify(dist)};
const cache = createRequire(import.meta.url).cache;
const loaded = () => Object.keys(cache).some((k) => k.endsWith("/dist/extended.js"));
const out = {};
const env = createEnvironment();
const msg = createMessage(JSON.stringify({ a: [3, 1, 2], s: "aGVsbG8=", t: "2024-01-02T03:04:05Z", k: "secret" }), { metadata: { topic: "orders" } });
out.core = env.compile('events.\${! meta("topic").uppercase() }.\${! this.a.length() }').evaluate(msg);
out.known = [env.hasMethod("parse_jwt_hs256"), env.methodNames().includes("ts_format")];
out.loadedAfterCore = loaded();
out.timestamp = env.compile('\${! this.t.timestamp().ts_unix() }').evaluate(msg);
out.loadedAfterTimestamp = loaded();
out.families = env.compile([
  '\${! this.a.sort().map_each(x -> x * 2).sum() }',
  '\${! this.s.decode("base64") }',
  '\${! "a-b-c".re_replace_all("-", "+") }',
  '\${! "x: 1".parse_yaml().x }',
  '\${! "hi".hash("sha256").encode("hex").slice(0, 8) }',
  '\${! {"sub": "u"}.sign_jwt_hs256(this.k).parse_jwt_hs256(this.k).sub }',
  '\${! this.t.ts_parse("2006-01-02T15:04:05Z07:00").ts_format("2006") }',
  '\${! this.t.format_timestamp("Jan 2") }',
  '\${! "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.".compress("lz4").length() }',
  '\${! "ab ab ab ab ab".compress("snappy").decompress("snappy") }',
  '\${! "QlpoORdyRThQkAAAAAA=".decode("base64").decompress("bzip2").length() }',
].join("|")).evaluate(msg);
try { env.compile('\${! this.s.parse_json() }').evaluate(msg); } catch (e) { out.error = [e instanceof InterpolationError, e.code, e.message]; }
try { env.compile('\${! this.s.re_match(5) }'); } catch (e) { out.parseError = [e.code, e.message]; }
out.defaultEnv = compileInterpolation('\${! this.a.first() }').evaluate(msg);
// Eager entries whose work is in dist/extended.js too: hashes, fake data, paths, slugs, HTML.
out.hashes = env.compile([
  '\${! "there-are-many-blobs-in-the-sea".compare_bcrypt("$2y$10$Dtnt5NNzVtMCOZONT705tOcS8It6krJX8bEjnDJnwxiFKsz1C.3Ay") }',
  '\${! "there-are-many-blobs-in-the-sea".compare_argon2("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHktbWNzYWx0ZmFjZQ$RMUMwgtS32/mbszd+ke4o4Ej1jFpYiUqY6MHWa69X7Y") }',
  '\${! fake("uuid_hyphenated").length() }',
  '\${! "Hello World".slug() }',
  '\${! ["a", "b"].filepath_join() }',
  '\${! "<b>x</b>".strip_html() }',
].join("|")).evaluate(msg);
console.log(JSON.stringify(out));
`;

describe("the built package", () => {
  it("loads the extended methods on first use, with the package's own classes", () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` first`);
    const text = execFileSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(JSON.parse(text)).toEqual({
      core: "events.ORDERS.3",
      known: [true, true],
      loadedAfterCore: false,
      timestamp: "1704164645",
      loadedAfterTimestamp: true,
      families: "12|hello|a+b+c|1|8f434346|u|2024|Jan 2|85|ab ab ab ab ab|0",
      error: [
        true,
        "FAILED",
        "field `this.s`: failed to parse value as JSON: invalid character 'a' looking for beginning of value",
      ],
      parseError: ["INVALID_ARGUMENTS", expect.stringContaining("expected string, got number")],
      defaultEnv: "3",
      hashes: "true|true|36|hello-world|a/b|x",
    });
  });
});
