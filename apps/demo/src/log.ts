/**
 * Redpanda Connect's logger levels, least verbose first: a level shows the messages of its own
 * severity and of every level before it (`warn` shows errors and warnings). `off` shows nothing,
 * `all` everything.
 */
export const LOG_LEVELS = ["off", "fatal", "error", "warn", "info", "debug", "trace", "all"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ["logfmt", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Structured fields of one line. `undefined` values are left out. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Leveled, structured lines on stderr; stdout stays free for `--json`. */
export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. a component's `label` and `path`. */
  with(fields: LogFields): Logger;
}

/** The `logger` section of a config, as Redpanda Connect names it. */
export interface LoggerOptions {
  /** @default "info" */
  level?: LogLevel;
  /** @default "logfmt" */
  format?: LogFormat;
  /** Adds the time (RFC 3339, UTC) to each line. @default false */
  addTimestamp?: boolean;
  /** @default "level" */
  levelName?: string;
  /** @default "msg" */
  messageName?: string;
  /** @default "time" */
  timestampName?: string;
  /**
   * Fields on every line.
   * @default { "@service": "natskit" }
   * @example { "@service": "ingest", env: "prod" }
   */
  staticFields?: Readonly<Record<string, string>>;
}

export const DEFAULT_STATIC_FIELDS: Readonly<Record<string, string>> = { "@service": "natskit" };

type MessageLevel = "error" | "warn" | "info" | "debug";

/**
 * A logger writing one line per message: logfmt (`level=info msg="output 'out': connected"
 * @service=natskit label=out path=root.output`) or one JSON object.
 */
export function createLogger(
  options: LoggerOptions = {},
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const rank = LOG_LEVELS.indexOf(options.level ?? "info");
  const render = options.format === "json" ? renderJson : renderLogfmt;
  const names = {
    level: options.levelName ?? "level",
    msg: options.messageName ?? "msg",
    time: options.timestampName ?? "time",
  };
  const stamp = options.addTimestamp === true;
  const statics = options.staticFields ?? DEFAULT_STATIC_FIELDS;
  const make = (bound: LogFields): Logger => {
    const at =
      (level: MessageLevel) =>
      (msg: string, fields?: LogFields): void => {
        if (LOG_LEVELS.indexOf(level) > rank) return;
        const entries: [string, string | number | boolean][] = [];
        if (stamp) entries.push([names.time, new Date().toISOString()]);
        entries.push([names.level, level], [names.msg, msg]);
        for (const source of [statics, bound, fields ?? {}])
          for (const [k, v] of Object.entries(source)) if (v !== undefined) entries.push([k, v]);
        write(`${render(entries)}\n`);
      };
    return {
      error: at("error"),
      warn: at("warn"),
      info: at("info"),
      debug: at("debug"),
      with: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

/** Redpanda Connect accepts its level names in any case; `none` is `off`. */
export function parseLogLevel(s: string): LogLevel | undefined {
  const l = s.trim().toLowerCase();
  if (l === "none") return "off";
  return (LOG_LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : undefined;
}

/** A key that logfmt can carry unquoted: no space, `=`, `"` or control character. */
export function isLogfmtKey(k: string): boolean {
  return k.length > 0 && !/[\s="\\\u0000-\u001f\u007f]/.test(k);
}

function renderLogfmt(entries: readonly [string, string | number | boolean][]): string {
  let out = "";
  for (const [k, v] of entries) {
    const s = String(v);
    const value = s !== "" && isLogfmtKey(s) ? s : JSON.stringify(s);
    out += `${out ? " " : ""}${isLogfmtKey(k) ? k : JSON.stringify(k)}=${value}`;
  }
  return out;
}

function renderJson(entries: readonly [string, string | number | boolean][]): string {
  const obj: Record<string, string | number | boolean> = {};
  // The first of two equal keys wins: a field can never replace the level or the message.
  for (const [k, v] of entries) if (!Object.hasOwn(obj, k)) obj[k] = v;
  return JSON.stringify(obj);
}
