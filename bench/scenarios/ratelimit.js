/**
 * Standalone rate limits (issue 14): `POST /v1/ratelimit` on the keysmith server against the
 * bare Fastify route answering the same bytes, over loopback; then the decision in-process on
 * one core: the SDK's RateLimiter in memory, and against Redis with 64 concurrent callers.
 */
import { loadavg } from "node:os";
import { startNode } from "../lib/child.js";
import { pickLoadTool, pinningNote, runLoad } from "../lib/load.js";
import { cpuSeconds } from "../lib/procstat.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "ratelimit";
export const order = 27;
export const description =
  "POST /v1/ratelimit vs bare Fastify; RateLimiter in-process (memory; Redis, 64 callers)";

const PATH = "/v1/ratelimit";
const RATIO_TARGET = { op: ">=", value: 0.8, unit: "ratio" };
const MEMORY_TARGET = { op: ">=", value: 2_000_000, unit: "ops/s" };
const REDIS_TARGET = { op: ">=", value: 100_000, unit: "ops/s" };
/** Beat rate-limiter-flexible in the same run (issue 14). */
const PEER_TARGET = { op: ">", value: 1, unit: "ratio" };

async function post(url, body, authorization) {
  const headers = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

async function http(options, log) {
  const tool = pickLoadTool(options.tool);
  log(`load generator: ${tool.name} (${tool.path}); ${pinningNote()}`);
  log(
    `HTTP part; load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`,
  );
  const servers = [];
  try {
    const profile = (id) =>
      options.profile
        ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=ratelimit-${id}.cpuprofile`]
        : [];
    const keysmithServer = startNode("servers/ratelimit.js", { cpu: 0, nodeArgs: profile("keysmith") });
    servers.push(keysmithServer);
    const keysmith = await keysmithServer.message("ready");
    const first = await post(`${keysmith.url}${PATH}`, keysmith.body, keysmith.authorization);
    if (first.status !== 200 || JSON.parse(first.text).success !== true) {
      throw new Error(`keysmith answered ${first.status} ${first.text.slice(0, 200)}`);
    }
    const bareServer = startNode("servers/bare.js", {
      cpu: 0,
      env: { BENCH_RESPONSE: first.text, BENCH_PATH: PATH, BENCH_FIELD: "identifier" },
      nodeArgs: profile("bare"),
    });
    servers.push(bareServer);
    const bare = await bareServer.message("ready");
    const bareFirst = await post(`${bare.url}${PATH}`, keysmith.body, keysmith.authorization);
    if (bareFirst.status !== 200 || bareFirst.text.length !== first.text.length) {
      throw new Error(`bare server answered ${bareFirst.status} with ${bareFirst.text.length} bytes`);
    }
    // The same route with its counters in Redis, as a cluster node keeps them (batched checks).
    const redisServer = startNode("servers/ratelimit.js", {
      cpu: 0,
      env: { BENCH_RATELIMIT_STORE: "redis" },
      nodeArgs: profile("keysmith-redis"),
    });
    servers.push(redisServer);
    const keysmithRedis = await redisServer.message("ready");
    const redisFirst = await post(`${keysmithRedis.url}${PATH}`, keysmith.body, keysmithRedis.authorization);
    if (redisFirst.status !== 200 || JSON.parse(redisFirst.text).success !== true) {
      throw new Error(`keysmith (Redis) answered ${redisFirst.status} ${redisFirst.text.slice(0, 200)}`);
    }
    const targets = [
      { id: "keysmith", url: `${keysmith.url}${PATH}`, pid: keysmith.pid, auth: keysmith.authorization },
      {
        id: "keysmith-redis",
        url: `${keysmithRedis.url}${PATH}`,
        pid: keysmithRedis.pid,
        auth: keysmithRedis.authorization,
      },
      { id: "bare", url: `${bare.url}${PATH}`, pid: bare.pid, auth: keysmith.authorization },
    ].map((t) => ({ ...t, results: [] }));
    const load = (target, durationMs) =>
      runLoad(tool, {
        url: target.url,
        body: keysmith.body,
        authorization: target.auth,
        durationMs,
        connections: options.connections,
      });
    const warmupMs = Math.min(3000, options.durationMs);
    for (const target of targets) await load(target, warmupMs);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const cpuBefore = cpuSeconds(target.pid);
        const startedAt = performance.now();
        const result = await load(target, options.durationMs);
        const seconds = (performance.now() - startedAt) / 1000;
        const cpuAfter = cpuSeconds(target.pid);
        const measured = cpuBefore !== null && cpuAfter !== null;
        result.cpuUsPerRequest = measured ? ((cpuAfter - cpuBefore) * 1e6) / result.requests : null;
        result.serverBusy = measured ? Math.min(1, (cpuAfter - cpuBefore) / seconds) : null;
        target.results.push(result);
        log(
          `${target.id}: ${Math.round(result.rps).toLocaleString("en-US")} req/s, p99 ${formatMs(result.p99Ms)}` +
            (measured
              ? `, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req, server ${Math.round(result.serverBusy * 100)}% busy`
              : ""),
        );
        if (result.non2xx > 0 || result.errors > result.requests / 1000) {
          throw new Error(`${target.id}: ${result.errors} socket errors, ${result.non2xx} non-2xx responses`);
        }
      }
    }
    const summary = (target) => ({
      rps: median(target.results.map((r) => r.rps)),
      p99Ms: median(target.results.map((r) => r.p99Ms)),
      cpuUsPerRequest: target.results.some((r) => r.cpuUsPerRequest === null)
        ? null
        : median(target.results.map((r) => r.cpuUsPerRequest)),
      disturbed: target.results.some((r) => r.serverBusy !== null && r.serverBusy < 0.9),
    });
    const k = summary(targets[0]);
    const r = summary(targets[1]);
    const b = summary(targets[2]);
    const ratio = k.rps / b.rps;
    const disturbed = k.disturbed || b.disturbed;
    if (disturbed) log("WARNING: a server was under 90 % busy in a measured run: the ratio understates it");
    const cpuRatio = k.cpuUsPerRequest && b.cpuUsPerRequest ? b.cpuUsPerRequest / k.cpuUsPerRequest : null;
    const common = { tool: tool.name, connections: options.connections, durationMs: options.durationMs };
    const cpu = (s) => (s.cpuUsPerRequest === null ? "" : `, ${s.cpuUsPerRequest.toFixed(1)} µs CPU/req`);
    return [
      {
        scenario: name,
        measure: `POST ${PATH} (keysmith), ${options.connections} conns`,
        value: k.rps,
        unit: "req/s",
        detail: `p99 ${formatMs(k.p99Ms)}${cpu(k)}`,
        runs: targets[0].results,
        ...common,
      },
      {
        scenario: name,
        measure: `POST ${PATH} (keysmith, counters in Redis), ${options.connections} conns`,
        value: r.rps,
        unit: "req/s",
        detail: `p99 ${formatMs(r.p99Ms)}${cpu(r)}${r.disturbed ? "; DISTURBED" : ""}`,
        runs: targets[1].results,
        ...common,
      },
      {
        scenario: name,
        measure: `bare Fastify POST ${PATH}, ${options.connections} conns`,
        value: b.rps,
        unit: "req/s",
        detail: `p99 ${formatMs(b.p99Ms)}${cpu(b)}`,
        runs: targets[2].results,
        ...common,
      },
      {
        scenario: name,
        measure: `ratio ratelimit/bare req/s (${tool.name})`,
        value: ratio,
        unit: "ratio",
        detail: disturbed ? "DISTURBED: a server was not saturated" : "",
        disturbed,
        target: RATIO_TARGET,
        met: ratio >= RATIO_TARGET.value,
        ...common,
      },
      {
        scenario: name,
        measure: `ratio ratelimit (Redis)/bare req/s (${tool.name})`,
        value: r.rps / b.rps,
        unit: "ratio",
        detail: "Redis shares the two cores with the servers and the load generator",
        ...common,
      },
      ...(cpuRatio === null
        ? []
        : [
            {
              scenario: name,
              measure: "ratio bare/ratelimit server CPU per request",
              value: cpuRatio,
              unit: "ratio",
              detail: `${k.cpuUsPerRequest.toFixed(1)} vs ${b.cpuUsPerRequest.toFixed(1)} µs CPU/req`,
              ...common,
            },
          ]),
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function inprocess(options, log) {
  log(
    `in-process part; load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`,
  );
  const runMs = Math.min(2000, Math.max(200, Math.round(options.durationMs / 20)));
  const worker = startNode("workers/ratelimit.js", {
    cpu: 0,
    env: { BENCH_RUNS: "5", BENCH_RUN_MS: String(runMs), BENCH_REDIS_RUN_MS: String(runMs * 4) },
  });
  let result;
  try {
    result = await worker.message("result", 600_000);
  } finally {
    await worker.stop();
  }
  const byId = Object.fromEntries(result.measures.map((m) => [m.id, m]));
  const row = (id, measure, target) => {
    const { runs, cpuUsPerOp, redisUsPerOp } = byId[id];
    const value = median(runs);
    // Concurrent runs: this process's CPU per check, and Redis's (other clients of it included).
    const cpu = cpuUsPerOp ? `, ${median(cpuUsPerOp).toFixed(1)} µs client CPU/op` : "";
    const server = redisUsPerOp ? `, ${median(redisUsPerOp).toFixed(1)} µs Redis CPU/op` : "";
    return {
      scenario: name,
      measure,
      value,
      unit: "ops/s",
      detail: `${(1e9 / value).toFixed(0)} ns/op${cpu}${server}; runs ${runs.map((v) => Math.round(v)).join(", ")}`,
      runs,
      ...(cpuUsPerOp ? { cpuUsPerOp: median(cpuUsPerOp) } : {}),
      ...(redisUsPerOp ? { redisUsPerOp: median(redisUsPerOp) } : {}),
      ...(target ? { target, met: value >= target.value } : {}),
    };
  };
  // keysmith ÷ rate-limiter-flexible, measured interleaved in this run: the median of the
  // per-run ratios (runs are paired), with the CPU per check beside it for the Redis pair.
  const ratio = (id, peer, measure) => {
    const a = byId[id].runs;
    const b = byId[peer].runs;
    const value = median(a.map((v, i) => v / b[i]));
    const cpu =
      byId[id].cpuUsPerOp && byId[peer].cpuUsPerOp
        ? `client CPU ${median(byId[id].cpuUsPerOp).toFixed(1)} vs ${median(byId[peer].cpuUsPerOp).toFixed(1)} µs/op, Redis CPU ${median(byId[id].redisUsPerOp).toFixed(1)} vs ${median(byId[peer].redisUsPerOp).toFixed(1)} µs/op`
        : "";
    return {
      scenario: name,
      measure,
      value,
      unit: "ratio",
      detail: cpu,
      target: PEER_TARGET,
      met: value > PEER_TARGET.value,
    };
  };
  return [
    row("memory-sync", "RateLimiter memory, limitSync, 10,000 ids", MEMORY_TARGET),
    row("memory-await", "RateLimiter memory, await limit(), 10,000 ids", MEMORY_TARGET),
    row("memory-flexible", "rate-limiter-flexible RateLimiterMemory, await consume(), 10,000 ids"),
    ratio("memory-await", "memory-flexible", "ratio RateLimiter await limit() / RateLimiterMemory"),
    ratio("memory-sync", "memory-flexible", "ratio RateLimiter limitSync / RateLimiterMemory"),
    row("redis-sdk", `RateLimiter Redis (batched), ${result.callers} callers`, REDIS_TARGET),
    row("redis-flexible", `rate-limiter-flexible RateLimiterRedis (ioredis), ${result.callers} callers`),
    ratio("redis-sdk", "redis-flexible", "ratio RateLimiter Redis / RateLimiterRedis"),
    row("redis-server-store", `server RedisRateLimitStore (batched), ${result.callers} callers`),
  ];
}

export async function run(options, log) {
  const rows = [];
  rows.push(...(await inprocess(options, log)));
  rows.push(...(await http(options, log)));
  return rows;
}
