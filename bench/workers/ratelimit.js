/**
 * The standalone rate limit decided in-process, on one core: the SDK's `RateLimiter` in memory
 * (`limitSync` and awaited `limit`) over 10,000 identifiers, and against Redis with 64
 * concurrent callers — the SDK (checks batched into one script call) and, for comparison, the
 * server's `RedisRateLimitStore` (one EVALSHA a check). Sends `{ type: "result", measures }`.
 */
import { Redis } from "ioredis";
import { RateLimiter } from "../../packages/sdk/dist/index.js";
import { RedisRateLimitStore } from "../../packages/server/dist/metering/redis-rate-limit-store.js";
import { failChild, onStop } from "../lib/child.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 500);
const REDIS_RUN_MS = Number(process.env.BENCH_REDIS_RUN_MS ?? 2000);
const CALLERS = 64;
const redisUrl = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `keysmith-bench-rl-${process.pid}:`;
const ids = Array.from({ length: 10_000 }, (_, i) => `user_${i}`);

let redis;
onStop(async () => {
  await cleanup();
  redis?.disconnect();
});

async function cleanup() {
  if (!redis) return;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

/** ops/s of `body(i)` called in a loop for RUN_MS. */
function syncRun(body) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    for (let i = 0; i < 10_000; i++) body(i);
    n += 10_000;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

async function asyncRun(body) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    for (let i = 0; i < 10_000; i++) await body(i);
    n += 10_000;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

/**
 * ops/s of CALLERS concurrent loops, each awaiting `body(i)` before its next call; pushes this
 * process's CPU µs per op to `cpu` (what the figure would be with a core of its own).
 */
async function concurrentRun(body, cpu = []) {
  let n = 0;
  let wrong = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + REDIS_RUN_MS;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, c) => {
      let i = c * 97;
      while (performance.now() < end) {
        if (!(await body(i++ % 10_000))) wrong++;
        n++;
      }
    }),
  );
  if (wrong) throw new Error(`${wrong} checks were refused or failed (Redis down or slow?)`);
  const used = process.cpuUsage(cpu0);
  cpu.push((used.user + used.system) / n);
  return n / ((performance.now() - t0) / 1000);
}

try {
  const measures = [];
  const memory = new RateLimiter({ namespace: "bench", limit: 1_000_000_000, duration: "1m" });
  // Warm-up.
  syncRun((i) => memory.limitSync(ids[i]));
  await asyncRun((i) => memory.limit(ids[i]));
  const sync = [];
  const awaited = [];
  for (let r = 0; r < RUNS; r++) {
    sync.push(syncRun((i) => memory.limitSync(ids[i])));
    awaited.push(await asyncRun((i) => memory.limit(ids[i])));
  }
  measures.push({ id: "memory-sync", runs: sync }, { id: "memory-await", runs: awaited });

  redis = new Redis(redisUrl, { enableAutoPipelining: false, maxRetriesPerRequest: 1 });
  await redis.ping();
  const sdk = new RateLimiter({
    namespace: "bench",
    limit: 1_000_000_000,
    duration: "1m",
    redis,
    keyPrefix: prefix,
    failureMode: "closed",
  });
  const server = new RedisRateLimitStore({
    redis,
    keyPrefix: prefix,
    failureMode: "closed",
    timeoutMs: 5_000,
  });
  const window = [{ name: "w60000", limit: 1_000_000_000, durationMs: 60_000 }];
  const sdkCheck = async (i) => (await sdk.limit(ids[i])).success;
  const serverCheck = async (i) =>
    (await server.consume(`ns:bench:${ids[i]}`, window, 1, Date.now())).allowed;
  await concurrentRun(sdkCheck);
  await concurrentRun(serverCheck);
  const sdkRuns = [];
  const serverRuns = [];
  const sdkCpu = [];
  const serverCpu = [];
  for (let r = 0; r < Math.max(3, Math.ceil(RUNS / 2)); r++) {
    sdkRuns.push(await concurrentRun(sdkCheck, sdkCpu));
    serverRuns.push(await concurrentRun(serverCheck, serverCpu));
  }
  measures.push(
    { id: "redis-sdk", runs: sdkRuns, cpuUsPerOp: sdkCpu },
    { id: "redis-server-store", runs: serverRuns, cpuUsPerOp: serverCpu },
  );
  await cleanup();
  process.send({ type: "result", measures, callers: CALLERS });
} catch (error) {
  await cleanup().catch(() => {});
  failChild(error);
}
