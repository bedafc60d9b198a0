import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { createLogger } from "../logger.js";
import { RedisRateLimitStore } from "../metering/redis-rate-limit-store.js";
import { REDIS_URL, redisAvailable } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

const available = await redisAvailable();

describe.skipIf(!available)("an identity's shared limit across two nodes sharing Redis", () => {
  let h: Harness;
  const nodes: KeysmithApp[] = [];
  const stores: RedisRateLimitStore[] = [];
  const keyPrefix = `keysmith-test:${randomBytes(6).toString("hex")}:`;

  beforeAll(async () => {
    h = await createHarness("sqlite");
    for (let i = 0; i < 2; i++) {
      const rateLimits = new RedisRateLimitStore({
        url: REDIS_URL,
        keyPrefix,
        failureMode: "closed",
        // A loaded test machine: this test is about exactness, not latency.
        timeoutMs: 10_000,
      });
      await rateLimits.ready();
      stores.push(rateLimits);
      nodes.push(
        await buildApp({ store: h.store, clock: h.clock, logger: createLogger("silent"), rateLimits }),
      );
    }
  });
  afterAll(async () => {
    const client = new Redis(REDIS_URL);
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
    for (const node of nodes) await node.close();
    await h.close();
  });

  it("admits exactly the limit of 2× the limit in concurrent calls from all its keys", async () => {
    const limit = 25;
    const projectId = (await h.project()).id;
    const created = await h.api("POST", "/v1/identities", {
      projectId,
      externalId: "cus_cluster",
      ratelimits: [{ name: "shared", limit, duration: "1h" }],
    });
    expect(created.status).toBe(201);
    const keys = [
      await h.key(projectId, { ownerId: "cus_cluster" }),
      await h.key(projectId, { ownerId: "cus_cluster" }),
    ];
    const calls = Array.from({ length: 2 * limit }, (_, i) =>
      (nodes[i % 2] as KeysmithApp).app.inject({
        method: "POST",
        url: "/v1/keys/verify",
        headers: { authorization: `Bearer ${h.rootKey}` },
        payload: { key: (keys[Math.floor(i / 2) % 2] as { key: string }).key },
      }),
    );
    const answers = await Promise.all(calls);
    const codes = answers.map((r) => JSON.parse(r.body).code as string);
    expect(codes.filter((c) => c === "VALID")).toHaveLength(limit);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(limit);
  });
});
