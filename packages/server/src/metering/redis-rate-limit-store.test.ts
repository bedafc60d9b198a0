import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RateLimitWindow } from "../domain/rate-limit.js";
import { REDIS_URL, redisAvailable } from "../test-support/databases.js";
import { rateLimitConformance } from "../test-support/rate-limit-conformance.js";
import { RedisRateLimitStore, type RedisScriptClient } from "./redis-rate-limit-store.js";

/** Nothing listens on port 1: connections are refused at once. */
const UNREACHABLE_URL = "redis://127.0.0.1:1";

const T0 = 1_700_006_400_000;
const burst: RateLimitWindow = { name: "burst", limit: 2, durationMs: 1_000 };
const minute: RateLimitWindow = { name: "minute", limit: 5, durationMs: 60_000 };

/** A client that gives up at once: no retries, no offline queue, no reconnects. */
function quickClient(url: string): Redis {
  const client = new Redis(url, {
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  client.on("error", () => {});
  return client;
}

/** Deletes every key under `prefix`, a SCAN page at a time. */
async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

const available = await redisAvailable();

describe.skipIf(!available)("RedisRateLimitStore against a live Redis", () => {
  // One client for the whole file, the way the server shares one; each store gets its own prefix.
  let client: Redis;
  const runPrefix = `keysmith-test:${randomBytes(6).toString("hex")}:`;

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await client.ping();
  });
  afterAll(async () => {
    await deleteKeys(client, runPrefix);
    await client.quit();
  });

  const storeOn = (redis: RedisScriptClient, keyPrefix: string): RedisRateLimitStore =>
    new RedisRateLimitStore({ redis, keyPrefix, failureMode: "closed" });

  rateLimitConformance("redis", async () => {
    const keyPrefix = `${runPrefix}${randomBytes(4).toString("hex")}:`;
    const store = storeOn(client, keyPrefix);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteKeys(client, keyPrefix);
      },
    };
  });

  it("keeps one hash-tagged counter per window that expires after the window ends", async () => {
    const keyPrefix = `${runPrefix}keys:`;
    const store = storeOn(client, keyPrefix);
    const now = T0 + 250;
    await store.consume("key_ttl", [burst, minute], 1, now);
    const burstKey = `${keyPrefix}rl:{key_ttl}:burst:${T0}`;
    const minuteKey = `${keyPrefix}rl:{key_ttl}:minute:${T0}`;
    expect(await client.mget(burstKey, minuteKey)).toEqual(["1", "1"]);
    // Window end plus a one-second grace for clock skew between nodes.
    const burstTtl = await client.pttl(burstKey);
    const minuteTtl = await client.pttl(minuteKey);
    expect(burstTtl).toBeGreaterThan(1_650);
    expect(burstTtl).toBeLessThanOrEqual(1_750);
    expect(minuteTtl).toBeGreaterThan(60_650);
    expect(minuteTtl).toBeLessThanOrEqual(60_750);
    // Later calls in the same window leave the expiry alone.
    await store.consume("key_ttl", [burst, minute], 1, now + 500);
    expect(await client.pttl(burstKey)).toBeLessThanOrEqual(burstTtl);
  });

  it("runs the script with EVAL when Redis has lost it (NOSCRIPT)", async () => {
    const keyPrefix = `${runPrefix}noscript:`;
    let evals = 0;
    const forgetful: RedisScriptClient = {
      evalsha: () => Promise.reject(new Error("NOSCRIPT No matching script. Please use EVAL.")),
      eval: (...args) => {
        evals++;
        return client.eval(...args);
      },
    };
    const store = storeOn(forgetful, keyPrefix);
    expect((await store.consume("key_noscript", [burst], 2, T0)).windows[0]?.remaining).toBe(0);
    expect((await store.consume("key_noscript", [burst], 1, T0 + 1)).allowed).toBe(false);
    expect(evals).toBe(2);
  });

  it("counts exactly across two stores on separate connections (two nodes)", async () => {
    const keyPrefix = `${runPrefix}nodes:`;
    const other = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const a = storeOn(client, keyPrefix);
      const b = storeOn(other, keyPrefix);
      const windows: RateLimitWindow[] = [{ name: "minute", limit: 100, durationMs: 60_000 }];
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).consume("key_nodes", windows, 1, T0 + i)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    } finally {
      await other.quit();
    }
  });

  it("sends the checks of one turn in one script call per maxBatch, deciding them in order", async () => {
    const keyPrefix = `${runPrefix}batch:`;
    const calls: number[] = [];
    const argvLengths: number[] = [];
    const counting: RedisScriptClient & { isCluster?: boolean } = {
      evalsha: (sha, numkeys, ...args) => {
        calls.push(numkeys);
        argvLengths.push(args.length - numkeys);
        return client.evalsha(sha, numkeys, ...args);
      },
      eval: (...args) => client.eval(...args),
    };
    const store = new RedisRateLimitStore({ redis: counting, keyPrefix, failureMode: "closed", maxBatch: 4 });
    // Checks of one and of two windows mixed in a batch, on two subjects: `a` has room for 2 in
    // its burst window, so the first two of its checks pass (in call order) and the rest take nothing.
    const checks = [
      store.consume("a", [burst, minute], 1, T0),
      store.consume("b", [minute], 3, T0),
      store.consume("a", [burst, minute], 1, T0 + 1),
      store.consume("a", [burst, minute], 1, T0 + 2),
      store.consume("b", [minute], 3, T0 + 3),
      store.consume("a", [minute], 1, T0 + 4),
    ];
    const decisions = await Promise.all(checks);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, true]);
    expect(decisions.map((d) => d.windows.map((w) => w.remaining))).toEqual([
      [1, 4],
      [2],
      [0, 3],
      [0, 3],
      [2],
      [2],
    ]);
    // Six checks, four a call: two calls, of 2+1+2+2 and 1+1 keys.
    expect(calls).toEqual([7, 2]);
    expect(await client.get(`${keyPrefix}rl:{a}:minute:${T0}`)).toBe("3");

    // One window each, one cost and limit (as POST /v1/ratelimit's checks): the three go once.
    calls.length = 0;
    argvLengths.length = 0;
    const single = await Promise.all(
      ["e", "f", "e", "e"].map((subject, i) => store.consume(subject, [burst], 1, T0 + 10 + i)),
    );
    expect(single.map((d) => [d.allowed, d.windows[0]?.remaining])).toEqual([
      [true, 1],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(calls).toEqual([4]);
    expect(argvLengths).toEqual([3]);
    const ttl = await client.pttl(`${keyPrefix}rl:{e}:burst:${T0}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000 - 10 + 1_000);

    // On a Redis Cluster, keys of different subjects live in different slots: one check a call.
    calls.length = 0;
    counting.isCluster = true;
    const clustered = new RedisRateLimitStore({ redis: counting, keyPrefix, failureMode: "closed" });
    await Promise.all([
      clustered.consume("c", [minute], 1, T0),
      clustered.consume("d", [burst, minute], 1, T0),
    ]);
    expect(calls).toEqual([1, 2]);
  });

  it("quits a client it created from a URL on close", async () => {
    const store = new RedisRateLimitStore({
      url: REDIS_URL,
      keyPrefix: `${runPrefix}owned:`,
      failureMode: "closed",
      timeoutMs: 2_000,
    });
    await store.ready();
    expect((await store.consume("key_owned", [burst], 1, T0)).allowed).toBe(true);
    await store.close();
  });
});

describe("RedisRateLimitStore when Redis fails", () => {
  const windows = [burst, minute];

  it("fails open: allows, marks the decision degraded, and reports the error", async () => {
    const client = quickClient(UNREACHABLE_URL);
    const errors: Error[] = [];
    try {
      const store = new RedisRateLimitStore({
        redis: client,
        keyPrefix: "keysmith-test:",
        failureMode: "open",
        timeoutMs: 1_000,
        onError: (error) => errors.push(error),
      });
      expect(await store.consume("key_open", windows, 1, T0 + 250)).toEqual({
        allowed: true,
        degraded: true,
        windows: [
          { name: "burst", limit: 2, remaining: 2, resetAt: T0 + 1_000 },
          { name: "minute", limit: 5, remaining: 5, resetAt: T0 + 60_000 },
        ],
      });
      expect(errors).toHaveLength(1);
      await store.close();
    } finally {
      client.disconnect();
    }
  });

  it("fails closed: denies with remaining = 0, and reports the error", async () => {
    const client = quickClient(UNREACHABLE_URL);
    const errors: Error[] = [];
    try {
      const store = new RedisRateLimitStore({
        redis: client,
        keyPrefix: "keysmith-test:",
        failureMode: "closed",
        onError: (error) => errors.push(error),
      });
      const decision = await store.consume("key_closed", windows, 1, T0);
      expect(decision.allowed).toBe(false);
      expect(decision.degraded).toBe(true);
      expect(decision.windows.map((w) => w.remaining)).toEqual([0, 0]);
      expect(errors).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it("answers by the failure mode when Redis is slower than timeoutMs", async () => {
    const errors: Error[] = [];
    const never = new Promise<unknown>(() => {});
    const stuck: RedisScriptClient = { evalsha: () => never, eval: () => never };
    const store = new RedisRateLimitStore({
      redis: stuck,
      keyPrefix: "keysmith-test:",
      failureMode: "open",
      timeoutMs: 20,
      onError: (error) => errors.push(error),
    });
    const started = Date.now();
    expect((await store.consume("key_slow", windows, 1, T0)).allowed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errors[0]?.message).toMatch(/did not answer within 20 ms/);
  });

  it("does not hang on a URL it cannot reach, and closes its own client", async () => {
    const errors: Error[] = [];
    const store = new RedisRateLimitStore({
      url: UNREACHABLE_URL,
      keyPrefix: "keysmith-test:",
      failureMode: "closed",
      timeoutMs: 50,
      onError: (error) => errors.push(error),
    });
    await expect(store.ready(100)).rejects.toThrow(/not connected within 100 ms/);
    expect((await store.consume("key_owned_down", windows, 1, T0)).allowed).toBe(false);
    expect(errors).toHaveLength(1);
    await store.close();
  });
});
