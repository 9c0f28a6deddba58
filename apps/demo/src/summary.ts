import { emptyStats, type RunStats } from "./run.js";

function rate(stats: RunStats): number {
  return stats.elapsedMs > 0 ? Math.round((stats.acked * 1000) / stats.elapsedMs) : 0;
}

/** The live line on a terminal (redrawn in place). */
export function progressLine(stats: RunStats): string {
  return (
    `read ${stats.read}  published ${stats.published}  acked ${stats.acked}  ` +
    `deduplicated ${stats.deduplicated}  failed ${stats.failed}  ${rate(stats)} msgs/s`
  );
}

/** The one line printed at the end of a run. */
export function summaryLine(stats: RunStats): string {
  const errors = Object.entries(stats.errors)
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
  return (
    `${stats.interrupted ? "interrupted" : "done"}: read ${stats.read}, published ${stats.published}, ` +
    `acked ${stats.acked} (already in the stream ${stats.duplicates}` +
    (stats.batched > 0 ? `, in batches ${stats.batched}` : "") +
    `), deduplicated ${stats.deduplicated}, ` +
    (stats.takenOver > 0 ? `taken over ${stats.takenOver}, ` : "") +
    (stats.filtered > 0 ? `filtered ${stats.filtered}, ` : "") +
    `failed ${stats.failed}` +
    (errors ? ` (${errors})` : "") +
    ` in ${(stats.elapsedMs / 1000).toFixed(2)}s (${rate(stats)} msgs/s)`
  );
}

/** The summary's numbers as log fields (snake_case, as Redpanda Connect's log fields). */
export function summaryFields(stats: RunStats): Record<string, number | boolean> {
  return {
    read: stats.read,
    published: stats.published,
    acked: stats.acked,
    duplicates: stats.duplicates,
    batched: stats.batched,
    taken_over: stats.takenOver,
    deduplicated: stats.deduplicated,
    filtered: stats.filtered,
    failed: stats.failed,
    retries: stats.retries,
    elapsed_ms: Math.round(stats.elapsedMs),
    msgs_per_sec: rate(stats),
    interrupted: stats.interrupted,
  };
}

/** `--json`: the stats, stable field names, one object. */
export function summaryJson(stats: RunStats): string {
  return JSON.stringify({ ...stats, elapsedMs: Math.round(stats.elapsedMs), msgsPerSec: rate(stats) });
}

/** `--json` of a run that ended before its first message: zero counts and the reason. */
export function failedSummaryJson(error: string): string {
  return JSON.stringify({ ...JSON.parse(summaryJson(emptyStats())), error });
}
