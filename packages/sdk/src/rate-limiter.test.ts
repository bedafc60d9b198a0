import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, startServer } from "@keysmith/server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keysmith } from "./client.js";
import { RateLimiter } from "./rate-limiter.js";

const REDIS_URL = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("RateLimiter in memory", () => {
  const T0 = Date.UTC(2026, 5, 1, 12, 0, 30);
  let now = T0;
  const limiter = (options: Partial<ConstructorParameters<typeof RateLimiter>[0]> = {}) =>
    new RateLimiter({ namespace: "login", limit: 3, duration: "1m", now: () => now, ...options });

  it("admits `limit` calls per fixed window and reports remaining and reset as the server does", async () => {
    now = T0;
    const logins = limiter();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await logins.limit("1.2.3.4"));
    expect(results.map((r) => [r.success, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    // Windows start at multiples of the duration since the epoch: this one ends at 12:01:00.
    expect(results[3]).toEqual({ success: false, limit: 3, remaining: 0, reset: "2026-06-01T12:01:00.000Z" });
    expect(logins.limitSync("5.6.7.8").success).toBe(true);
    now = Date.UTC(2026, 5, 1, 12, 1, 0);
    expect(await logins.limit("1.2.3.4")).toEqual({
      success: true,
      limit: 3,
      remaining: 2,
      reset: "2026-06-01T12:02:00.000Z",
    });
  });

  it("takes cost all or nothing; cost 0 reads", () => {
    now = T0;
    const l = limiter({ limit: 10 });
    expect(l.limitSync("u", { cost: 7 })).toMatchObject({ success: true, remaining: 3 });
    expect(l.limitSync("u", { cost: 4 })).toMatchObject({ success: false, remaining: 3 });
    expect(l.limitSync("u", { cost: 0 })).toMatchObject({ success: true, remaining: 3 });
    expect(l.limitSync("u", { cost: 3 })).toMatchObject({ success: true, remaining: 0 });
  });

  it("applies the most specific override, as the server does", () => {
    now = T0;
    const l = limiter({
      limit: 100,
      overrides: [
        { identifier: "*", limit: 1, duration: "1m" },
        { identifier: "user_*", limit: 2, duration: "1m" },
        { identifier: "user_vip_*", limit: 5, duration: "1h" },
        { identifier: "user_vip_42", limit: 7, duration: 60_000 },
      ],
    });
    expect(l.limitSync("user_vip_42").limit).toBe(7);
    expect(l.limitSync("user_vip_43")).toMatchObject({ limit: 5, reset: "2026-06-01T13:00:00.000Z" });
    expect(l.limitSync("user_1").limit).toBe(2);
    expect(l.limitSync("someone").limit).toBe(1);
    expect(limiter({ limit: 100 }).limitSync("someone").limit).toBe(100);
  });

  it("refuses bad settings and identifiers", async () => {
    expect(() => limiter({ namespace: "a:b" })).toThrow(TypeError);
    expect(() => limiter({ limit: 0 })).toThrow(RangeError);
    expect(() => limiter({ limit: 1.5 })).toThrow(RangeError);
    expect(() => limiter({ duration: "500ms" })).toThrow(RangeError);
    expect(() => limiter({ duration: "32d" })).toThrow(RangeError);
    expect(() => limiter({ overrides: [{ identifier: "x", limit: 1, duration: "soon" }] })).toThrow(
      RangeError,
    );
    const l = limiter();
    expect(() => l.limitSync("x".repeat(257))).toThrow(TypeError);
    expect(() => l.limitSync("")).toThrow(TypeError);
    expect(() => l.limitSync("x", { cost: -1 })).toThrow(RangeError);
  });
});

const redisReachable = await (async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();

describe.skipIf(!redisReachable)("RateLimiter on Redis", () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    prefix = `keysmith-sdk-test-${randomBytes(4).toString("hex")}:`;
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("admits exactly the limit of 2× the limit in concurrent calls from two limiters", async () => {
    const options = { namespace: "api", limit: 40, duration: "1h", redis, keyPrefix: prefix } as const;
    const [one, two] = [new RateLimiter(options), new RateLimiter(options)];
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => ((i % 2 ? one : two) as RateLimiter).limit("shared")),
    );
    expect(results.filter((r) => r.success)).toHaveLength(40);
    expect(
      results
        .filter((r) => r.success)
        .map((r) => r.remaining)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("sends concurrent checks in one script call per maxBatch, one a call on a Redis Cluster", async () => {
    const calls: number[] = [];
    const argvLengths: number[] = [];
    const counting = {
      isCluster: false,
      evalsha: (sha: string, numkeys: number, ...args: (string | number)[]) => {
        calls.push(numkeys);
        argvLengths.push(args.length - numkeys);
        return redis.evalsha(sha, numkeys, ...args);
      },
      eval: (script: string, numkeys: number, ...args: (string | number)[]) =>
        redis.eval(script, numkeys, ...args),
    };
    const options = { namespace: "batch", limit: 3, duration: "1h", keyPrefix: prefix, maxBatch: 4 };
    const batched = new RateLimiter({ ...options, redis: counting });
    const ids = ["a", "b", "a", "a", "a", "c"];
    const results = await Promise.all(ids.map((id) => batched.limit(id)));
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, false, true]);
    expect(calls).toEqual([4, 2]);
    // One cost, limit and window in each batch: the script takes them once, not once a check.
    expect(argvLengths).toEqual([3, 3]);

    // Costs that differ within a batch go one triple a check, and are decided in order.
    argvLengths.length = 0;
    const mixed = await Promise.all([
      batched.limit("m", { cost: 2 }),
      batched.limit("m"),
      batched.limit("m", { cost: 1 }),
      batched.limit("m", { cost: 0 }),
    ]);
    expect(mixed.map((r) => [r.success, r.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
      [true, 0],
    ]);
    expect(argvLengths).toEqual([12]);

    calls.length = 0;
    counting.isCluster = true;
    const clustered = new RateLimiter({ ...options, redis: counting });
    await Promise.all(["x", "y", "z"].map((id) => clustered.limit(id)));
    expect(calls).toEqual([1, 1, 1]);
  });

  it("runs the script with EVAL when Redis does not know it (NOSCRIPT)", async () => {
    // A client whose Redis has forgotten the script (as after a restart); SCRIPT FLUSH would
    // disturb everyone else on this Redis.
    let evals = 0;
    const forgetful = {
      evalsha: () => Promise.reject(new Error("NOSCRIPT No matching script. Please use EVAL.")),
      eval: (script: string, numkeys: number, ...args: (string | number)[]) => {
        evals++;
        return redis.eval(script, numkeys, ...args);
      },
    };
    const l = new RateLimiter({
      namespace: "noscript",
      limit: 2,
      duration: "1h",
      redis: forgetful,
      keyPrefix: prefix,
    });
    expect((await l.limit("x")).success).toBe(true);
    expect(await l.limit("x")).toMatchObject({ success: true, remaining: 0 });
    expect((await l.limit("x")).success).toBe(false);
    expect(evals).toBe(3);
  });

  it("answers by failure mode when Redis fails", async () => {
    const broken = {
      evalsha: () => Promise.reject(new Error("connection lost")),
      eval: () => Promise.reject(new Error("connection lost")),
    };
    const closed = new RateLimiter({ namespace: "x", limit: 5, duration: "1m", redis: broken });
    const open = new RateLimiter({
      namespace: "x",
      limit: 5,
      duration: "1m",
      redis: broken,
      failureMode: "open",
    });
    expect(await closed.limit("a")).toMatchObject({ success: false, remaining: 0 });
    expect(await open.limit("a")).toMatchObject({ success: true, remaining: 5 });
  });

  it("shares counters with keysmith nodes on the same Redis: the SDK and POST /v1/ratelimit decide together", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keysmith-sdk-rl-"));
    const loaded = loadConfig(
      {},
      {
        databaseUrl: join(dir, "keysmith.db"),
        host: "127.0.0.1",
        port: "0",
        logLevel: "silent",
        redisUrl: REDIS_URL,
        redisKeyPrefix: prefix,
        redisTimeoutMs: "5000",
        rateLimitFailureMode: "closed",
      },
    );
    if (!loaded.ok) throw new Error(loaded.error);
    const running = await startServer(loaded.config, createLogger("silent"));
    try {
      const client = new Keysmith({ baseUrl: running.url, rootKey: running.rootKey as string });
      const body = { namespace: "login", identifier: "9.9.9.9", limit: 5, duration: "1h" };
      expect((await client.ratelimits.limit(body)).remaining).toBe(4);
      expect((await client.ratelimits.limit(body)).remaining).toBe(3);
      const local = new RateLimiter({
        namespace: "login",
        limit: 5,
        duration: "1h",
        redis,
        keyPrefix: prefix,
      });
      expect(await local.limit("9.9.9.9")).toMatchObject({ success: true, remaining: 2 });
      expect(await local.limit("9.9.9.9", { cost: 2 })).toMatchObject({ success: true, remaining: 0 });
      expect(await client.ratelimits.limit(body)).toMatchObject({ success: false, remaining: 0 });

      // Overrides through the typed client.
      const set = await client.ratelimits.overrides.set({
        namespace: "login",
        identifier: "9.9.*",
        limit: 50,
        duration: "1m",
      });
      expect(set).toMatchObject({ identifier: "9.9.*", limit: 50 });
      expect((await client.ratelimits.limit(body)).limit).toBe(50);
      expect((await client.ratelimits.overrides.list({ namespace: "login" })).data).toHaveLength(1);
      expect((await client.ratelimits.overrides.delete("login", "9.9.*")).identifier).toBe("9.9.*");
      expect((await client.ratelimits.overrides.list({ namespace: "login" })).data).toEqual([]);
    } finally {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
