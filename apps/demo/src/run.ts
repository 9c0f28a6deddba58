import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createMessage, type Message } from "@natskit/interpolation";
import { JetStreamOutput, JetStreamOutputError } from "@natskit/jetstream-output";
import { KeyNotFoundError, KvCache } from "@natskit/kv-cache";
import type { Meter } from "@opentelemetry/api";
import { type InputSpec, type Plan, type ProcessorSpec, renderConfigPath } from "./config.js";
import { claimKey, DONE_VALUE, type Liveness, parseClaim } from "./dedupe.js";
import type { Readiness } from "./http.js";
import type { Logger } from "./log.js";
import { Presence } from "./presence.js";
import { ConnectionWatch } from "./watch.js";

/** What a run did. Every message read ends up in exactly one of acked, deduplicated, failed. */
export interface RunStats {
  read: number;
  /** Handed to the output. */
  published: number;
  /** Stored by the stream (including `duplicates`). */
  acked: number;
  /**
   * Acks saying the stream already had the message (its `Nats-Msg-Id` was seen): a copy the
   * stream dropped, e.g. a message in doubt after a crash, published again by the rerun.
   */
  duplicates: number;
  /**
   * Of `acked`, those a fast-ingest batch acknowledged (`fast_ingest: auto`): the stream does not
   * say per message whether it had one already, so `duplicates` does not count them.
   */
  batched: number;
  /** Dedupe claims of an earlier run that ended before their message was acked, taken over. */
  takenOver: number;
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
  /** Gets the output and each cache, before they connect, for `/ready`. */
  readiness?: Readiness;
  /** Where the run's own instruments go (`input_received`); the packages use the global provider. */
  meter?: Meter;
}

/** The stats of a run that has not read anything yet. */
export function emptyStats(): RunStats {
  return {
    read: 0,
    published: 0,
    acked: 0,
    duplicates: 0,
    batched: 0,
    takenOver: 0,
    deduplicated: 0,
    filtered: 0,
    failed: 0,
    errors: {},
    retries: 0,
    elapsedMs: 0,
    interrupted: false,
  };
}

/** Runs a validated config until the input ends or `signal` fires. */
export async function runPipeline(plan: Plan, opts: RunOptions): Promise<RunStats> {
  const { log } = opts;
  const started = performance.now();
  const stats = emptyStats();
  const fail = (code: string, err: unknown) => {
    stats.failed++;
    stats.errors[code] = (stats.errors[code] ?? 0) + 1;
    if (stats.errors[code] <= 3) log.warn(`message failed: ${errorText(err)}`, { error_code: code });
    else if (stats.errors[code] === 4)
      log.warn(`more ${code} failures are counted but not logged`, { error_code: code });
  };

  const caches = new Map<string, KvCache>();
  const watches: ConnectionWatch[] = [];
  const presence = new Presence(randomBytes(8).toString("hex"));
  const liveness = new Map<KvCache, Liveness>();
  let output: JetStreamOutput | undefined;
  let forceClose: NodeJS.Timeout | undefined;
  let removeAbort = () => {};
  const stopMetrics = observeInput(opts.meter, plan.inputLabel, stats);
  const tick = opts.onProgress
    ? setInterval(() => {
        stats.elapsedMs = performance.now() - started;
        if (output) stats.retries = output.stats.retries;
        opts.onProgress?.(stats);
      }, 200)
    : undefined;
  try {
    for (const c of plan.caches)
      opts.readiness?.add(`cache '${c.label}'`, () => caches.get(c.label)?.client.isConnected() ?? false);
    opts.readiness?.add(`output '${plan.output.label}'`, () => output?.client?.isConnected() ?? false);
    for (const [i, c] of plan.caches.entries()) {
      const what = `cache '${c.label}'`;
      const clog = log.with({ label: c.label, path: `root.cache_resources.${i}` });
      const watch = new ConnectionWatch({ what, log: clog });
      watches.push(watch);
      clog.debug(`${what}: connecting to bucket '${c.config.bucket}'`);
      // Validated (and labelled) when the YAML was loaded: the untyped-input path of the package.
      const cache = await KvCache.connect(c.config, {
        label: c.label,
        onEvent: watch.onEvent,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      caches.set(c.label, cache);
      watch.connected(cache.client.nc.getServer(), { bucket: c.config.bucket });
      // Claims this run makes are known to be alive for as long as it answers here.
      await presence.announce(cache.client.nc);
      liveness.set(cache, presence.liveness(cache.client.nc));
    }
    const outputWatch = new ConnectionWatch({
      what: `output '${plan.output.label}'`,
      log: log.with({ label: plan.output.label, path: "root.output" }),
      // As the package's `output_held`: accepted, not yet published (waiting out an outage).
      held: () => (output ? output.stats.pending - output.stats.inflight : 0),
      retries: () => output?.stats.retries ?? 0,
    });
    watches.push(outputWatch);
    const outLog = log.with({ label: plan.output.label, path: "root.output" });
    output = new JetStreamOutput(plan.output.config, {
      metrics: { label: plan.output.label },
      onEvent: (e) => {
        const where = e.stream === undefined ? "" : ` for stream '${e.stream}'`;
        if (e.enabled) outLog.info(`fast ingest on${where}: bulk traffic goes in batches`);
        else outLog.info(`fast ingest off${where}: ${e.reason}; per-message acks`);
      },
      connect: {
        onEvent: outputWatch.onEvent,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    });
    await output.connect();
    outputWatch.connected(output.client?.nc.getServer());
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
      owner: presence.owner,
      seq: 0,
      giveUp: () => performance.now() >= deadline,
      held: new WeakMap(),
      liveness,
      settling: new Set(),
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
            // A fast-ingest batch ack says nothing about duplicates; a message ack does.
            if (ack.kind === "batch") stats.batched++;
            else if (ack.duplicate) stats.duplicates++;
            finishClaims(claims, m);
          },
          (err: unknown) => {
            fail(JetStreamOutputError.isInstance(err) ? err.code : "OUTPUT_FAILED", err);
            // Not known to be stored: give its dedupe keys back so a later message with the key
            // (or a rerun) publishes it again, with the same Nats-Msg-Id: after an unknown outcome
            // (ACK_TIMEOUT, DISCONNECTED, CLOSED) the stream drops the copy if the first one was
            // stored. A key that cannot be given back stays pending for this run, and a rerun
            // takes it over once this run is gone.
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
    // Bounded: a claim left pending costs a rerun one publish the stream drops, never a message.
    const left = Number.isFinite(deadline) ? deadline - performance.now() : plan.shutdownTimeoutMs;
    await settleClaims(claims, Math.max(0, left));
  } finally {
    if (tick) clearInterval(tick);
    stopMetrics();
    for (const w of watches) w.stop();
    clearTimeout(forceClose);
    removeAbort();
    await output
      ?.close(plan.shutdownTimeoutMs)
      .catch((e: unknown) => log.warn(`closing output: ${errorText(e)}`));
    presence.close();
    for (const [label, c] of caches)
      await c.close().catch((e: unknown) => log.warn(`closing cache '${label}': ${errorText(e)}`));
    stats.elapsedMs = performance.now() - started;
  }
  opts.onProgress?.(stats);
  return stats;
}

/**
 * `input_received`, as Redpanda Connect's: observed from the run's own count when scraped, so a
 * message costs nothing extra. Returns the function that ends the series.
 */
function observeInput(meter: Meter | undefined, label: string, stats: RunStats): () => void {
  if (!meter) return () => {};
  const received = meter.createObservableCounter("input_received", { description: "messages read" });
  const observe = (r: { observe(value: number, attributes: Record<string, string>): void }) =>
    r.observe(stats.read, { label });
  received.addCallback(observe);
  return () => received.removeCallback(observe);
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
    fail("MAPPING_FAILED", new Error(`${renderConfigPath(p.path)}: ${errorText(e)}`));
    return "failed";
  }
}

interface ClaimContext {
  /** This run: the owner named in every claim it makes (see `Presence`). */
  owner: string;
  /** Numbers the messages of this run, so a retry recognises its own write. */
  seq: number;
  giveUp: () => boolean;
  /** The dedupe keys each message in flight claimed. */
  held: WeakMap<Message, HeldClaim[]>;
  liveness: Map<KvCache, Liveness>;
  /** Claims being marked done, awaited before the caches close. */
  settling: Set<Promise<void>>;
  log: Logger;
}

interface HeldClaim {
  cache: KvCache;
  key: string;
  seq: number;
}

function hold(ctx: ClaimContext, msg: Message, claim: HeldClaim): void {
  const held = ctx.held.get(msg);
  if (held) held.push(claim);
  else ctx.held.set(msg, [claim]);
}

/**
 * The message was stored (or filtered on purpose): its claims become `done`, so no rerun publishes
 * it again. If that write is lost (a crash right now, the cache unreachable), the claim stays
 * pending and a rerun publishes the message again with its Nats-Msg-Id, which the stream drops as
 * a duplicate within its duplicate_window.
 */
function finishClaims(ctx: ClaimContext, msg: Message): void {
  const held = ctx.held.get(msg);
  if (!held) return;
  ctx.held.delete(msg);
  for (const { cache, key } of held) {
    const p: Promise<void> = cache
      .set(key, DONE_VALUE)
      .catch((e: unknown) =>
        ctx.log.debug(
          `dedupe key '${key}' stays pending (${errorText(e)}): a rerun publishes its message again with the same Nats-Msg-Id`,
        ),
      )
      .finally(() => ctx.settling.delete(p));
    ctx.settling.add(p);
  }
}

async function settleClaims(ctx: ClaimContext, timeoutMs: number): Promise<void> {
  if (ctx.settling.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(ctx.settling),
    new Promise((r) => {
      timer = setTimeout(r, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Deletes the dedupe keys `msg` claimed, where they still hold its claim: the message was not
 * stored, so its key must not make a later message (or a rerun) drop it as a duplicate.
 */
async function releaseClaims(ctx: ClaimContext, msg: Message): Promise<void> {
  const held = ctx.held.get(msg);
  if (!held) return;
  ctx.held.delete(msg);
  for (const { cache, key, seq } of held) {
    try {
      const state = parseClaim(await cache.get(key));
      if (state.kind === "pending" && state.owner === ctx.owner && state.seq === seq) await cache.delete(key);
    } catch (e) {
      if (KeyNotFoundError.isInstance(e)) continue;
      ctx.log.warn(
        `dedupe key '${key}' of a failed message could not be given back (${errorText(e)}): it stays pending, and a rerun publishes that message again`,
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
    const where = renderConfigPath(p.path);
    if (p.kind === "mapping") {
      const outcome = runMapping(p, msg, stats, fail);
      if (outcome === "kept") continue;
      // Filtered on purpose, as in Redpanda Connect, a claimed dedupe key stays (it was seen).
      if (outcome === "failed") await releaseClaims(ctx, msg);
      else finishClaims(ctx, msg);
      return undefined;
    }
    const key = p.key.tryString(msg);
    const empty = key.ok && !p.allowEmptyKey && (key.value === "" || key.value === "null");
    if (!key.ok || empty) {
      const why = key.ok
        ? `is ${key.value === "" ? "empty" : "null"} (set allow_empty_key: true to use it anyway)`
        : key.error.message;
      fail("DEDUPE_KEY_FAILED", new Error(`${where}.key: ${why}`));
      await releaseClaims(ctx, msg);
      return undefined;
    }
    const cache = caches.get(p.cache) as KvCache;
    const seq = ++ctx.seq;
    try {
      const claim = await claimKey(cache, key.value, seq, {
        owner: ctx.owner,
        liveness: ctx.liveness.get(cache) as Liveness,
        giveUp: ctx.giveUp,
      });
      if (claim === "duplicate") {
        stats.deduplicated++;
        // Keys an earlier dedupe step claimed for it were seen, as for a filtered message.
        finishClaims(ctx, msg);
        return undefined;
      }
      if (claim === "taken-over") stats.takenOver++;
      hold(ctx, msg, { cache, key: key.value, seq });
    } catch (e) {
      // As in Redpanda Connect: with drop_on_err the message is dropped, else it passes on.
      if (p.dropOnErr) {
        fail("DEDUPE_FAILED", new Error(`${where}: cache '${p.cache}': ${errorText(e)}`));
        // An attempt whose answer was lost may have claimed the key: give it back too.
        hold(ctx, msg, { cache, key: key.value, seq });
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
      : input.paths.map((p) => () => createReadStream(p));
  for (const open of streams) {
    if (signal?.aborted) return;
    const stream = open();
    const onAbort = () => stream.destroy();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const line of lines(stream)) {
        if (signal?.aborted) return;
        if (line.length === 0) continue;
        yield createMessage(line);
      }
    } catch (e) {
      if (!signal?.aborted) throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (stream !== process.stdin) stream.destroy();
      else process.stdin.pause();
    }
  }
}

/**
 * The lines of a byte stream, as bytes: nothing is decoded, so a line that is not UTF-8 reaches
 * the output unchanged. As Go's line scanner (Redpanda Connect's `lines` codec), a line ends at
 * `\n`, one `\r` before it is dropped, and a last line without `\n` counts.
 */
export async function* lines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Uint8Array> {
  let rest: Buffer | undefined;
  for await (const chunk of stream) {
    const buf: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const data = rest ? Buffer.concat([rest, buf]) : buf;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      yield copyLine(data, start, nl);
      start = nl + 1;
    }
    rest = start < data.length ? data.subarray(start) : undefined;
  }
  if (rest) yield copyLine(rest, 0, rest.length);
}

function copyLine(data: Buffer, start: number, end: number): Uint8Array {
  const stop = end > start && data[end - 1] === 13 ? end - 1 : end;
  // A copy: the chunk's memory is not held by a message that outlives it.
  return Uint8Array.prototype.slice.call(data, start, stop);
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
