/**
 * A keysmith server with the vault on (a random master key, SQLite in a temporary file, a free
 * port) holding one project with BENCH_SECRETS secrets (default 100) in the environment `bench`.
 * Reports `{ type: "ready", url, rootKey, projectId, secrets }` over IPC; the root key and the
 * values never go to stdout, a file or a command line.
 */
import { randomBytes } from "node:crypto";
import { injectJson } from "../lib/keysmith.js";
import { serveForBench } from "../lib/server.js";

const count = Number(process.env.BENCH_SECRETS ?? 100);

await serveForBench(
  {
    dirPrefix: "keysmith-bench-vault-",
    env: { KEYSMITH_MASTER_KEY: randomBytes(32).toString("base64") },
  },
  async (running) => {
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
    return {
      type: "ready",
      url: running.url,
      pid: process.pid,
      rootKey: running.rootKey,
      projectId: project.id,
      secrets: count,
    };
  },
);
