/**
 * The keysmith server as `keysmith serve` runs it (startServer: SQLite file, migrations,
 * bootstrap root key, last-used flush timer), on a temporary database and a free port.
 * Reports `{ type: "ready", url, authorization, body }` over IPC: the Authorization header
 * and the JSON verify body for the load generator. The keys inside are never printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "../lib/child.js";
import { createKeys } from "../lib/keysmith.js";

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
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  running = await startServer(loaded.config, createLogger(loaded.config.logLevel));
  if (running.rootKey === null) throw new Error("the fresh database did not create a root key");
  const { keys } = await createKeys(running.keysmith.app, running.rootKey, { count: 1 });
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
