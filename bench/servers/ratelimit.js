/**
 * The keysmith server as `keysmith serve` runs it, on a temporary SQLite database and a free
 * port, for `POST /v1/ratelimit`. Reports `{ type: "ready", url, authorization, body }` over IPC;
 * the root key travels only there and in wrk's environment. The body's limit is large enough
 * never to refuse during the run, so every call is counted.
 *
 * Counters in memory, or with `BENCH_RATELIMIT_STORE=redis` in the Redis at
 * `KEYSMITH_TEST_REDIS_URL` (default redis://127.0.0.1:6379), as a cluster node keeps them,
 * under a key prefix of its own (one counter a minute, expiring by itself).
 */
import { serveForBench } from "../lib/server.js";

const redis = process.env.BENCH_RATELIMIT_STORE === "redis";
const redisUrl = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

await serveForBench(
  {
    dirPrefix: "keysmith-bench-",
    options: redis ? { redisUrl, redisKeyPrefix: `keysmith-bench-${process.pid}:` } : {},
  },
  async (running) => ({
    type: "ready",
    url: running.url,
    pid: process.pid,
    authorization: `Bearer ${running.rootKey}`,
    body: JSON.stringify({
      namespace: "bench",
      identifier: "203.0.113.7",
      limit: 1_000_000_000,
      duration: "1m",
    }),
  }),
);
