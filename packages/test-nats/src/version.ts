import { execFile, execFileSync } from "node:child_process";
import { findNatsServer } from "./binary.js";
import { TestNatsError } from "./errors.js";

/** Server features that tests may need to skip on older servers; see {@link NATS_SERVER_FEATURES}. */
export type NatsServerFeature =
  | "handshakeFirst"
  | "perKeyTtl"
  | "msgTtl"
  | "streamCompression"
  | "subjectTransform"
  | "multiFilterConsumers"
  | "consumerPause"
  | "atomicBatch"
  | "fastIngest";

/** The first nats-server version with each feature, and how skip messages name it. */
export const NATS_SERVER_FEATURES: Readonly<
  Record<NatsServerFeature, { readonly minVersion: string; readonly description: string }>
> = {
  handshakeFirst: { minVersion: "2.10.0", description: "tls handshake_first" },
  perKeyTtl: { minVersion: "2.11.0", description: "per-key TTL in KV (allow_msg_ttl)" },
  msgTtl: { minVersion: "2.11.0", description: "per-message TTL (allow_msg_ttl, Nats-TTL)" },
  streamCompression: { minVersion: "2.10.0", description: "stream compression" },
  subjectTransform: { minVersion: "2.10.0", description: "stream subject_transform" },
  multiFilterConsumers: { minVersion: "2.10.0", description: "consumers with several filter_subjects" },
  consumerPause: { minVersion: "2.11.0", description: "consumer pause" },
  atomicBatch: { minVersion: "2.12.0", description: "atomic batch publish (allow_atomic)" },
  fastIngest: { minVersion: "2.14.0", description: "fast-ingest batch publish (allow_batched)" },
};

/**
 * The version in `nats-server --version` output (`nats-server: v2.9.10`), or in a bare version
 * string, without the leading `v`; `undefined` when there is none.
 */
export function parseNatsServerVersion(output: string): string | undefined {
  return /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(output)?.[1];
}

/**
 * Compares `major.minor.patch` numerically: negative if `a < b`, 0 if equal, positive if `a > b`.
 * A pre-release suffix is ignored, so `2.11.0-RC.1` counts as `2.11.0`.
 */
export function compareVersions(a: string, b: string): number {
  const pa = (parseNatsServerVersion(a) ?? a).split("-")[0]!.split(".").map(Number);
  const pb = (parseNatsServerVersion(b) ?? b).split("-")[0]!.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether nats-server `version` has `feature`. @example supports("2.9.10", "handshakeFirst") // false */
export function supports(version: string, feature: NatsServerFeature): boolean {
  return compareVersions(version, NATS_SERVER_FEATURES[feature].minVersion) >= 0;
}

const versionCache = new Map<string, string>();

function versionFrom(bin: string, output: string): string {
  const v = parseNatsServerVersion(output);
  if (v === undefined) {
    throw new TestNatsError("VERSION_UNKNOWN", `${bin} --version: no version in output '${output.trim()}'`);
  }
  versionCache.set(bin, v);
  return v;
}

/**
 * Version of the nats-server binary (`"2.9.10"`), from `nats-server --version`; cached per binary.
 * @param bin - binary to ask. @default findNatsServer()
 * @throws {NatsServerNotFoundError} when no binary is found.
 */
export function natsServerVersion(bin: string = findNatsServer()): Promise<string> {
  const cached = versionCache.get(bin);
  if (cached !== undefined) return Promise.resolve(cached);
  return new Promise((resolve, reject) => {
    execFile(bin, ["--version"], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new TestNatsError("VERSION_UNKNOWN", `${bin} --version failed: ${err.message}`, { cause: err }),
        );
        return;
      }
      try {
        resolve(versionFrom(bin, `${stdout}${stderr}`));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Synchronous {@link natsServerVersion}, for test-collection time (`it.skipIf`). */
export function natsServerVersionSync(bin: string = findNatsServer()): string {
  const cached = versionCache.get(bin);
  if (cached !== undefined) return cached;
  let out: string;
  try {
    out = execFileSync(bin, ["--version"], { timeout: 10_000, encoding: "utf8", stdio: "pipe" });
  } catch (err) {
    throw new TestNatsError("VERSION_UNKNOWN", `${bin} --version failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return versionFrom(bin, out);
}

/**
 * Why a test of `feature` must be skipped on this server, or `undefined` when the server has it.
 * Pass the result to vitest's `ctx.skip(reason)` or `it.skipIf(reason)` so the reason is printed.
 *
 * @param version - server version to check. @default natsServerVersionSync()
 * @throws {NatsServerNotFoundError} when no binary is found: a test that needs a server must fail.
 * @example
 * skipReason("handshakeFirst") // "nats-server 2.9.10 lacks tls handshake_first (needs >= 2.10.0)"
 */
export function skipReason(feature: NatsServerFeature, version?: string): string | undefined {
  const v = version ?? natsServerVersionSync();
  if (supports(v, feature)) return undefined;
  const f = NATS_SERVER_FEATURES[feature];
  return `nats-server ${v} lacks ${f.description} (needs >= ${f.minVersion})`;
}
