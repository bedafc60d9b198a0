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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "../lib/child.js";
import { createKeys, injectJson } from "../lib/keysmith.js";

const metering = process.env.BENCH_METERING ?? "";
const redisUrl = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const dir = mkdtempSync(join(tmpdir(), "keysmith-bench-"));
let running;

onStop(async () => {
  try {
    await running?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

try {
  // Only the bench's settings: a KEYSMITH_* variable in the caller's shell must not leak in.
  const loaded = loadConfig(
    {},
    {
      databaseUrl: join(dir, "keysmith.db"),
      host: "127.0.0.1",
      port: "0",
      logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
      ...(metering === "redis" ? { redisUrl, redisKeyPrefix: `keysmith-bench-${process.pid}:` } : {}),
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  running = await startServer(loaded.config, createLogger(loaded.config.logLevel));
  if (running.rootKey === null) throw new Error("the fresh database did not create a root key");
  const { keys, projectId } = await createKeys(running.keysmith.app, running.rootKey, { count: 1 });
  if (metering) {
    const metered = await injectJson(running.keysmith.app, `Bearer ${running.rootKey}`, "POST", "/v1/keys", {
      projectId,
      ratelimits: [
        { name: "burst", limit: 1_000_000_000, duration: "1s" },
        { name: "daily", limit: 1_000_000_000, duration: "1d" },
      ],
      budget: { limit: 1e15, period: "month", hardCap: true },
    });
    keys[0] = metered.key;
  }
  process.send({
    type: "ready",
    url: running.url,
    pid: process.pid,
    authorization: `Bearer ${running.rootKey}`,
    body: JSON.stringify({ key: keys[0] }),
  });
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  failChild(error);
}
