/**
 * One keysmith node in cluster mode (Postgres + Redis from the environment), for the cluster
 * scenario. With `BENCH_CREATE_KEY=1` it also creates a project and a key through its API and
 * reports the Authorization header and verify body over IPC (never printed).
 */
import { createLogger, loadConfig, startServer } from "../../packages/server/dist/index.js";
import { failChild, onStop } from "../lib/child.js";
import { createKeys } from "../lib/keysmith.js";

let running;
onStop(async () => {
  await running?.stop();
});

try {
  const loaded = loadConfig(
    {},
    {
      databaseUrl: process.env.BENCH_DATABASE_URL,
      redisUrl: process.env.BENCH_REDIS_URL,
      redisKeyPrefix: process.env.BENCH_REDIS_PREFIX,
      host: "127.0.0.1",
      port: "0",
      logLevel: "warn",
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  running = await startServer(loaded.config, createLogger(loaded.config.logLevel));
  const ready = { type: "ready", url: running.url, pid: process.pid };
  if (process.env.BENCH_CREATE_KEY === "1") {
    if (running.rootKey === null) throw new Error("the fresh database did not create a root key");
    const { keys, projectId } = await createKeys(running.keysmith.app, running.rootKey, { count: 1 });
    Object.assign(ready, {
      authorization: `Bearer ${running.rootKey}`,
      body: JSON.stringify({ key: keys[0] }),
      projectId,
    });
  }
  process.send(ready);
} catch (error) {
  failChild(error);
}
