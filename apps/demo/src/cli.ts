import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { CacheConfigError } from "@natskit/kv-cache";
import { ConfigError, ConnectError } from "@natskit/nats-connection";
import { formatProblem, loadConfig, type Plan, renderConfigPath } from "./config.js";
import { runDemo } from "./demo.js";
import { UsageError } from "./errors.js";
import { Readiness, startHttpServer } from "./http.js";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel, parseLogLevel } from "./log.js";
import { errorText, type RunOptions, type RunStats, runPipeline } from "./run.js";
import { configJsonSchema } from "./schema.js";
import { failedSummaryJson, progressLine, summaryFields, summaryJson, summaryLine } from "./summary.js";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const EXIT_CODES = `Exit status:
  0  success: every message read was stored by the stream or dropped as a duplicate
  1  some messages failed (or the run could not start: server unreachable, auth refused);
     lint: the config has problems
  2  bad config or usage`;

const COMMON = `Options:
  --log-level <l>  ${LOG_LEVELS.join(" | ")} (any case; default: the config's
                   logger.level, else info)
  --quiet, -q      only errors; no progress line, no summary line
  --json           print a machine-readable summary on stdout
  --help, -h       this help`;

const HELP: Record<string, string> = {
  main: `natskit: run Redpanda-Connect-style configs through NATS JetStream

Usage: natskit <command> [options]

Commands:
  run <config.yaml>    run a config: input → processors → nats_jetstream output
  lint <config.yaml>…  validate configs without connecting (file:line:col: path: message)
  demo [--url <url>]   run the bundled example over a sample data set and verify the stream
  schema               print the JSON Schema of the config (for editor completion)

Run 'natskit <command> --help' for the options of a command; 'natskit --version' prints the
versions of natskit and of the packages it runs.

${EXIT_CODES}`,
  run: `Usage: natskit run <config.yaml> [options]

Runs the config until the input ends, or until SIGINT/SIGTERM: then reading stops, acks of
messages in flight are awaited (up to shutdown_timeout, 10s by default) and the summary printed.
\${VAR} and \${VAR:default} in the config are replaced from the environment first.
On a terminal a progress line is drawn on stderr; otherwise one summary line is printed at the end.
Logs go to stderr (logger: level, format logfmt | json, static_fields). Unless http.enabled is
false, /ping, /ready, /metrics (Prometheus) and /version are served on http.address (default 0.0.0.0:4195);
an address in use is logged and the run goes on without them.

${COMMON}

${EXIT_CODES}`,
  lint: `Usage: natskit lint <config.yaml>... [options]

Validates each config without connecting to anything and prints every problem as
<file>:<line>:<col>: <field path>: <message> (warnings on stderr, marked 'warning:').
With --json, one line per file: { file, problems, warnings }.

${COMMON}

Exit status: 0 no problems, 1 problems found, 2 usage error or unreadable file.`,
  demo: `Usage: natskit demo [--url <nats-url>] [options]

Without --url, starts a throwaway nats-server (NATS_SERVER_BIN, PATH, /usr/sbin or .tools/) on a
free loopback port with a temporary store. Creates a stream and a KV bucket with unique names,
runs examples/demo.yaml over examples/events.jsonl, reads the stream back to verify the counts per
subject, prints a summary table and removes everything it created.

  --url <url>      use this server instead (needs JetStream)
${COMMON.split("\n").slice(1).join("\n")}

${EXIT_CODES}`,
  schema: `Usage: natskit schema

Prints the JSON Schema (draft 2020-12) of the config on stdout.

${EXIT_CODES}`,
};

interface Flags {
  /** `--log-level` (or `error` for `--quiet`); without it the config's `logger.level` applies. */
  logLevel: LogLevel | undefined;
  quiet: boolean;
  json: boolean;
}

export async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === "--version" || command === "-V" || command === "version") {
    process.stdout.write(`${versionText()}\n`);
    return EXIT.ok;
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? argv[1] : undefined;
    process.stdout.write(`${HELP[topic ?? "main"] ?? HELP.main}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!["run", "lint", "demo", "schema"].includes(command)) {
    process.stderr.write(`natskit: unknown command '${command}'\n\n${HELP.main}\n`);
    return EXIT.usage;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(1),
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        quiet: { type: "boolean", short: "q" },
        json: { type: "boolean" },
        "log-level": { type: "string" },
        url: { type: "string" },
      },
    }));
    if (values.help) {
      process.stdout.write(`${HELP[command]}\n`);
      return EXIT.ok;
    }
    const given = values["log-level"] as string | undefined;
    const level = given === undefined ? undefined : parseLogLevel(given);
    if (given !== undefined && level === undefined)
      throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(", ")}, got '${given}'`);
    if (values.url !== undefined && command !== "demo")
      throw new UsageError("--url is an option of 'natskit demo'");
    if (command === "run" && positionals.length !== 1)
      throw new UsageError("expected one config file: natskit run <config.yaml>");
    if (command === "lint" && positionals.length === 0)
      throw new UsageError("expected one or more config files: natskit lint <config.yaml>...");
    if (command !== "run" && command !== "lint" && positionals.length > 0)
      throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const flags: Flags = {
      logLevel: values.quiet ? "error" : level,
      quiet: values.quiet === true,
      json: values.json === true,
    };
    // On a terminal a log line first clears the progress line it interrupts.
    const live = !flags.quiet && process.stderr.isTTY;
    const write = (l: string) => process.stderr.write(live ? `\r\x1b[2K${l}` : l);
    const log = createLogger({ level: flags.logLevel ?? "info" }, write);
    switch (command) {
      case "schema":
        process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      case "lint":
        return lint(positionals, flags);
      case "run":
        return await run(positionals[0] as string, flags, write);
      default:
        return await demo(values.url as string | undefined, flags, log);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`natskit ${command}: ${errorText(e)}\n(see 'natskit ${command} --help')\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

function readConfig(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`cannot read '${file}': ${code === "ENOENT" ? "no such file" : errorText(e)}`);
  }
}

function lint(files: readonly string[], flags: Flags): number {
  let code: number = EXIT.ok;
  for (const file of files) {
    let text: string;
    try {
      text = readConfig(file);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`natskit lint: ${e.message}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify({ file, error: e.message })}\n`);
      code = EXIT.usage;
      continue;
    }
    const { problems, warnings = [] } = loadConfig(text);
    const shown = (list: typeof problems) => list.map((p) => ({ ...p, path: renderConfigPath(p.path) }));
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ file, problems: shown(problems), warnings: shown(warnings) })}\n`,
      );
    } else {
      if (!flags.quiet)
        for (const w of warnings) process.stderr.write(`${formatProblem(file, w, "warning")}\n`);
      for (const p of problems) process.stdout.write(`${formatProblem(file, p)}\n`);
      if (!flags.quiet && problems.length === 0) process.stderr.write(`${file}: ok\n`);
    }
    if (problems.length > 0 && code === EXIT.ok) code = EXIT.failed;
  }
  return code;
}

/** natskit's version and the versions of the packages it runs (`--version`, `/version`). */
function versions(): { version: string; packages: Record<string, string>; node: string } {
  // Read at run time, from src/ and from the built dist/ alike (both sit beside package.json).
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const packages = [
    "@natskit/nats-connection",
    "@natskit/interpolation",
    "@natskit/jetstream-output",
    "@natskit/kv-cache",
  ];
  return {
    version: (require("../package.json") as { version: string }).version,
    packages: Object.fromEntries(packages.map((p) => [p, version(p)])),
    node: process.version,
  };
}

/** `natskit <version>` and the versions of the packages it runs. */
function versionText(): string {
  const v = versions();
  return [
    `natskit ${v.version}`,
    ...Object.entries(v.packages).map(([p, n]) => `${p} ${n}`),
    `node ${v.node}`,
  ].join("\n");
}

async function run(file: string, flags: Flags, write: (line: string) => void): Promise<number> {
  const { plan, problems, warnings = [] } = loadConfig(readConfig(file));
  if (!plan) {
    for (const p of problems) process.stderr.write(`${formatProblem(file, p)}\n`);
    const error = `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}, nothing was run`;
    process.stderr.write(`natskit run: ${error}\n`);
    if (flags.json) process.stdout.write(`${failedSummaryJson(error)}\n`);
    return EXIT.usage;
  }
  const log = createLogger(
    { ...plan.logger, ...(flags.logLevel === undefined ? {} : { level: flags.logLevel }) },
    write,
  );
  for (const w of warnings) log.warn(formatProblem(file, w));
  return await withSignals(log, async (signal) => {
    // Before the run: /ready answers 503 while the components wait for a server.
    const service = await startService(plan, log);
    try {
      const outcome = await execute(
        () => runPipeline(plan, { log, signal, ...progress(flags), ...service.options }),
        log,
      );
      if (!outcome.ok) {
        // --json always gives a summary: here of a run that ended before its first message.
        if (flags.json) process.stdout.write(`${failedSummaryJson(outcome.error)}\n`);
        return outcome.code;
      }
      const stats = outcome.value;
      report(stats, flags, log);
      return stats.failed > 0 || stats.inputError !== undefined ? EXIT.failed : EXIT.ok;
    } finally {
      await service.close();
    }
  });
}

/**
 * The `http` and `metrics` sections: a meter provider installed as the global one (before the
 * output and the caches exist, so their meters record into it) and the HTTP endpoints.
 */
async function startService(
  plan: Plan,
  log: Logger,
): Promise<{ options: Pick<RunOptions, "readiness" | "meter">; close(): Promise<void> }> {
  if (!plan.http.enabled) return { options: {}, close: async () => {} };
  const readiness = new Readiness();
  // Loaded only here: lint, schema and runs without http do not pay for the SDK.
  const metrics =
    plan.metrics.kind === "prometheus" ? (await import("./metrics.js")).installMetrics() : undefined;
  const server = await startHttpServer({
    address: plan.http.address,
    rootPath: plan.http.rootPath,
    configured: plan.http.configured,
    readiness,
    scrape: metrics?.scrape,
    version: versions(),
    log: log.with({ path: "root.http" }),
  });
  if (!server) {
    await metrics?.shutdown();
    return { options: {}, close: async () => {} };
  }
  return {
    options: { readiness, ...(metrics ? { meter: metrics.meter } : {}) },
    close: async () => {
      await server.close();
      await metrics?.shutdown();
    },
  };
}

async function demo(url: string | undefined, flags: Flags, log: Logger): Promise<number> {
  return await withSignals(log, async (signal) => {
    const outcome = await execute(
      () => runDemo({ log, signal, ...(url === undefined ? {} : { url }), ...progress(flags) }),
      log,
    );
    if (!outcome.ok) {
      if (flags.json) process.stdout.write(`${failedSummaryJson(outcome.error)}\n`);
      return outcome.code;
    }
    const result = outcome.value;
    const table = !flags.quiet && !flags.json;
    if (table) process.stdout.write(`${result.table}\n`);
    // The table carries the summary line already.
    report(result.stats, table ? { ...flags, quiet: true } : flags, log, result.verified);
    if (!result.verified) log.error("verification failed: the stream does not hold what was expected");
    return result.stats.failed > 0 || !result.verified ? EXIT.failed : EXIT.ok;
  });
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: number; error: string };

/** Runs `fn`, turning config and connection errors into messages and exit codes. */
async function execute<T>(fn: () => Promise<T>, log: Logger): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (ConfigError.isInstance(e) || CacheConfigError.isInstance(e)) {
      log.error(errorText(e));
      return { ok: false, code: EXIT.usage, error: errorText(e) };
    }
    if (ConnectError.isInstance(e)) {
      log.error(`cannot connect: ${errorText(e)}`);
      return { ok: false, code: EXIT.failed, error: `cannot connect: ${errorText(e)}` };
    }
    log.error(errorText(e));
    if (e instanceof Error && e.stack) log.debug(e.stack);
    return { ok: false, code: EXIT.failed, error: errorText(e) };
  }
}

function progress(flags: Flags): { onProgress?: (s: RunStats) => void } {
  if (flags.quiet || !process.stderr.isTTY) return {};
  return {
    onProgress: (s) => {
      process.stderr.write(`\r\x1b[2K${progressLine(s)}`);
    },
  };
}

function report(stats: RunStats, flags: Flags, log: Logger, verified?: boolean): void {
  if (!flags.quiet && process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
  if (flags.json) {
    const json = JSON.parse(summaryJson(stats)) as Record<string, unknown>;
    process.stdout.write(`${JSON.stringify(verified === undefined ? json : { ...json, verified })}\n`);
  }
  if (!flags.quiet) log.info(summaryLine(stats), summaryFields(stats));
}

/** SIGINT/SIGTERM abort the run gracefully; a second one exits at once. */
async function withSignals(log: Logger, fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.error(`${sig} again: exiting without waiting`);
      process.exit(EXIT.failed);
    }
    log.info(`${sig}: stopping input, waiting for acks in flight (send again to exit at once)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// stdin (when read) or leftover timers must not keep a finished run alive.
setTimeout(() => process.exit(code), 2000).unref();
