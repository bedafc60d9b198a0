/**
 * A bench child that runs keysmith as `keysmith serve` does (startServer: SQLite file,
 * migrations, bootstrap root key) on a temporary database and a free loopback port, with only
 * the bench's settings: a KEYSMITH_* variable in the caller's shell must not leak in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "./child.js";
import { answerGcMeasurements } from "./gc.js";

/**
 * Starts the server (`env` as the environment, `options` over the bench's flags), then reports
 * over IPC what `ready(running)` answers. The server stops and its directory goes when the
 * parent says stop; on a failure the directory goes and the parent hears the error.
 */
export async function serveForBench({ dirPrefix, env = {}, options = {} }, ready) {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  let running;
  answerGcMeasurements();

  onStop(async () => {
    try {
      await running?.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  try {
    const loaded = loadConfig(env, {
      databaseUrl: join(dir, "keysmith.db"),
      host: "127.0.0.1",
      port: "0",
      logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
      ...options,
    });
    if (!loaded.ok) throw new Error(loaded.error);
    running = await startServer(loaded.config, createLogger(loaded.config.logLevel));
    if (running.rootKey === null) throw new Error("the fresh database did not create a root key");
    process.send(await ready(running));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    failChild(error);
  }
}
