import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  REDIS_URL,
  redisAvailable,
  type TestDatabase,
} from "../test-support/databases.js";
import { type Answer, type FaultNode, quantile, startFaultNode } from "../test-support/fault-node.js";
import { eventually, startTcpProxy, type TcpProxy } from "../test-support/tcp-proxy.js";

const available = await redisAvailable();

/** A counter's value in a /metrics exposition. */
function counter(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
}

/**
 * Redis cut under a running node (a TCP proxy between them): rate limits fail open and say so,
 * the change feed reports down and the cache falls back to a short TTL, everything else works,
 * and the node reconnects by itself.
 */
describe.skipIf(!available)("a Redis outage", () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let node: FaultNode;
  let projectId: string;
  const validCount = new Map<string, number>();
  const figures: Record<string, number> = {};

  const verifyCounted = async (key: { id: string; key: string }): Promise<Answer> => {
    const answer = await node.verify(key.key);
    if (answer.status === 200 && answer.body.code === "VALID")
      validCount.set(key.id, (validCount.get(key.id) ?? 0) + 1);
    return answer;
  };

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    const target = new URL(REDIS_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    node = await startFaultNode({
      KEYSMITH_DATABASE_URL: database.url,
      KEYSMITH_REDIS_URL: proxy.through(REDIS_URL),
      KEYSMITH_REDIS_KEY_PREFIX: `keysmith-fault-${randomBytes(4).toString("hex")}:`,
      KEYSMITH_USAGE_FLUSH_MS: "100",
    });
    await eventually(
      "the change feed",
      async () => (await node.call("GET", "/readyz")).body.changeFeed === "up",
    );
    const project = await node.call("POST", "/v1/projects", { name: "Faults", prefix: "frd" });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });

  afterAll(async () => {
    await proxy?.restore();
    await node?.stop();
    await proxy?.close();
    await database?.drop();
    console.info(`redis outage figures: ${JSON.stringify(figures)}`);
  });

  it("answers fail-open verifications that say they were not counted, and recovers by itself", async () => {
    const limited = (
      await node.call("POST", "/v1/keys", {
        projectId,
        ratelimits: [{ name: "daily", limit: 1000, duration: "1d" }],
      })
    ).body as { id: string; key: string };
    const plain = (await node.call("POST", "/v1/keys", { projectId })).body as { id: string; key: string };
    const before = await verifyCounted(limited);
    expect(before.body.ratelimits[0].remaining).toBe(999);
    expect(before.body.degraded).toBeUndefined();
    expect(before.headers.get("ratelimit")).toContain("r=999");

    const healthy: number[] = [];
    for (let i = 0; i < 50; i++) healthy.push((await verifyCounted(limited)).ms);
    figures.healthyVerifyP50Ms = Number(quantile(healthy, 0.5).toFixed(2));
    figures.healthyVerifyMaxMs = Number(Math.max(...healthy).toFixed(2));

    await proxy.cut();
    const cutAt = Date.now();
    await eventually("the change feed to report down", async () => {
      const ready = await node.call("GET", "/readyz");
      return ready.body.changeFeed === "down" ? ready : undefined;
    });
    const ready = await node.call("GET", "/readyz");
    // The database is fine, so the node stays ready; it reports the feed and the short TTL.
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: true, changeFeed: "down", cache: "short-ttl" });

    const latencies: number[] = [];
    while (Date.now() - cutAt < 1_000) {
      const answer = await verifyCounted(limited);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ valid: true, code: "VALID", degraded: true });
      expect(answer.body.ratelimits).toEqual([
        { name: "daily", limit: 1000, remaining: null, reset: expect.any(String) },
      ]);
      // The policy is known; how much of it is left is not, so no RateLimit header claims it.
      expect(answer.headers.get("ratelimit-policy")).toBe('"daily";q=1000;w=86400');
      expect(answer.headers.get("ratelimit")).toBeNull();
      latencies.push(answer.ms);
    }
    figures.degradedVerifies = latencies.length;
    figures.degradedVerifyP50Ms = Number(quantile(latencies, 0.5).toFixed(2));
    figures.degradedVerifyMaxMs = Number(Math.max(...latencies).toFixed(2));

    // Keys without rate limits are not degraded: nothing about them needed Redis.
    const unlimited = await verifyCounted(plain);
    expect(unlimited.body.code).toBe("VALID");
    expect(unlimited.body.degraded).toBeUndefined();
    // Writes work (the database is up) and this node's own changes apply at once.
    const revoked = (await node.call("POST", "/v1/keys", { projectId })).body as { id: string; key: string };
    expect((await verifyCounted(revoked)).body.code).toBe("VALID");
    expect((await node.call("POST", `/v1/keys/${revoked.id}/revoke`)).status).toBe(200);
    expect((await node.verify(revoked.key)).body.code).toBe("REVOKED");

    const metrics = (await node.call("GET", "/metrics")).body as string;
    expect(counter(metrics, "keysmith_verifications_degraded_total")).toBe(latencies.length);
    expect(counter(metrics, "keysmith_change_feed_up")).toBe(0);

    await proxy.restore();
    const restoredAt = Date.now();
    await eventually(
      "the change feed to come back",
      async () => (await node.call("GET", "/readyz")).body.changeFeed === "up",
    );
    figures.feedRecoverMs = Date.now() - restoredAt;
    const counted = await eventually("rate limits to be counted again", async () => {
      const answer = await verifyCounted(limited);
      return answer.body.degraded === undefined ? answer : undefined;
    });
    figures.rateLimitRecoverMs = Date.now() - restoredAt;
    // The window was not touched while Redis was away: only what was counted shows.
    expect(counted.body.ratelimits[0].remaining).toBe(1000 - 1 - healthy.length - 1);
    expect(counted.headers.get("ratelimit")).toContain(`r=${1000 - 1 - healthy.length - 1}`);
    expect((await node.call("GET", "/readyz")).body.cache).toBe("normal");

    // Usage does not depend on Redis: every VALID answer is counted.
    for (const [id, n] of validCount) {
      const usage = await eventually(`usage of ${id}`, async () => {
        const answer = await node.call("GET", `/v1/keys/${id}/usage`);
        const buckets = answer.body.data as { outcomes: Record<string, number> }[];
        const total = buckets.reduce((sum, bucket) => sum + (bucket.outcomes.VALID ?? 0), 0);
        return total === n ? total : undefined;
      });
      expect(usage).toBe(n);
    }
    expect(node.logs.filter((line) => line.level >= 50)).toEqual([]);
  });
});
