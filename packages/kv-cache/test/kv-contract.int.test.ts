import { type NatsServer, skipReason, startNatsServer } from "@natskit/test-nats";
import { afterAll, beforeAll, describe } from "vitest";
import { KvCache } from "../src/index.js";
import { testCacheContract } from "./contract.js";
import { createBucket } from "./helpers.js";

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
  await createBucket(server.url, "contract");
  await createBucket(server.url, "nodirect", { allow_direct: false });
  await createBucket(server.url, "withttl", { ttl: 60_000 });
});
afterAll(() => server?.stop());

describe("kv-cache on nats-server", () => {
  testCacheContract("kv-cache", () => KvCache.connect({ urls: [server.url], bucket: "contract" }), {
    ttl: { kind: "rejected" },
  });

  testCacheContract(
    "kv-cache with near-cache",
    () => KvCache.connect({ urls: [server.url], bucket: "contract", nearCache: { enabled: true } }),
    { ttl: { kind: "rejected" } },
  );

  testCacheContract(
    "kv-cache without direct get",
    () => KvCache.connect({ urls: [server.url], bucket: "nodirect" }),
    { ttl: { kind: "rejected" } },
  );

  // The bucket has a TTL of its own, so shorter per-call TTLs are honoured on read.
  testCacheContract(
    "kv-cache on a bucket with a ttl",
    () => KvCache.connect({ urls: [server.url], bucket: "withttl", nearCache: { enabled: true } }),
    { ttl: { kind: "expires", ttl: 300, waitMs: 450 } },
  );
});

// nats-server >= 2.11: entries carry their own TTL (Nats-TTL); the bucket allows it.
const perKeyTtl = skipReason("perKeyTtl");
describe.skipIf(perKeyTtl)(`kv-cache per-key ttl${perKeyTtl ? ` (skipped: ${perKeyTtl})` : ""}`, () => {
  testCacheContract(
    "kv-cache with per-key ttl",
    () =>
      KvCache.connect({
        urls: [server.url],
        bucket: "perkeyttl",
        createBucket: true,
        bucketSettings: { limitMarkerTtl: "1s" },
      }),
    { ttl: { kind: "expires", ttl: "1s", waitMs: 2500 } },
  );
});
