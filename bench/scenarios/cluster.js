/**
 * Cluster mode on one Postgres database and one Redis (issue 8): verify throughput of one node
 * against two nodes on the same core (the cost of cluster mode; two cores leave no room for a
 * real gain), and how long a revoke through node A takes to reach node B.
 */

import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { startNode } from "../lib/child.js";
import { pickLoadTool, runLoad } from "../lib/load.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "cluster";
export const order = 70;
export const description = "two nodes vs one on Postgres + Redis, and revocation propagation p50/p99";

const require = createRequire(import.meta.url);
const PATH = "/v1/keys/verify";
const POSTGRES_URL = process.env.KEYSMITH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function admin(sql) {
  const { Client } = require("pg");
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function call(url, path, authorization, body) {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function run(options, log) {
  const tool = pickLoadTool(options.tool);
  const database = `keysmith_bench_${randomBytes(5).toString("hex")}`;
  try {
    await admin(`create database ${database}`);
  } catch (error) {
    log(`skipped: Postgres at ${POSTGRES_URL} is unreachable (${error.message})`);
    return [
      {
        scenario: name,
        measure: "cluster mode",
        value: Number.NaN,
        unit: "",
        detail: "skipped: no Postgres",
      },
    ];
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  const env = {
    BENCH_DATABASE_URL: url.toString(),
    BENCH_REDIS_URL: REDIS_URL,
    BENCH_REDIS_PREFIX: `keysmith-bench-${randomBytes(4).toString("hex")}:`,
  };
  const nodes = [];
  try {
    const a = startNode("servers/cluster-node.js", { cpu: 0, env: { ...env, BENCH_CREATE_KEY: "1" } });
    nodes.push(a);
    const first = await a.message("ready");
    const load = (target, durationMs, connections) =>
      runLoad(tool, {
        url: target + PATH,
        body: first.body,
        authorization: first.authorization,
        durationMs,
        connections,
      });

    log("warm-up node A");
    await load(first.url, Math.min(3000, options.durationMs), options.connections);
    const one = await load(first.url, options.durationMs, options.connections);
    log(`one node: ${Math.round(one.rps)} req/s`);

    const b = startNode("servers/cluster-node.js", { cpu: 0, env });
    nodes.push(b);
    const second = await b.message("ready");
    await load(second.url, Math.min(3000, options.durationMs), options.connections);
    const half = Math.max(1, Math.floor(options.connections / 2));
    const [ra, rb] = await Promise.all([
      load(first.url, options.durationMs, half),
      load(second.url, options.durationMs, half),
    ]);
    const two = ra.rps + rb.rps;
    log(`two nodes: ${Math.round(two)} req/s`);

    // Propagation: B holds the key in its cache; A revokes it; B is asked until it answers REVOKED.
    const revocation = async () => {
      const created = await call(first.url, "/v1/keys", first.authorization, { projectId: first.projectId });
      await call(second.url, PATH, first.authorization, { key: created.key });
      await call(first.url, `/v1/keys/${created.id}/revoke`, first.authorization, {});
      const start = performance.now();
      for (;;) {
        const answer = await call(second.url, PATH, first.authorization, { key: created.key });
        if (answer.code === "REVOKED") break;
        if (performance.now() - start > 5000) throw new Error("node B never saw the revoke");
      }
      return performance.now() - start;
    };
    const samples = [];
    for (let i = 0; i < 30; i++) samples.push(await revocation());
    samples.sort((x, y) => x - y);

    // The same with both nodes under verify load (issue 18): wrk on each node, half the
    // connections each, while revocations are timed; only samples taken while the load ran count.
    const loadedMs = Math.max(10_000, options.durationMs);
    let loading = true;
    const loaded = Promise.all([load(first.url, loadedMs, half), load(second.url, loadedMs, half)]).finally(
      () => {
        loading = false;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const underLoad = [];
    while (loading && underLoad.length < 30) {
      const ms = await revocation();
      if (loading) underLoad.push(ms);
    }
    const [la, lb] = await loaded;
    if (underLoad.length < 10) throw new Error(`only ${underLoad.length} revocations timed under load`);
    underLoad.sort((x, y) => x - y);
    log(
      `revocation under load: ${underLoad.length} samples, verify ${Math.round(la.rps + lb.rps)} req/s meanwhile`,
    );
    const common = { tool: tool.name, connections: options.connections, durationMs: options.durationMs };
    return [
      {
        scenario: name,
        measure: "verify, one node (Postgres + Redis)",
        value: one.rps,
        unit: "req/s",
        detail: `p99 ${formatMs(one.p99Ms)}`,
        ...common,
      },
      {
        scenario: name,
        measure: "verify, two nodes on the same core",
        value: two,
        unit: "req/s",
        detail: `p99 ${formatMs(Math.max(ra.p99Ms, rb.p99Ms))}`,
        ...common,
      },
      {
        scenario: name,
        measure: "ratio two nodes / one node",
        value: two / one.rps,
        unit: "ratio",
        detail: "cluster-mode overhead; two cores leave no room for a gain",
      },
      {
        scenario: name,
        measure: "revocation A → B, 30 samples",
        value: median(samples),
        unit: "ms",
        detail: `p50 ${formatMs(quantile(samples, 0.5))}, p99 ${formatMs(quantile(samples, 0.99))}, max ${formatMs(samples.at(-1))}`,
        target: { op: "<=", value: 100, unit: "ms" },
        met: samples.at(-1) <= 100,
      },
      {
        scenario: name,
        measure: `revocation A → B p99, both nodes under verify load, ${underLoad.length} samples`,
        value: quantile(underLoad, 0.99),
        unit: "ms",
        detail:
          `p50 ${formatMs(quantile(underLoad, 0.5))}, max ${formatMs(underLoad.at(-1))}; ` +
          `verify meanwhile ${Math.round(la.rps + lb.rps)} req/s, p99 ${formatMs(Math.max(la.p99Ms, lb.p99Ms))}`,
        target: { what: "p99", op: "<=", value: 50, unit: "ms" },
        met: quantile(underLoad, 0.99) <= 50,
      },
    ];
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await admin(`drop database if exists ${database} with (force)`).catch(() => {});
    const { Redis } = require("ioredis");
    const redis = new Redis(REDIS_URL);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${env.BENCH_REDIS_PREFIX}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
  }
}
