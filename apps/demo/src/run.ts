import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createMessage, type Message } from "@natskit/interpolation";
import { JetStreamOutput, JetStreamOutputError } from "@natskit/jetstream-output";
import { KeyNotFoundError, KvCache } from "@natskit/kv-cache";
import type { InputSpec, Plan, ProcessorSpec } from "./config.js";
import { claimKey } from "./dedupe.js";
import type { Logger } from "./log.js";

/** What a run did. Every message read ends up in exactly one of acked, deduplicated, failed. */
export interface RunStats {
  read: number;
  /** Handed to the output. */
  published: number;
  /** Stored by the stream (including `duplicates`). */
  acked: number;
  /** Acks saying the stream already had the message (its `Nats-Msg-Id` was seen). */
  duplicates: number;
  /** Dropped by a `dedupe` processor because the key was already in the cache. */
  deduplicated: number;
  /** Dropped by a `mapping` processor: `root = deleted()`. */
  filtered: number;
  /** Not stored: a processor or the output failed (see `errors`). */
  failed: number;
  /** Failures by error code. */
  errors: Record<string, number>;
  /** Output retries (disconnects, timeouts). */
  retries: number;
  elapsedMs: number;
  /** The run was stopped by a signal before the input ended. */
  interrupted: boolean;
  /** Reading the input failed (e.g. a file could not be opened); the run counts as failed. */
  inputError?: string;
}

export interface RunOptions {
  log: Logger;
  /** Stops reading; messages in flight are still awaited (up to the plan's shutdown timeout). */
  signal?: AbortSignal;
  stdin?: Readable;
  /** Called about every 200 ms and once at the end. */
  onProgress?: (stats: RunStats) => void;
}

/** Runs a validated config until the input ends or `signal` fires. */
export async function runPipeline(plan: Plan, opts: RunOptions): Promise<RunStats> {
  const { log } = opts;
  const started = performance.now();
  const stats: RunStats = {
    read: 0,
    published: 0,
    acked: 0,
    duplicates: 0,
    deduplicated: 0,
    filtered: 0,
    failed: 0,
    errors: {},
    retries: 0,
    elapsedMs: 0,
    interrupted: false,
  };
  const fail = (code: string, err: unknown) => {
    stats.failed++;
    stats.errors[code] = (stats.errors[code] ?? 0) + 1;
    if (stats.errors[code] <= 3) log.warn(`message failed: ${errorText(err)}`);
    else if (stats.errors[code] === 4) log.warn(`more ${code} failures are counted but not logged`);
  };

  const caches = new Map<string, KvCache>();
  let output: JetStreamOutput | undefined;
  let forceClose: NodeJS.Timeout | undefined;
  let removeAbort = () => {};
  const tick = opts.onProgress
    ? setInterval(() => {
        stats.elapsedMs = performance.now() - started;
        if (output) stats.retries = output.stats.retries;
        opts.onProgress?.(stats);
      }, 200)
    : undefined;
  try {
    for (const c of plan.caches) {
      log.debug(`cache '${c.label}': connecting to bucket '${c.config.bucket}'`);
      caches.set(c.label, await KvCache.fromConfig(c.raw, { label: c.label }));
    }
    output = new JetStreamOutput(plan.output.raw, { label: plan.output.label });
    await output.connect();
    log.info(`output '${plan.output.label}': connected`);
    const out = output;

    // A shutdown is bounded even when acks never come (e.g. the server is gone): at the deadline
    // the output is closed, failing what is still in flight with CLOSED, which frees the loop.
    let deadline = Number.POSITIVE_INFINITY;
    const onAbort = () => {
      deadline = performance.now() + plan.shutdownTimeoutMs;
      forceClose = setTimeout(() => void out.close(0), plan.shutdownTimeoutMs);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
    removeAbort = () => opts.signal?.removeEventListener("abort", onAbort);

    const claims: ClaimContext = {
      runId: randomBytes(6).toString("hex"),
      seq: 0,
      giveUp: () => performance.now() >= deadline,
      held: new WeakMap(),
      log,
    };

    const limit = plan.output.config.maxInFlight;
    const slots = new Slots(limit);
    const pending = new Set<Promise<void>>();
    let chain: Promise<void> = Promise.resolve();

    const write = (m: Message | undefined): void => {
      if (!m) {
        slots.release();
        return;
      }
      stats.published++;
      const tracked: Promise<void> = out
        .write(m)
        .then(
          (ack) => {
            stats.acked++;
            if (ack.duplicate) stats.duplicates++;
          },
          (err: unknown) => {
            fail(JetStreamOutputError.isInstance(err) ? err.code : "OUTPUT_FAILED", err);
            // Not known to be stored: give its dedupe keys back, or a rerun would drop it as a
            // duplicate. After an unknown outcome (ACK_TIMEOUT, DISCONNECTED) it may have been
            // stored, and a rerun then stores it again: a duplicate is preferred to a loss.
            return releaseClaims(claims, m);
          },
        )
        .finally(() => {
          slots.release();
          pending.delete(tracked);
        });
      pending.add(tracked);
    };
    // Without a cache step processing is synchronous: write at once, no promise per message.
    const sync = plan.processors.every((p) => p.kind === "mapping");

    try {
      for await (const msg of readInput(plan.input, opts)) {
        stats.read++;
        await slots.acquire();
        if (sync) write(applyMappings(plan.processors, msg, stats, fail));
        else {
          const processed = applyProcessors(plan.processors, msg, caches, stats, fail, claims);
          // Processors run concurrently; writes are issued in input order.
          chain = chain.then(async () => write(await processed));
        }
        if (opts.signal?.aborted) break;
      }
    } catch (e) {
      // What was read still goes through; the run then ends as failed.
      stats.inputError = errorText(e);
      log.error(`input: ${stats.inputError}`);
    }
    stats.interrupted = opts.signal?.aborted ?? false;
    if (stats.interrupted)
      log.info(`stopping: waiting up to ${plan.shutdownTimeoutMs} ms for acks in flight`);
    await chain;
    if (stats.interrupted) {
      // close() waits for the acks, then fails what is left with CLOSED: each counted once.
      await out.close(Math.max(0, deadline - performance.now()));
    }
    await Promise.all(pending);
    stats.retries = out.stats.retries;
  } finally {
    if (tick) clearInterval(tick);
    clearTimeout(forceClose);
    removeAbort();
    await output
      ?.close(plan.shutdownTimeoutMs)
      .catch((e: unknown) => log.warn(`closing output: ${errorText(e)}`));
    for (const [label, c] of caches)
      await c.close().catch((e: unknown) => log.warn(`closing cache '${label}': ${errorText(e)}`));
    stats.elapsedMs = performance.now() - started;
  }
  opts.onProgress?.(stats);
  return stats;
}

function applyMappings(
  processors: readonly ProcessorSpec[],
  msg: Message,
  stats: RunStats,
  fail: (code: string, err: unknown) => void,
): Message | undefined {
  for (const p of processors) {
    if (p.kind === "mapping" && runMapping(p, msg, stats, fail) !== "kept") return undefined;
  }
  return msg;
}

/**
 * One mapping step: `"filtered"` when it deleted the message (`root = deleted()`, counted),
 * `"failed"` when it threw (reported through `fail`).
 */
function runMapping(
  p: Extract<ProcessorSpec, { kind: "mapping" }>,
  msg: Message,
  stats: RunStats,
  fail: (code: string, err: unknown) => void,
): "kept" | "filtered" | "failed" {
  try {
    if (!p.mapping.apply(msg)) return "kept";
    stats.filtered++;
    return "filtered";
  } catch (e) {
    fail("MAPPING_FAILED", new Error(`${p.path.join(".")}: ${errorText(e)}`));
    return "failed";
  }
}

interface ClaimContext {
  /** Unique per run: with `seq`, the value a dedupe step stores, so a retry recognises its own write. */
  runId: string;
  seq: number;
  giveUp: () => boolean;
  /** The dedupe keys each message in flight claimed, to give back if it is not stored. */
  held: WeakMap<Message, { cache: KvCache; key: string; token: string }[]>;
  log: Logger;
}

/**
 * Deletes the dedupe keys `msg` claimed, where they still hold its token: the message was not
 * stored, so its key must not make a later run (or a redelivery) drop it as a duplicate.
 */
async function releaseClaims(ctx: ClaimContext, msg: Message): Promise<void> {
  const held = ctx.held.get(msg);
  if (!held) return;
  ctx.held.delete(msg);
  for (const { cache, key, token } of held) {
    try {
      if (new TextDecoder().decode(await cache.get(key)) === token) await cache.delete(key);
    } catch (e) {
      if (KeyNotFoundError.isInstance(e)) continue;
      ctx.log.warn(
        `dedupe key '${key}' of a failed message could not be released (${errorText(e)}): a rerun will treat that message as a duplicate`,
      );
    }
  }
}

async function applyProcessors(
  processors: readonly ProcessorSpec[],
  msg: Message,
  caches: Map<string, KvCache>,
  stats: RunStats,
  fail: (code: string, err: unknown) => void,
  ctx: ClaimContext,
): Promise<Message | undefined> {
  for (const p of processors) {
    const where = p.path.join(".");
    if (p.kind === "mapping") {
      const outcome = runMapping(p, msg, stats, fail);
      if (outcome === "kept") continue;
      // Filtered on purpose, as in Redpanda Connect, a claimed dedupe key stays (it was seen).
      if (outcome === "failed") await releaseClaims(ctx, msg);
      return undefined;
    }
    const key = p.key.tryString(msg);
    if (!key.ok) {
      fail("DEDUPE_KEY_FAILED", new Error(`${where}.key: ${key.error.message}`));
      await releaseClaims(ctx, msg);
      return undefined;
    }
    const cache = caches.get(p.cache) as KvCache;
    const token = `${ctx.runId}-${++ctx.seq}`;
    try {
      const claim = await claimKey(cache, key.value, token, { giveUp: ctx.giveUp });
      if (claim === "duplicate") {
        stats.deduplicated++;
        return undefined;
      }
      const held = ctx.held.get(msg);
      if (held) held.push({ cache, key: key.value, token });
      else ctx.held.set(msg, [{ cache, key: key.value, token }]);
    } catch (e) {
      // As in Redpanda Connect: with drop_on_err the message is dropped, else it passes on.
      if (p.dropOnErr) {
        fail("DEDUPE_FAILED", new Error(`${where}: cache '${p.cache}': ${errorText(e)}`));
        await releaseClaims(ctx, msg);
        return undefined;
      }
    }
  }
  return msg;
}

export async function* readInput(input: InputSpec, opts: RunOptions): AsyncGenerator<Message> {
  const { signal } = opts;
  if (input.kind === "generate") {
    const empty = createMessage("");
    for (let i = 0; input.count === 0 || i < input.count; i++) {
      if (signal?.aborted) return;
      if (input.intervalMs > 0 && i > 0) await sleep(input.intervalMs, signal);
      if (input.content) yield createMessage(input.content.evaluate(empty));
      else {
        const msg = createMessage("");
        // `root = deleted()` skips this one, as in Redpanda Connect.
        if (!input.mapping?.apply(msg)) yield msg;
      }
      // Yield to the event loop now and then so signals and acks get through.
      if (i % 256 === 255) await new Promise((r) => setImmediate(r));
    }
    return;
  }
  const streams: (() => Readable)[] =
    input.kind === "stdin"
      ? [() => opts.stdin ?? process.stdin]
      : input.paths.map((p) => () => createReadStream(p, { encoding: "utf8" }));
  for (const open of streams) {
    if (signal?.aborted) return;
    const stream = open();
    const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const onAbort = () => rl.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const line of rl) {
        if (signal?.aborted) return;
        if (line === "") continue;
        yield createMessage(line);
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      rl.close();
      if (stream !== process.stdin) stream.destroy();
      else process.stdin.pause();
    }
  }
}

/** A counting semaphore: at most `limit` messages between read and ack. */
class Slots {
  #free: number;
  #waiters: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = Math.max(1, limit);
  }
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((r) => this.#waiters.push(r));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
