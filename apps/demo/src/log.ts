export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Leveled messages on stderr, prefixed with `natskit:`; stdout stays free for `--json`. */
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
) {
  const rank = LOG_LEVELS.indexOf(level);
  const at =
    (l: LogLevel) =>
    (msg: string): void => {
      if (LOG_LEVELS.indexOf(l) <= rank) write(`natskit: ${l === "info" ? "" : `${l}: `}${msg}\n`);
    };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") } satisfies Logger;
}

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}
