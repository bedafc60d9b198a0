/**
 * The standalone rate limit decided in-process, on one core: the SDK's `RateLimiter` in memory
 * (`limitSync` and awaited `limit`) over 10,000 identifiers, and against Redis with 64
 * concurrent callers — the SDK (checks batched into one script call) and, for comparison, the
 * server's `RedisRateLimitStore` (also batched, checks of any windows). rate-limiter-flexible's
 * `RateLimiterMemory` and `RateLimiterRedis` (the same ioredis client) run interleaved with them,
 * on the same identifiers with the same limit. Sends `{ type: "result", measures }`.
 */
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
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

/** Redis's own CPU seconds so far (INFO cpu: user + system, all its threads). */
async function redisCpuSeconds() {
  const info = await redis.info("cpu");
  const field = (name) => Number(new RegExp(`^${name}:([0-9.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return field("used_cpu_user") + field("used_cpu_sys");
}

/**
 * ops/s of CALLERS concurrent loops, each awaiting `body(i)` before its next call; pushes this
 * process's CPU µs per op to `cpu` (what the figure would be with a core of its own) and, to
 * `server`, Redis's CPU µs per op (other clients of that Redis count in it too).
 */
async function concurrentRun(body, cpu = [], server = []) {
  let n = 0;
  let wrong = 0;
  const redis0 = await redisCpuSeconds();
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
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  cpu.push((used.user + used.system) / n);
  server.push((((await redisCpuSeconds()) - redis0) * 1e6) / n);
  return n / seconds;
}

try {
  const measures = [];
  const memory = new RateLimiter({ namespace: "bench", limit: 1_000_000_000, duration: "1m" });
  // rate-limiter-flexible with the same limit and window; `consume` resolves while there is room.
  const flexibleMemory = new RateLimiterMemory({ keyPrefix: "bench", points: 1_000_000_000, duration: 60 });
  const syncCheck = (i) => memory.limitSync(ids[i]);
  // Both answer a promise; asyncRun awaits each before the next call.
  const awaitCheck = (i) => memory.limit(ids[i]);
  const flexibleCheck = (i) => flexibleMemory.consume(ids[i]);
  // Warm-up.
  syncRun(syncCheck);
  await asyncRun(awaitCheck);
  await asyncRun(flexibleCheck);
  const sync = [];
  const awaited = [];
  const flexible = [];
  for (let r = 0; r < RUNS; r++) {
    sync.push(syncRun(syncCheck));
    awaited.push(await asyncRun(awaitCheck));
    flexible.push(await asyncRun(flexibleCheck));
  }
  measures.push(
    { id: "memory-sync", runs: sync },
    { id: "memory-await", runs: awaited },
    { id: "memory-flexible", runs: flexible },
  );

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
  // rate-limiter-flexible on the same client (it defines its Lua script there, EVALSHA a check).
  const flexibleRedis = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rlf`,
    points: 1_000_000_000,
    duration: 60,
  });
  const window = [{ name: "w60000", limit: 1_000_000_000, durationMs: 60_000 }];
  const sdkCheck = async (i) => (await sdk.limit(ids[i])).success;
  const serverCheck = async (i) =>
    (await server.consume(`ns:bench:${ids[i]}`, window, 1, Date.now())).allowed;
  const flexibleRedisCheck = async (i) => (await flexibleRedis.consume(ids[i])).remainingPoints >= 0;
  const kinds = [
    { id: "redis-sdk", check: sdkCheck },
    { id: "redis-flexible", check: flexibleRedisCheck },
    { id: "redis-server-store", check: serverCheck },
  ];
  for (const kind of kinds) {
    await concurrentRun(kind.check);
    Object.assign(kind, { runs: [], cpuUsPerOp: [], redisUsPerOp: [] });
  }
  for (let r = 0; r < Math.max(3, Math.ceil(RUNS / 2)); r++) {
    // Alternate the order, so no kind always runs right after the same other one.
    for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      kind.runs.push(await concurrentRun(kind.check, kind.cpuUsPerOp, kind.redisUsPerOp));
    }
  }
  for (const { id, runs, cpuUsPerOp, redisUsPerOp } of kinds) {
    measures.push({ id, runs, cpuUsPerOp, redisUsPerOp });
  }
  await cleanup();
  process.send({ type: "result", measures, callers: CALLERS });
} catch (error) {
  await cleanup().catch(() => {});
  failChild(error);
}
