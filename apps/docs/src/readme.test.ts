import { describe, expect, it } from "vitest";
import {
  expectedOutput,
  importsOf,
  installedPackages,
  installProblems,
  packageOf,
  parseReadme,
  pointAt,
} from "./readme.ts";

const README = [
  "# pkg", //                                          1
  "", //                                               2
  "```sh", //                                          3
  "npm install @natskit/a zod@4 # the rest", //        4
  "npm install --save-dev @types/node", //             5
  "```", //                                            6
  "", //                                               7
  "```ts", //                                          8
  'import { a } from "@natskit/a";', //                9
  'import { z } from "zod";', //                       10
  "```", //                                            11
  "", //                                               12
  "- a list item:", //                                 13
  "", //                                               14
  "  <!-- not-runnable: a fragment -->", //            15
  "  ```ts", //                                        16
  "  const x = 1; // → 1", //                          17
  "  ```", //                                          18
  "", //                                               19
  "<!-- needs: perKeyTtl -->", //                      20
  "<!-- server: tls-user -->", //                      21
  "```js", //                                          22
  'import fs from "node:fs";', //                      23
  'import "@nats-io/kv";', //                          24
  "```", //                                            25
  "```yaml", //                                        26
  "a: 1", //                                           27
  "```", //                                            28
].join("\n");

describe("docs - readme parser", () => {
  it("docs - finds runnable blocks with their fence line, markers and unindented code", () => {
    const { blocks } = parseReadme(README);
    expect(blocks.map((b) => [b.line, b.lang])).toEqual([
      [8, "ts"],
      [16, "ts"],
      [22, "js"],
    ]);
    expect(blocks[1]?.code).toBe("const x = 1; // → 1\n");
    expect(blocks[1]?.markers).toEqual({ needs: [], notRunnable: "a fragment" });
    expect(blocks[2]?.markers).toEqual({ needs: ["perKeyTtl"], server: "tls-user" });
    expect(blocks[0]?.markers).toEqual({ needs: [] });
  });

  it("docs - reads the install commands of a shell block, without flags, versions or comments", () => {
    expect(parseReadme(README).installs).toEqual([
      { line: 4, packages: ["@natskit/a", "zod", "@types/node"] },
    ]);
    expect(installedPackages("pnpm add @scope/x@^1.2.0 y@latest")).toEqual(["@scope/x", "y"]);
    expect(installedPackages("npm run build")).toBeUndefined();
  });

  it("docs - an install line must list every package the blocks after it import", () => {
    expect(installProblems(parseReadme(README))).toEqual([
      "line 22: imports '@nats-io/kv', which the install line at line 4 does not list (@natskit/a zod @types/node)",
    ]);
    const noInstall = parseReadme('```ts\nimport { x } from "@natskit/x";\n```\n');
    expect(installProblems(noInstall)).toEqual([
      "line 1: imports '@natskit/x', but no install line comes before the block",
    ]);
  });

  it("docs - imports and their packages", () => {
    const code = [
      'import { a, type B } from "@natskit/a/internal";',
      'import "side-effect";',
      'export { c } from "./local.js";',
      'const d = await import("node:fs");',
      "import {",
      "  e,",
      '} from "lodash/fp";',
    ].join("\n");
    expect(importsOf(code)).toEqual([
      "@natskit/a/internal",
      "./local.js",
      "lodash/fp",
      "side-effect",
      "node:fs",
    ]);
    expect(packageOf("@natskit/a/internal")).toBe("@natskit/a");
    expect(packageOf("lodash/fp")).toBe("lodash");
    expect(packageOf("node:fs")).toBeUndefined();
    expect(packageOf("fs/promises")).toBeUndefined();
  });

  it("docs - expected output comes from `// →` comments, one line each", () => {
    const code = 'console.log(1); // → 1\nconsole.log("a\\n  b");\n// → a\n// →   b\nx; // 2\n';
    expect(expectedOutput(code)).toEqual(["1", "a", "  b"]);
    expect(expectedOutput("x; // 2\n")).toBeUndefined();
  });

  it("docs - unknown markers and unclosed blocks are errors, not silently ignored", () => {
    expect(() => parseReadme("<!-- skip: why -->\n```ts\nx\n```\n")).toThrow("line 1: unknown marker 'skip'");
    expect(() => parseReadme("```ts\nx\n")).toThrow("line 1: code block is never closed");
  });

  it("docs - snippets are pointed at the test server by their address", () => {
    expect(pointAt('urls: ["nats://127.0.0.1:4222,nats://127.0.0.1:4223"]', "127.0.0.1:39123")).toBe(
      'urls: ["nats://127.0.0.1:39123,nats://127.0.0.1:4223"]',
    );
  });
});
