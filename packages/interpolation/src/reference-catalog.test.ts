import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSupported, loadCatalog, renderCatalogTable, withCatalogTable } from "../test/catalog-table.js";
import { compileReferenceExample, sameOutput } from "../test/reference-examples.js";
import { createEnvironment } from "./environment.js";

const env = createEnvironment({ env: {} });
const catalog = loadCatalog();

/**
 * Examples whose output differs from the reference for a known reason, by `name#example`. Every
 * other example of a supported entry must give the reference's output.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  "tracing_span#0":
    "the example reads the reference's live tracer span; the harness message has no trace context",
  "compress#0": "gzip output bytes differ from Go's compressor (both are valid gzip of the same data)",
  "compress#1": "its gzip_size is Go's gzip length (114; node:zlib's is 68); its lz4_size, 85, is matched",
  "ts_tz#1": "mapping assignments pass through plain values (a Date), which drop the zone; `${! }` prints it",
};

interface Case {
  readonly id: string;
  readonly mapping: string;
  readonly results: readonly (readonly [string, string])[];
}

const supported: Case[] = [];
const skipped: { id: string; reason: string; count: number }[] = [];
const untested: string[] = [];
for (const e of catalog.entries) {
  e.examples.forEach((x, i) => {
    if (x.results.length === 0) return;
    const id = `${e.name}#${i}`;
    if (x.untested) untested.push(id);
    else if (!isSupported(env, e))
      skipped.push({ id, reason: `${e.kind} not supported`, count: x.results.length });
    else supported.push({ id, mapping: x.mapping, results: x.results });
  });
}

describe("reference catalog", () => {
  it("reference catalog - the README table matches the catalog and the registry", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withCatalogTable(readme, renderCatalogTable(env, catalog))).toBe(readme);
  });

  it("reference catalog - every catalog entry has a name, kind and category", () => {
    expect(catalog.entries.length).toBeGreaterThan(200);
    for (const e of catalog.entries) {
      expect(e.name).toMatch(/^[a-z0-9_]+$/);
      expect(["function", "method"]).toContain(e.kind);
      expect(e.categories.length).toBeGreaterThan(0);
    }
  });

  it("reference catalog - the entries named in the issue are supported", () => {
    const fns = ["pi"];
    const methods = [
      "cos",
      "sin",
      "tan",
      "log",
      "log10",
      "pow",
      "bitwise_and",
      "bitwise_or",
      "bitwise_xor",
      "int8",
      "int16",
      "uint8",
      "uint16",
      "uint32",
      "float32",
      "parse_url",
      "parse_csv",
      "parse_form_url_encoded",
      "parse_logfmt",
      "filepath_split",
      "filepath_join",
      "concat",
      "squash",
      "with",
      "zip",
      "repeat",
      "unique",
    ];
    expect(fns.filter((n) => !env.hasFunction(n))).toEqual([]);
    expect(methods.filter((n) => !env.hasMethod(n))).toEqual([]);
  });

  it("reference catalog - examples of unsupported entries are counted as skipped, not passed", () => {
    const count = skipped.reduce((n, s) => n + s.count, 0);
    // Recorded so that a change in what is skipped is seen in review.
    expect({ examples: count, entries: new Set(skipped.map((s) => s.id.split("#")[0])).size }).toEqual({
      examples: 0,
      entries: 0,
    });
  });

  it("reference catalog - examples the reference does not run (placeholders) are left out", () => {
    expect(untested.length).toBe(15);
    expect(untested.every((id) => id.startsWith("sign_jwt_"))).toBe(true);
  });

  it("reference catalog - every known difference still names a failing example", () => {
    for (const id of Object.keys(KNOWN_DIFFERENCES)) expect(supported.map((c) => c.id)).toContain(id);
  });
});

describe("reference examples", () => {
  for (const c of supported) {
    const known = KNOWN_DIFFERENCES[c.id];
    const name = `reference examples - ${c.id}: ${c.mapping.split("\n")[0]}`;
    if (known !== undefined) {
      it(`${name} (known difference: ${known})`, () => {
        let same = true;
        try {
          const run = compileReferenceExample(env, c.mapping);
          same =
            !("unsupported" in run) && c.results.every(([input, output]) => sameOutput(run(input), output));
        } catch {
          same = false;
        }
        expect(same, "the known difference is gone: remove it from KNOWN_DIFFERENCES").toBe(false);
      });
      continue;
    }
    const run = compileReferenceExample(env, c.mapping);
    if ("unsupported" in run) {
      it.skip(`${name} (skipped: ${run.unsupported} is not supported by the example harness)`, () => {});
      continue;
    }
    it(name, () => {
      for (const [input, output] of c.results) {
        const got = run(input);
        expect(sameOutput(got, output), `input ${input}\nwant ${output}\ngot  ${got}`).toBe(true);
      }
    });
  }
});
