/**
 * The keysmith server as `keysmith serve` runs it (counters in memory), on a temporary SQLite
 * database and a free port, for `POST /v1/ratelimit`. Reports `{ type: "ready", url,
 * authorization, body }` over IPC; the root key travels only there and in wrk's environment.
 * The body's limit is large enough never to refuse during the run, so every call is counted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "../lib/child.js";

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
  const loaded = loadConfig(
    {},
    {
      databaseUrl: join(dir, "keysmith.db"),
      host: "127.0.0.1",
      port: "0",
      logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  running = await startServer(loaded.config, createLogger(loaded.config.logLevel));
  if (running.rootKey === null) throw new Error("the fresh database did not create a root key");
  process.send({
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
  });
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  failChild(error);
}
