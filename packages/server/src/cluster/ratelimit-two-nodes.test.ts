import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { bootstrapRootKey } from "../bootstrap.js";
import type { KeyChange } from "../changes.js";
import { systemClock } from "../clock.js";
import { openStore } from "../database.js";
import { createLogger } from "../logger.js";
import { RedisRateLimitStore } from "../metering/redis-rate-limit-store.js";
import { RedisChangeFeed } from "../redis-change-feed.js";
import type { Store } from "../storage/store.js";
import {
  createTestDatabase,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  type TestDatabase,
} from "../test-support/databases.js";

const ready = await redisAvailable();
const dialect = (await postgresAvailable()) ? "postgres" : "sqlite";

interface Node {
  keysmith: KeysmithApp;
  store: Store;
  feed: RedisChangeFeed;
  check(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * Two keysmith apps in this process, as two nodes are deployed: one database, and one Redis for
 * the rate-limit counters and the change feed (each node with its own connections).
 */
describe.skipIf(!ready)(`standalone rate limits on two nodes sharing Redis (${dialect})`, () => {
  let database: TestDatabase;
  let prefix: string;
  let rootKey: string;
  let a: Node;
  let b: Node;

  const node = async (): Promise<Node> => {
    const store = await openStore(database.url);
    const feed = new RedisChangeFeed({ url: REDIS_URL, keyPrefix: prefix });
    await feed.ready();
    const rateLimits = new RedisRateLimitStore({
      url: REDIS_URL,
      keyPrefix: prefix,
      // A loaded test machine may be slow: wait for Redis rather than answer by failure mode.
      failureMode: "closed",
      timeoutMs: 5_000,
    });
    await rateLimits.ready();
    const keysmith = await buildApp({ store, changes: feed, rateLimits, logger: createLogger("silent") });
    return {
      keysmith,
      store,
      feed,
      async check(body) {
        const res = await keysmith.app.inject({
          method: "POST",
          url: "/v1/ratelimit",
          headers: { authorization: `Bearer ${rootKey}` },
          payload: body,
        });
        return { status: res.statusCode, body: res.json() };
      },
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    prefix = `keysmith-test-${randomBytes(4).toString("hex")}:`;
    const first = await openStore(database.url);
    rootKey = (await bootstrapRootKey(first, systemClock)) as string;
    await first.close();
    a = await node();
    b = await node();
  }, 30_000);

  afterAll(async () => {
    for (const n of [a, b]) {
      if (!n) continue;
      await n.keysmith.close();
      await n.feed.close();
      await n.store.close();
    }
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await database?.drop();
  });

  it("admits exactly the limit of 2× the limit in concurrent calls spread over both nodes", async () => {
    const limit = 50;
    const body = {
      namespace: "login",
      identifier: `ip-${randomBytes(4).toString("hex")}`,
      limit,
      duration: "1h",
    };
    const results = await Promise.all(
      Array.from({ length: 2 * limit }, (_, i) => ((i % 2 === 0 ? a : b) as Node).check(body)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.success === true)).toHaveLength(limit);
    expect(results.filter((r) => r.body.success === false)).toHaveLength(limit);
    // Each admitted call left a distinct remaining count: 49 down to 0, once each.
    const remaining = results
      .filter((r) => r.body.success === true)
      .map((r) => r.body.remaining as number)
      .sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: limit }, (_, i) => i));
  });

  it("an override set through one node applies on the other at its next check", async () => {
    const namespace = `ns${randomBytes(3).toString("hex")}`;
    const body = { namespace, identifier: "user_7", limit: 100, duration: "1h" };
    // B caches the namespace (no overrides) on its first check.
    expect((await b.check(body)).body.limit).toBe(100);
    const heard = new Promise<KeyChange>((resolve) => {
      const stop = b.feed.subscribe((change) => {
        if (change.type === "ratelimit.override_changed") {
          stop();
          resolve(change);
        }
      });
    });
    const put = await a.keysmith.app.inject({
      method: "PUT",
      url: "/v1/ratelimit/overrides",
      headers: { authorization: `Bearer ${rootKey}` },
      payload: { namespace, identifier: "user_*", limit: 3, duration: "1h" },
    });
    expect(put.statusCode).toBe(200);
    expect(await heard).toEqual({ type: "ratelimit.override_changed", namespace });
    expect((await b.check(body)).body).toMatchObject({ limit: 3, success: true });
  });
});
