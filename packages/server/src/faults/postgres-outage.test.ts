import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisChangeFeed } from "../redis-change-feed.js";
import {
  createTestDatabase,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  type TestDatabase,
} from "../test-support/databases.js";
import { type Answer, type FaultNode, quantile, startFaultNode } from "../test-support/fault-node.js";
import { eventually, startTcpProxy, type TcpProxy } from "../test-support/tcp-proxy.js";

const available = (await postgresAvailable()) && (await redisAvailable());

/**
 * Postgres cut under a running node (a TCP proxy between them), Redis up: what SPEC §11
 * "Availability" promises, measured. The node caches keys for 300 ms and answers stale entries
 * for up to 60 s while the database is unreachable.
 */
describe.skipIf(!available)("a Postgres outage", () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let node: FaultNode;
  let projectId: string;
  const prefix = `keysmith-fault-${randomBytes(4).toString("hex")}:`;
  /** VALID answers given per key id, to compare with the usage written after recovery. */
  const validCount = new Map<string, number>();
  const figures: Record<string, number | string> = {};

  const verifyCounted = async (key: { id: string; key: string }): Promise<Answer> => {
    const answer = await node.verify(key.key);
    if (answer.status === 200 && answer.body.code === "VALID")
      validCount.set(key.id, (validCount.get(key.id) ?? 0) + 1);
    return answer;
  };
  const createKey = async (fields: Record<string, unknown> = {}) => {
    const created = await node.call("POST", "/v1/keys", { projectId, ...fields });
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const target = new URL(POSTGRES_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    node = await startFaultNode({
      KEYSMITH_DATABASE_URL: proxy.through(database.url),
      KEYSMITH_REDIS_URL: REDIS_URL,
      KEYSMITH_REDIS_KEY_PREFIX: prefix,
      KEYSMITH_MASTER_KEY: randomBytes(32).toString("base64"),
      KEYSMITH_CACHE_TTL_MS: "300",
      KEYSMITH_CACHE_STALE_IF_ERROR: "60s",
      KEYSMITH_USAGE_FLUSH_MS: "100",
      KEYSMITH_LAST_USED_FLUSH_MS: "200",
    });
    await eventually(
      "the change feed",
      async () => (await node.call("GET", "/readyz")).body.changeFeed === "up",
    );
    const project = await node.call("POST", "/v1/projects", { name: "Faults", prefix: "flt" });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });

  afterAll(async () => {
    await proxy?.restore();
    await node?.stop();
    await proxy?.close();
    await database?.drop();
    console.info(`postgres outage figures: ${JSON.stringify(figures)}`);
  });

  it("keeps cached keys verifying, answers 503 STORE_UNAVAILABLE for the rest, and loses no usage", async () => {
    const cached = await createKey({ ownerId: "cached" });
    const uncached = await createKey({ ownerId: "uncached" });
    const expiring = await createKey({ expiresAt: new Date(Date.now() + 2_500).toISOString() });
    const revokedElsewhere = await createKey();
    const withCredits = await createKey({ credits: { remaining: 100 } });
    const unusedRoot = await node.call("POST", "/v1/root-keys", { scopes: ["keys:verify"] });
    expect(unusedRoot.status).toBe(201);
    for (const key of [cached, expiring, revokedElsewhere, withCredits]) {
      expect((await verifyCounted(key)).body.code).toBe("VALID");
    }

    // The same loop with the database up, for comparison on this (possibly busy) machine.
    const healthy: number[] = [];
    for (let i = 0; i < 50; i++) healthy.push((await verifyCounted(cached)).ms);
    figures.healthyVerifyP50Ms = Number(quantile(healthy, 0.5).toFixed(2));
    figures.healthyVerifyP99Ms = Number(quantile(healthy, 0.99).toFixed(2));

    await proxy.cut();
    const cutAt = Date.now();

    // Through the cut, past the 300 ms TTL many times over: every answer VALID from the cache.
    const latencies: number[] = [];
    while (Date.now() - cutAt < 1_500) {
      const answer = await verifyCounted(cached);
      expect(answer.status).toBe(200);
      expect(answer.body.code).toBe("VALID");
      latencies.push(answer.ms);
    }
    figures.cachedVerifiesDuringCut = latencies.length;
    figures.cachedVerifyP50Ms = Number(quantile(latencies, 0.5).toFixed(2));
    figures.cachedVerifyP99Ms = Number(quantile(latencies, 0.99).toFixed(2));
    figures.cachedVerifyMaxMs = Number(Math.max(...latencies).toFixed(2));

    // A key this node never saw cannot be answered: 503 with a code and Retry-After, never 500.
    const unknown = await verifyCounted(uncached);
    expect(unknown.status).toBe(503);
    expect(unknown.body.error.code).toBe("STORE_UNAVAILABLE");
    expect(unknown.headers.get("retry-after")).toBe("2");
    figures.uncachedVerifyMs = Number(unknown.ms.toFixed(2));

    // A root key this node never saw cannot be checked either: 503, not 401.
    const unknownRoot = await node.call("POST", "/v1/keys/verify", { key: cached.key }, unusedRoot.body.key);
    expect(unknownRoot.status).toBe(503);
    expect(unknownRoot.body.error.code).toBe("STORE_UNAVAILABLE");

    // Expiry is still enforced from the cached record.
    await eventually(
      "the cached key to expire",
      async () => (await verifyCounted(expiring)).body.code === "EXPIRED",
    );

    // Credits need the database (they are consumed atomically there): refused, not granted.
    const credits = await verifyCounted(withCredits);
    expect(credits.status).toBe(503);
    expect(credits.body.error.code).toBe("STORE_UNAVAILABLE");

    // Redis is up: a revocation published by another node during the outage evicts at once, so
    // the key is no longer answered from the cache (the database, which would say REVOKED, is away).
    const otherNode = new RedisChangeFeed({ url: REDIS_URL, keyPrefix: prefix });
    await otherNode.ready();
    expect((await verifyCounted(revokedElsewhere)).body.code).toBe("VALID");
    await otherNode.publish({ type: "key.revoked", keyId: revokedElsewhere.id, projectId });
    await otherNode.close();
    const evicted = await eventually("the revocation to evict the key", async () => {
      const answer = await verifyCounted(revokedElsewhere);
      return answer.status === 503 ? answer : undefined;
    });
    expect(evicted.body.error.code).toBe("STORE_UNAVAILABLE");

    // Management routes: 503 STORE_UNAVAILABLE with Retry-After, never a 500.
    const sweep: [string, string, unknown?][] = [
      ["GET", "/v1/projects"],
      ["GET", `/v1/projects/${projectId}`],
      ["POST", "/v1/keys", { projectId }],
      ["GET", `/v1/keys?projectId=${projectId}`],
      ["GET", `/v1/keys/${cached.id}`],
      ["PATCH", `/v1/keys/${cached.id}`, { name: "renamed" }],
      ["POST", `/v1/keys/${cached.id}/revoke`],
      ["GET", `/v1/keys/${cached.id}/usage`],
      ["GET", "/v1/usage"],
      ["GET", "/v1/audit"],
      ["GET", "/v1/keys/changes"],
      ["GET", "/v1/root-keys"],
      ["POST", "/v1/root-keys", { scopes: ["keys:read"] }],
      ["GET", "/v1/webhooks"],
      ["GET", `/v1/secrets?projectId=${projectId}&environment=live`],
      ["POST", "/v1/leaks", { keys: [cached.key] }],
    ];
    for (const [method, path, body] of sweep) {
      const answer = await node.call(method, path, body);
      expect({ route: `${method} ${path}`, status: answer.status, code: answer.body?.error?.code }).toEqual({
        route: `${method} ${path}`,
        status: 503,
        code: "STORE_UNAVAILABLE",
      });
      expect(answer.headers.get("retry-after")).toBe("2");
    }
    const ready = await node.call("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ database: false, changeFeed: "up" });
    expect((await node.call("GET", "/healthz")).status).toBe(200);
    const metrics = await node.call("GET", "/metrics");
    expect(metrics.status).toBe(200);
    const stale = Number(/keysmith_verify_stale_answers_total (\d+)/.exec(metrics.body)?.[1]);
    expect(stale).toBeGreaterThan(0);
    expect(Number(/keysmith_usage_rows_buffered (\d+)/.exec(metrics.body)?.[1])).toBeGreaterThan(0);
    figures.outageMs = Date.now() - cutAt;

    // The database comes back: the node recovers by itself, no restart.
    await proxy.restore();
    const restoredAt = Date.now();
    const back = await eventually("an uncached key to verify", async () => {
      const answer = await verifyCounted(uncached);
      return answer.status === 200 ? answer : undefined;
    });
    expect(back.body.code).toBe("VALID");
    figures.recoverMs = Date.now() - restoredAt;
    expect((await node.call("GET", "/readyz")).status).toBe(200);
    expect((await node.call("POST", "/v1/keys", { projectId })).status).toBe(201);
    expect((await verifyCounted(revokedElsewhere)).body.code).toBe("VALID"); // it was never revoked in the database

    // Every VALID answer given, before, during and after the cut, is in the usage.
    const direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    try {
      const written = async () => {
        const { rows } = await direct.query<{ key_id: string; n: string }>(
          "select key_id, sum(count)::text as n from usage_minutes where code = 'VALID' group by key_id",
        );
        return new Map(rows.map((r) => [r.key_id, Number(r.n)]));
      };
      const usage = await eventually("the buffered usage to be written", async () => {
        const rows = await written();
        return [...validCount].every(([id, n]) => rows.get(id) === n) ? rows : undefined;
      });
      figures.usageWrittenMs = Date.now() - restoredAt;
      for (const [id, n] of validCount) expect({ id, n: usage.get(id) }).toEqual({ id, n });
      const lastUsed = await eventually("last use to be written", async () => {
        const { rows } = await direct.query<{ last_used_at: string | null }>(
          "select last_used_at from keys where id = $1",
          [cached.id],
        );
        const at = Number(rows[0]?.last_used_at ?? 0);
        return at >= cutAt ? at : undefined;
      });
      expect(lastUsed).toBeGreaterThanOrEqual(cutAt);
    } finally {
      await direct.end();
    }

    // Expected 503s are warnings, one line each without a stack; nothing was a fault.
    expect(node.logs.filter((line) => line.level >= 50)).toEqual([]);
    const warnings = node.logs.filter((line) => line.code === "STORE_UNAVAILABLE");
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((line) => line.level === 40 && line.err === undefined)).toBe(true);
  });
});
