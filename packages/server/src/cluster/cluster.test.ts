import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  type TestDatabase,
} from "../test-support/databases.js";
import { clusterPrefix, type Node, procfileNodes, startNode } from "./cluster-support.js";

const ready = (await postgresAvailable()) && (await redisAvailable());
const clusterMasterKey = randomBytes(32).toString("base64");

/** Quantile of sorted numbers. */
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

describe.skipIf(!ready)("three keysmith nodes on one Postgres and one Redis", () => {
  let database: TestDatabase;
  let prefix: string;
  let a: Node;
  let b: Node;
  let c: Node;
  let root: string;
  let projectId: string;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    prefix = clusterPrefix();
    const procfile = readFileSync(new URL("../../../../deploy/Procfile", import.meta.url), "utf8");
    const [node1, node2] = procfileNodes(procfile, { DATABASE_URL: database.url, REDIS_URL });
    expect(node1).toMatchObject({ KEYSMITH_DATABASE_URL: database.url, KEYSMITH_REDIS_URL: REDIS_URL });
    // The test's webhook receiver listens on loopback. Nodes sharing a database share webhook
    // secrets through the master key (without one each node would seal under a local key file).
    const shared = {
      KEYSMITH_REDIS_KEY_PREFIX: prefix,
      KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "true",
      KEYSMITH_MASTER_KEY: clusterMasterKey,
    };
    a = await startNode("A", { ...node1, ...shared });
    [b, c] = await Promise.all([
      startNode("B", { ...node2, ...shared }),
      startNode("C", { ...node1, ...shared }),
    ]);
    root = a.rootKey as string;
    expect(root).toMatch(/^ks_root_live_/);
    expect(b.rootKey).toBeNull();
    expect(c.rootKey).toBeNull();
    const project = await a.post("/v1/projects", { name: "cluster", prefix: "clu" }, root);
    projectId = project.body.id;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((n) => n.stop()));
    const redis = new Redis(REDIS_URL);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
    await database?.drop();
  });

  it("creates a key through A, verifies it through B, and A and B answer REVOKED within 100 ms of a revoke through C", async () => {
    const latencies: number[] = [];
    for (let round = 0; round < 15; round++) {
      const created = await a.post("/v1/keys", { projectId }, root);
      expect(created.status).toBe(201);
      // Both nodes hold the key in their caches before the revoke.
      for (const node of [a, b])
        expect((await node.post("/v1/keys/verify", { key: created.body.key }, root)).body.code).toBe("VALID");
      const revoked = await c.post(`/v1/keys/${created.body.id}/revoke`, {}, root);
      expect(revoked.status).toBe(200);
      const start = performance.now();
      // How long until each node answers REVOKED: polled back to back, no sleeping.
      const seen = await Promise.all(
        [a, b].map(async (node) => {
          for (;;) {
            const res = await node.post("/v1/keys/verify", { key: created.body.key }, root);
            if (res.body.code === "REVOKED") return performance.now() - start;
            if (performance.now() - start > 2000) return Number.POSITIVE_INFINITY;
          }
        }),
      );
      latencies.push(...seen);
    }
    latencies.sort((x, y) => x - y);
    const summary = {
      n: latencies.length,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1),
    };
    console.log(
      `revocation propagation (ms): ${JSON.stringify(summary, (_k, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v))}`,
    );
    expect(summary.max).toBeLessThanOrEqual(100);
  });

  it("holds a rate limit across nodes under concurrent load", async () => {
    const { body } = await a.post(
      "/v1/keys",
      { projectId, ratelimits: [{ name: "hour", limit: 30, duration: "1h" }] },
      root,
    );
    const nodes = [a, b, c];
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        (nodes[i % 3] as Node).post("/v1/keys/verify", { key: body.key }, root),
      ),
    );
    const valid = results.filter((r) => r.body.code === "VALID").length;
    expect(Math.abs(valid - 30)).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.body.code === "RATE_LIMITED").length).toBe(90 - valid);
  });

  it("spends 100 credits through three nodes exactly once each", async () => {
    const { body } = await b.post("/v1/keys", { projectId, credits: { remaining: 100 } }, root);
    const nodes = [a, b, c];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (nodes[i % 3] as Node).post("/v1/keys/verify", { key: body.key }, root),
      ),
    );
    expect(results.filter((r) => r.body.code === "VALID")).toHaveLength(100);
    expect(results.filter((r) => r.body.code === "USAGE_EXCEEDED")).toHaveLength(100);
  });

  it("fires each budget alert once cluster-wide while every node spends", async () => {
    const { body } = await a.post(
      "/v1/keys",
      { projectId, budget: { limit: 30, period: "month", hardCap: false } },
      root,
    );
    const nodes = [a, b, c];
    for (let i = 0; i < 45; i++)
      await (nodes[i % 3] as Node).post("/v1/keys/verify", { key: body.key }, root);
    // Each node writes its spend and reads back the others' within a flush interval (200 ms here).
    const deadline = performance.now() + 5000;
    let types: string[] = [];
    while (performance.now() < deadline) {
      const alerts = await c.get(`/v1/alerts?keyId=${body.id}`, root);
      types = alerts.body.data
        .map((x: { type: string; data: { threshold: number } }) => `${x.type}@${x.data.threshold}`)
        .sort();
      if (types.length >= 3) break;
    }
    expect(types).toEqual(["budget.exhausted@1", "budget.threshold@0.8", "budget.threshold@1"]);
  });

  it("keeps serving when a node is killed mid-load, with no acknowledged key lost", async () => {
    const acknowledged: { id: string; key: string }[] = [];
    const load = (async () => {
      for (let i = 0; i < 40; i++) {
        const res = await a.post("/v1/keys", { projectId }, root).catch(() => null);
        if (res?.status === 201) acknowledged.push({ id: res.body.id, key: res.body.key });
        else break;
      }
    })();
    while (acknowledged.length < 5) await new Promise((resolve) => setImmediate(resolve));
    a.process.kill("SIGKILL");
    await load;
    await a.stop();
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    for (const { key } of acknowledged) {
      expect((await b.post("/v1/keys/verify", { key }, root)).body.code).toBe("VALID");
    }
    expect((await c.get("/readyz", root)).status).toBe(200);
  });
  it("delivers an alert stored before a node is killed, through a node started after", async () => {
    // A receiver on this machine; the endpoint is subscribed to key.revoked.
    const received: string[] = [];
    const attempted = new Set<string>();
    let arrived: (keyId: string) => void = () => {};
    const server = createServer((request, response) => {
      let raw = "";
      request.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      request.on("end", () => {
        const keyId = JSON.parse(raw).data.keyId as string;
        // The first attempt fails, so a 200 can only come after B's death, from the outbox.
        if (!attempted.has(keyId)) {
          attempted.add(keyId);
          response.writeHead(500).end("try again");
          return;
        }
        received.push(keyId);
        response.writeHead(200).end("ok");
        arrived(keyId);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const hook = await b.post(
        "/v1/webhooks",
        { url: `http://127.0.0.1:${port}/hooks`, events: ["key.revoked"], projectId },
        root,
      );
      expect(hook.status).toBe(201);
      const { body } = await b.post("/v1/keys", { projectId }, root);
      // Only B is left to deliver, and it dies before it can: the alert must outlive it.
      await c.stop();
      await b.post(`/v1/keys/${body.id}/revoke`, {}, root);
      let stored = false;
      const deadline = performance.now() + 5000;
      while (!stored && performance.now() < deadline) {
        stored = (await b.get(`/v1/alerts?keyId=${body.id}&type=key.revoked`, root)).body.data.length === 1;
      }
      expect(stored).toBe(true);
      b.process.kill("SIGKILL");
      await b.stop();
      const delivered = new Promise<string>((resolve) => {
        arrived = (keyId) => keyId === body.id && resolve(keyId);
        if (received.includes(body.id)) resolve(body.id);
      });
      // A fresh node on the same database and Redis delivers what B left in the outbox.
      const procfile = readFileSync(new URL("../../../../deploy/Procfile", import.meta.url), "utf8");
      const [node1] = procfileNodes(procfile, { DATABASE_URL: database.url, REDIS_URL });
      const d = await startNode("D", {
        ...node1,
        KEYSMITH_REDIS_KEY_PREFIX: prefix,
        KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "true",
        KEYSMITH_MASTER_KEY: clusterMasterKey,
      });
      try {
        expect(await delivered).toBe(body.id);
        expect(received.filter((id) => id === body.id)).toHaveLength(1);
      } finally {
        await d.stop();
      }
    } finally {
      server.close();
    }
    // If B died mid-delivery, the row stays claimed until its lease (request timeout + 30 s) ends.
  }, 90_000);
});
