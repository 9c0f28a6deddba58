import { readFileSync } from "node:fs";

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat` (Linux): for
 * benchmarks that report what nats-server spent beside the client. Sample before and after.
 */
export function processCpuSeconds(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}
