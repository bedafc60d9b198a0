/**
 * The keysmith server as `keysmith serve` runs it (startServer: SQLite file, migrations,
 * bootstrap root key, last-used flush timer), on a temporary database and a free port.
 * Reports `{ type: "ready", url, authorization, body }` over IPC: the Authorization header
 * and the JSON verify body for the load generator. The keys inside are never printed.
 *
 * `BENCH_METERING=memory|redis` verifies a metered key instead: two rate-limit windows (large
 * enough never to refuse during the run) and a hard-capped budget; `redis` keeps the counters
 * in the Redis at `KEYSMITH_TEST_REDIS_URL` (default redis://127.0.0.1:6379) under a key prefix
 * of its own.
 */
import { createKeys, injectJson } from "../lib/keysmith.js";
import { serveForBench } from "../lib/server.js";

const metering = process.env.BENCH_METERING ?? "";
const redisUrl = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

await serveForBench(
  {
    dirPrefix: "keysmith-bench-",
    options: metering === "redis" ? { redisUrl, redisKeyPrefix: `keysmith-bench-${process.pid}:` } : {},
  },
  async (running) => {
    const { keys, projectId } = await createKeys(running.keysmith.app, running.rootKey, { count: 1 });
    if (metering) {
      const metered = await injectJson(
        running.keysmith.app,
        `Bearer ${running.rootKey}`,
        "POST",
        "/v1/keys",
        {
          projectId,
          ratelimits: [
            { name: "burst", limit: 1_000_000_000, duration: "1s" },
            { name: "daily", limit: 1_000_000_000, duration: "1d" },
          ],
          budget: { limit: 1e15, period: "month", hardCap: true },
        },
      );
      keys[0] = metered.key;
    }
    return {
      type: "ready",
      url: running.url,
      pid: process.pid,
      authorization: `Bearer ${running.rootKey}`,
      body: JSON.stringify({ key: keys[0] }),
    };
  },
);
