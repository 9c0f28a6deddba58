import { describe, expect, it } from "vitest";
import { parseConnectionConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { redactUrl } from "./urls.js";

/** What a connect error or dump would show for these urls: the error, or the servers dialled. */
function shown(urls: string[]): string {
  try {
    return parseConnectionConfig({ urls })
      .servers.map((s) => s.url)
      .join(", ");
  } catch (e) {
    expect(ConfigError.isInstance(e)).toBe(true);
    return (e as Error).message;
  }
}

/** The pieces of a password between its special characters; none may be shown. */
const pieces = (pw: string) => pw.split(/[@,:/#?% ]+/).filter((p) => p.length >= 4);

const PASSWORDS = [
  "P@ssw0rd,2024",
  "4222,Tr0ub4dor",
  "Tr0ub4dor,4222",
  "pass:word:colon",
  "slash/word/here",
  "hash#word#here",
  "qu3ry?w0rd?h3re",
  "p3rc3nt%w0rd%41h3re",
  "with space here",
  "alpha@beta,gamma:delta/epsilon#zetas?etas%theta iota",
];

describe("nats-connection urls", () => {
  it("nats-connection - redactUrl masks the whole userinfo up to the last @ before the host", () => {
    expect(redactUrl("nats://svc:P@ssw0rd,2024@host")).toBe("nats://svc:***@host");
    expect(redactUrl("nats://bob:4222,Tr0ub4dor@host:4222")).toBe("nats://bob:***@host:4222");
    expect(redactUrl("nats://a:s1@h1,nats://b:s2@h2")).toBe("nats://a:***@h1,nats://b:***@h2");
    expect(redactUrl("nats://h1:4222, nats://h2:4222")).toBe("nats://h1:4222, nats://h2:4222");
  });

  it.each(PASSWORDS)(
    "nats-connection - no piece of the password %j shows in a redacted url, a url error or the servers",
    (pw) => {
      for (const urls of [
        [`nats://svc:${pw}@h.example:7777`],
        // With a ':' it is `user:password`, and the user is shown.
        ...(pw.includes(":") ? [] : [[`nats://${pw}@h.example:7777`]]),
        [`nats://a.example:1111,nats://svc:${pw}@h.example:7777`],
        [`nats://svc:${pw}@h.example:7777,nats://b.example:1111`],
        ["nats://a.example:1111", `svc:${pw}@h.example:7777`],
      ]) {
        const out = `${urls.map(redactUrl).join(" ")} ${shown(urls)}`;
        for (const p of pieces(pw)) expect(out, `${urls.join(" ")} → ${out}`).not.toContain(p);
      }
    },
  );

  it("nats-connection - a comma inside url credentials is an error naming the fix, not a split into two servers", () => {
    let error: ConfigError | undefined;
    try {
      parseConnectionConfig({ urls: ["nats://bob:4222,Tr0ub4dor@h.example:7777"] });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.issues).toEqual([
      { path: "urls[0]", message: expect.stringContaining("percent-encode it as %2C") },
    ]);
    expect(error?.message).not.toMatch(/4222|Tr0ub4dor/);
    // Percent-encoded, the same password works.
    const c = parseConnectionConfig({ urls: ["nats://bob:4222%2CTr0ub4dor@h.example:7777"] });
    expect(c.servers.map((s) => s.url)).toEqual(["nats://h.example:7777"]);
    expect(c.auth).toMatchObject({ kind: "user_password", user: "bob", password: "4222,Tr0ub4dor" });
  });
});
