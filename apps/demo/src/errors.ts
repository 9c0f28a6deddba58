/**
 * The command line is wrong (unknown flag, missing file argument, unreadable config file):
 * `natskit` prints the message with a pointer to `--help` and exits 2.
 */
export class UsageError extends Error {
  readonly code = "USAGE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}
