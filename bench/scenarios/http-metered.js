/**
 * HTTP verify with metering: a key with two rate-limit windows and a budget, counters in
 * memory and in Redis, against the bare Fastify route, in one run (issue 3's figure).
 */

import { startNode } from "../lib/child.js";
import { pickLoadTool, runLoad } from "../lib/load.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "http-metered";
export const order = 25;
export const description =
  "POST /v1/keys/verify with two rate-limit windows and a budget (memory and Redis) vs bare";

const PATH = "/v1/keys/verify";
// Issue 18: memory ≥ 0.70, Redis ≥ 0.45 of the bare route.
const TARGETS = { memory: 0.7, redis: 0.45 };

export async function run(options, log) {
  const tool = pickLoadTool(options.tool);
  const servers = [];
  try {
    const targets = [];
    for (const store of ["memory", "redis"]) {
      const server = startNode("servers/verify.js", { cpu: 0, env: { BENCH_METERING: store } });
      servers.push(server);
      const ready = await server.message("ready");
      const first = await fetch(`${ready.url}${PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: ready.authorization },
        body: ready.body,
      });
      const answer = await first.json();
      if (answer.code !== "VALID" || answer.ratelimits.length !== 2 || answer.budget === null) {
        throw new Error(`metered verify (${store}) answered ${answer.code}`);
      }
      targets.push({
        id: store,
        url: `${ready.url}${PATH}`,
        ready,
        text: JSON.stringify(answer),
        results: [],
      });
    }
    const bareServer = startNode("servers/bare.js", { cpu: 0, env: { BENCH_RESPONSE: targets[0].text } });
    servers.push(bareServer);
    const bare = await bareServer.message("ready");
    targets.push({ id: "bare", url: `${bare.url}${PATH}`, ready: targets[0].ready, results: [] });

    const load = (target, durationMs) =>
      runLoad(tool, {
        url: target.url,
        body: target.ready.body,
        authorization: target.ready.authorization,
        durationMs,
        connections: options.connections,
      });
    for (const target of targets) {
      log(`warm-up ${target.id}`);
      await load(target, Math.min(3000, options.durationMs));
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const result = await load(target, options.durationMs);
        if (result.non2xx > 0) throw new Error(`${target.id}: ${result.non2xx} non-2xx responses`);
        target.results.push(result);
        log(
          `${target.id}: ${Math.round(result.rps).toLocaleString("en-US")} req/s, p99 ${formatMs(result.p99Ms)}`,
        );
      }
    }
    const rps = (t) => median(t.results.map((r) => r.rps));
    const p99 = (t) => median(t.results.map((r) => r.p99Ms));
    const bareRps = rps(targets[2]);
    const rows = [];
    for (const target of targets) {
      rows.push({
        scenario: name,
        measure:
          target.id === "bare"
            ? `bare Fastify POST, ${options.connections} conns`
            : `verify, 2 windows + budget, ${target.id} store`,
        value: rps(target),
        unit: "req/s",
        detail: `p99 ${formatMs(p99(target))}`,
        runs: target.results,
      });
    }
    for (const store of ["memory", "redis"]) {
      const target = targets.find((t) => t.id === store);
      const ratio = rps(target) / bareRps;
      rows.push({
        scenario: name,
        measure: `ratio metered (${store})/bare req/s (${tool.name})`,
        value: ratio,
        unit: "ratio",
        target: { op: ">=", value: TARGETS[store], unit: "ratio" },
        met: ratio >= TARGETS[store],
      });
    }
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
