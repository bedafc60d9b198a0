/**
 * SDK middleware: one Fastify route answered three ways over loopback, in the same run —
 * unprotected, behind `@keysmith/sdk/fastify` (every request verified by the keysmith server
 * over HTTP), and behind the same middleware with the SDK's local cache on. The API and the
 * keysmith server share CPU 0 (the cost of protection is all on that core); the load
 * generator runs on CPU 1.
 */
import { startNode } from "../lib/child.js";
import { pickLoadTool, pinningNote, runLoad } from "../lib/load.js";
import { cpuSeconds } from "../lib/procstat.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "sdk";
export const order = 30;
export const description = "a Fastify route: unprotected vs SDK middleware (cache off, cache on)";

async function post(url, authorization) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: "{}",
  });
  return { status: response.status, text: await response.text() };
}

export async function run(options, log) {
  const tool = pickLoadTool(options.tool);
  const nodeArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  log(`load generator: ${tool.name} (${tool.path}); ${pinningNote()}, keysmith on CPU 0 too`);

  const servers = [];
  try {
    const keysmithServer = startNode("servers/verify.js", { cpu: 0, nodeArgs });
    servers.push(keysmithServer);
    const keysmith = await keysmithServer.message("ready");
    // The customer key the load sends; unmetered (no rate limit, credits or budget), so cacheable.
    const customerKey = JSON.parse(keysmith.body).key;
    const authorization = `Bearer ${customerKey}`;
    const apiServer = startNode("servers/sdk-api.js", {
      cpu: 0,
      nodeArgs,
      env: {
        BENCH_KEYSMITH_URL: keysmith.url,
        BENCH_KEYSMITH_ROOT_KEY: keysmith.authorization.replace(/^Bearer /, ""),
      },
    });
    servers.push(apiServer);
    const api = await apiServer.message("ready");

    const targets = [
      { id: "open", label: "unprotected", path: "/open" },
      { id: "protected", label: "SDK middleware, cache off", path: "/protected" },
      { id: "cached", label: "SDK middleware, cache on", path: "/cached" },
    ].map((t) => ({ ...t, url: `${api.url}${t.path}`, results: [] }));
    for (const target of targets) {
      const first = await post(target.url, authorization);
      if (first.status !== 200)
        throw new Error(`${target.path} answered ${first.status}: ${first.text.slice(0, 200)}`);
    }

    const load = (target, durationMs) =>
      runLoad(tool, {
        url: target.url,
        body: "{}",
        authorization,
        durationMs,
        connections: options.connections,
      });
    const warmupMs = Math.min(3000, options.durationMs);
    for (const target of targets) {
      log(`warm-up ${target.id} ${warmupMs / 1000} s`);
      await load(target, warmupMs);
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        // CPU of both processes on CPU 0: the API and keysmith, per request.
        const before = [cpuSeconds(api.pid), cpuSeconds(keysmith.pid)];
        const result = await load(target, options.durationMs);
        const after = [cpuSeconds(api.pid), cpuSeconds(keysmith.pid)];
        result.cpuUsPerRequest = [...before, ...after].includes(null)
          ? null
          : ((after[0] - before[0] + after[1] - before[1]) * 1e6) / result.requests;
        target.results.push(result);
        log(
          `${target.id}: ${Math.round(result.rps).toLocaleString("en-US")} req/s, p99 ${formatMs(result.p99Ms)}` +
            (result.cpuUsPerRequest === null ? "" : `, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req`) +
            (result.errors || result.non2xx
              ? `, ${result.errors} socket errors, ${result.non2xx} non-2xx`
              : ""),
        );
      }
    }
    for (const target of targets) {
      const bad = target.results.find((r) => r.errors > 0 || r.non2xx > 0);
      if (bad) throw new Error(`${target.id}: ${bad.errors} socket errors, ${bad.non2xx} non-2xx responses`);
    }

    const common = { tool: tool.name, connections: options.connections, durationMs: options.durationMs };
    const summary = (target) => ({
      rps: median(target.results.map((r) => r.rps)),
      p50Ms: median(target.results.map((r) => r.p50Ms)),
      p99Ms: median(target.results.map((r) => r.p99Ms)),
      cpuUsPerRequest: target.results.some((r) => r.cpuUsPerRequest === null)
        ? null
        : median(target.results.map((r) => r.cpuUsPerRequest)),
    });
    const [open, uncached, cached] = targets.map(summary);
    const detail = (s) =>
      `p50 ${formatMs(s.p50Ms)}, p99 ${formatMs(s.p99Ms)}` +
      (s.cpuUsPerRequest === null ? "" : `, ${s.cpuUsPerRequest.toFixed(1)} µs CPU/req`);
    const rows = targets.map((target, i) => {
      const s = [open, uncached, cached][i];
      return {
        scenario: name,
        measure: `POST, ${target.label}, ${options.connections} conns`,
        value: s.rps,
        unit: "req/s",
        ...s,
        detail: detail(s),
        runs: target.results,
        ...common,
      };
    });
    const ratio = (s, label) => ({
      scenario: name,
      measure: `ratio ${label}/unprotected req/s (${tool.name})`,
      value: s.rps / open.rps,
      unit: "ratio",
      detail: `p99 ${formatMs(s.p99Ms)} vs ${formatMs(open.p99Ms)}`,
      ...common,
    });
    // Issue 18: with its cache on, the middleware keeps ≥ 0.90 of the unprotected route.
    const cachedRatio = { ...ratio(cached, "cache on"), target: { op: ">=", value: 0.9, unit: "ratio" } };
    cachedRatio.met = cachedRatio.value >= 0.9;
    const cpuRatio =
      open.cpuUsPerRequest && cached.cpuUsPerRequest
        ? [
            {
              scenario: name,
              measure: "ratio unprotected/cache on server CPU per request",
              value: open.cpuUsPerRequest / cached.cpuUsPerRequest,
              unit: "ratio",
              detail: `${cached.cpuUsPerRequest.toFixed(1)} vs ${open.cpuUsPerRequest.toFixed(1)} µs CPU/req`,
              ...common,
            },
          ]
        : [];
    return [...rows, ratio(uncached, "cache off"), cachedRatio, ...cpuRatio];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
