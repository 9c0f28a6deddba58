import { builtinModules } from "node:module";

/** Fence languages of the blocks a reader would paste into a file and run. */
const RUNNABLE_LANGS = new Set(["ts", "typescript", "mts", "js", "javascript", "mjs"]);
const SHELL_LANGS = new Set(["sh", "bash", "shell", "console"]);
/** Keys of the `<!-- key: value -->` comments that may stand right before a fence. */
const MARKER_KEYS = new Set(["not-runnable", "needs", "server"]);

export interface Markers {
  /** Why the block is deliberately not run (a fragment, a type listing). */
  readonly notRunnable?: string;
  /** test-nats feature names the block needs from the server (`perKeyTtl`, `handshakeFirst`). */
  readonly needs: readonly string[];
  /** The server setup the block runs against; `undefined` = a plain JetStream server. */
  readonly server?: string;
}

export interface CodeBlock {
  readonly lang: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The block's text, its fence indentation removed. */
  readonly code: string;
  readonly markers: Markers;
}

/** The install commands of one shell block. */
export interface InstallLine {
  /** 1-based line of the first `npm install` command. */
  readonly line: number;
  readonly packages: readonly string[];
}

export interface Readme {
  readonly blocks: readonly CodeBlock[];
  readonly installs: readonly InstallLine[];
}

/** Code blocks and install lines of a Markdown file, in order. */
export function parseReadme(text: string): Readme {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  const installs: InstallLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? "```";
    const lang = (open[3] ?? "").toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? "";
      if (l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
    }
    if (j >= lines.length) throw new Error(`line ${i + 1}: code block is never closed`);
    if (SHELL_LANGS.has(lang)) {
      // The install commands of one shell block together (e.g. a second line for an optional peer).
      const at = body.findIndex((l) => installedPackages(l) !== undefined);
      const packages = body.flatMap((l) => installedPackages(l) ?? []);
      if (at >= 0) installs.push({ line: i + 2 + at, packages });
    } else if (RUNNABLE_LANGS.has(lang)) {
      blocks.push({ lang, line: i + 1, code: `${body.join("\n")}\n`, markers: markersBefore(lines, i) });
    }
    i = j;
  }
  return { blocks, installs };
}

/** The `<!-- key: value -->` lines directly above the fence at `fenceIndex` (blank lines allowed). */
function markersBefore(lines: readonly string[], fenceIndex: number): Markers {
  let notRunnable: string | undefined;
  let server: string | undefined;
  const needs: string[] = [];
  for (let k = fenceIndex - 1; k >= 0; k--) {
    const l = (lines[k] ?? "").trim();
    if (l === "") continue;
    const m = /^<!--\s*([\w-]+)\s*:\s*(.*?)\s*-->$/.exec(l);
    if (!m) break;
    const key = m[1] ?? "";
    const value = m[2] ?? "";
    if (!MARKER_KEYS.has(key)) {
      throw new Error(`line ${k + 1}: unknown marker '${key}' (known: ${[...MARKER_KEYS].join(", ")})`);
    }
    if (value === "") throw new Error(`line ${k + 1}: marker '${key}' needs a value`);
    if (key === "not-runnable") notRunnable = value;
    else if (key === "server") server = value;
    else needs.push(...value.split(/[\s,]+/));
  }
  return {
    needs,
    ...(notRunnable === undefined ? {} : { notRunnable }),
    ...(server === undefined ? {} : { server }),
  };
}

/** The package names of an `npm install …` / `pnpm add …` / `yarn add …` line, else `undefined`. */
export function installedPackages(line: string): string[] | undefined {
  const m = /^\s*\$?\s*(?:npm\s+(?:install|i|add)|pnpm\s+(?:add|install|i)|yarn\s+add)\s+(.*)$/.exec(line);
  if (!m) return undefined;
  return (m[1] ?? "")
    .replace(/#.*$/, "")
    .split(/\s+/)
    .filter((w) => w !== "" && !w.startsWith("-"))
    .map((w) => w.replace(/(.)@.*$/, "$1"));
}

/** Every module specifier a snippet imports (static, side-effect and dynamic imports, re-exports). */
export function importsOf(code: string): string[] {
  const specs = new Set<string>();
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]) specs.add(m[1]);
  return [...specs];
}

/** The npm package a specifier belongs to; `undefined` for Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0] ?? ""))
    return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/**
 * Problems with install lines: every package a code block imports must be installed by the
 * closest shell block of install commands above it, so a reader who runs that line and pastes the block has what it needs.
 */
export function installProblems(readme: Readme): string[] {
  const problems: string[] = [];
  for (const block of readme.blocks) {
    const install = readme.installs.filter((i) => i.line < block.line).at(-1);
    for (const spec of importsOf(block.code)) {
      const pkg = packageOf(spec);
      if (pkg === undefined) continue;
      if (!install) {
        problems.push(`line ${block.line}: imports '${pkg}', but no install line comes before the block`);
      } else if (!install.packages.includes(pkg)) {
        problems.push(
          `line ${block.line}: imports '${pkg}', which the install line at line ${install.line} does not list (${install.packages.join(" ")})`,
        );
      }
    }
  }
  return problems;
}

/**
 * The output a block shows in `// → text` comments, one stdout line per comment, in order;
 * `undefined` when it shows none.
 */
export function expectedOutput(code: string): string[] | undefined {
  const out: string[] = [];
  for (const line of code.split("\n")) {
    const at = line.indexOf("// →");
    if (at < 0) continue;
    out.push(
      line
        .slice(at + "// →".length)
        .replace(/^ /, "")
        .trimEnd(),
    );
  }
  return out.length > 0 ? out : undefined;
}

/** The address snippets dial; the runner points it at the test server. */
export const SNIPPET_ADDRESS = "127.0.0.1:4222";

/** The snippet with every `127.0.0.1:4222` replaced by `address` (`host:port` of the test server). */
export function pointAt(code: string, address: string): string {
  return code.replaceAll(SNIPPET_ADDRESS, address);
}
