/**
 * A keysmith server with the vault on (a random master key, SQLite in a temporary file, a free
 * port) holding one project with BENCH_SECRETS secrets (default 100) in the environment `bench`.
 * Reports `{ type: "ready", url, rootKey, projectId, secrets }` over IPC; the root key and the
 * values never go to stdout, a file or a command line.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "../lib/child.js";
import { injectJson } from "../lib/keysmith.js";

const dir = mkdtempSync(join(tmpdir(), "keysmith-bench-vault-"));
let running;

onStop(async () => {
  try {
    await running?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

try {
  const count = Number(process.env.BENCH_SECRETS ?? 100);
  const loaded = loadConfig(
    { KEYSMITH_MASTER_KEY: randomBytes(32).toString("base64") },
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
  const { app } = running.keysmith;
  const authorization = `Bearer ${running.rootKey}`;
  const project = await injectJson(app, authorization, "POST", "/v1/projects", {
    name: "bench vault",
    prefix: "vault",
  });
  for (let i = 0; i < count; i++) {
    // Realistic sizes: API keys of 40–100 characters.
    const value = randomBytes(30 + (i % 45)).toString("base64url");
    await injectJson(
      app,
      authorization,
      "POST",
      `/v1/secrets/bench/BENCH_SECRET_${i}?projectId=${project.id}`,
      { value },
    );
  }
  process.send({
    type: "ready",
    url: running.url,
    pid: process.pid,
    rootKey: running.rootKey,
    projectId: project.id,
    secrets: count,
  });
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  failChild(error);
}
