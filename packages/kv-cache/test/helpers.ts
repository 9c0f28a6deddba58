import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm, type KvOptions } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";

/** Creates a bucket with the raw client, as an operator would before starting the cache. */
export async function createBucket(url: string, name: string, opts: Partial<KvOptions> = {}): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await new Kvm(jetstream(nc)).create(name, opts);
  } finally {
    await nc.close();
  }
}

/** Deletes a stream (a bucket's is `KV_<bucket>`) with the raw client, as an operator might. */
export async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream);
  } finally {
    await nc.close();
  }
}

/** Reads a key with the raw client (no cache involved): the value, or undefined if missing/deleted. */
export async function rawGet(url: string, bucket: string, key: string): Promise<string | undefined> {
  const nc = await connect({ servers: url });
  try {
    const kv = await new Kvm(jetstream(nc)).open(bucket);
    const e = await kv.get(key);
    return e && e.operation === "PUT" ? e.string() : undefined;
  } finally {
    await nc.close();
  }
}

/** The revision of a key's latest entry (a value or a delete marker), read with the raw client. */
export async function rawRevision(url: string, bucket: string, key: string): Promise<number | undefined> {
  const nc = await connect({ servers: url });
  try {
    const kv = await new Kvm(jetstream(nc)).open(bucket);
    return (await kv.get(key))?.revision;
  } finally {
    await nc.close();
  }
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const td = new TextDecoder();

/**
 * Stops a process with SIGSTOP and waits until the kernel reports it stopped, so a request sent
 * afterwards cannot be served by a server that had not yet been frozen.
 */
export async function freeze(pid: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  const { readFileSync } = await import("node:fs");
  for (let i = 0; i < 200; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/^\d+ \(.*\) T/.test(stat)) return;
    await sleep(5);
  }
  throw new Error(`process ${pid} did not stop`);
}
