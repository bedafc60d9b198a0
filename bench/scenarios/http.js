/**
 * HTTP: `POST /v1/keys/verify` on the keysmith server against a bare Fastify POST route that
 * parses the same JSON body and answers a JSON object of the same size, in the same run.
 * Each server is a child pinned to CPU 0; the load generator runs on CPU 1.
 */

import { startNode } from "../lib/child.js";
import { withGcMeasurement } from "../lib/gc.js";
import { pickLoadTool, pinningNote, runLoad } from "../lib/load.js";
import { cpuSeconds } from "../lib/procstat.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "http";
export const order = 20;
export const description = "POST /v1/keys/verify vs a bare Fastify POST route over loopback";

const PATH = "/v1/keys/verify";
const P99_TARGET = { what: "p99", op: "<=", value: 5, unit: "ms" };
// Issue 18: ≥ 0.85 of the bare route; GC under 3 % of the verify server's CPU.
const RATIO_TARGET = { op: ">=", value: 0.85, unit: "ratio" };
const GC_TARGET = { op: "<=", value: 3, unit: "%" };

/** keysmith_verifications_total by code, from the verify server's /metrics. */
async function verificationCounts(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = {};
  for (const match of text.matchAll(/^keysmith_verifications_total\{code="(\w+)"\} (\d+)/gm)) {
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}

function formatPercent(share) {
  return share === null || share === undefined ? "n/a" : `${(share * 100).toFixed(1)}%`;
}

function formatBytes(bytes) {
  return bytes === null || bytes === undefined ? "n/a" : `${Math.round(bytes).toLocaleString("en-US")} B`;
}

async function post(url, body, authorization) {
  const headers = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

export async function run(options, log) {
  const tool = pickLoadTool(options.tool);
  const nodeArgs = (server) =>
    options.profile
      ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=http-${server}.cpuprofile`]
      : [];
  log(`load generator: ${tool.name} (${tool.path}); ${pinningNote()}`);

  const servers = [];
  try {
    const verifyServer = startNode("servers/verify.js", { cpu: 0, nodeArgs: nodeArgs("verify") });
    servers.push(verifyServer);
    const verify = await verifyServer.message("ready");
    const first = await post(`${verify.url}${PATH}`, verify.body, verify.authorization);
    const answer = first.status === 200 ? JSON.parse(first.text) : null;
    if (answer?.code !== "VALID") {
      throw new Error(`verify server answered ${first.status} ${answer?.code ?? first.text.slice(0, 200)}`);
    }

    const bareServer = startNode("servers/bare.js", {
      cpu: 0,
      nodeArgs: nodeArgs("bare"),
      env: { BENCH_RESPONSE: first.text },
    });
    servers.push(bareServer);
    const bare = await bareServer.message("ready");
    const bareFirst = await post(`${bare.url}${PATH}`, verify.body, verify.authorization);
    if (bareFirst.status !== 200 || bareFirst.text.length !== first.text.length) {
      throw new Error(`bare server answered ${bareFirst.status} with ${bareFirst.text.length} bytes`);
    }
    log(`request body ${verify.body.length} B, response body ${first.text.length} B on both servers`);

    const targets = [
      { id: "verify", url: `${verify.url}${PATH}`, pid: verify.pid, server: verifyServer, results: [] },
      { id: "bare", url: `${bare.url}${PATH}`, pid: bare.pid, server: bareServer, results: [] },
    ];
    const load = (target, durationMs) =>
      runLoad(tool, {
        url: target.url,
        body: verify.body,
        // Both servers get the same request bytes; the bare route ignores the header.
        authorization: verify.authorization,
        durationMs,
        connections: options.connections,
      });

    const warmupMs = Math.min(3000, options.durationMs);
    for (const target of targets) {
      log(`warm-up ${target.id} ${warmupMs / 1000} s`);
      await load(target, warmupMs);
    }
    const before = await verificationCounts(verify.url);
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order (A B, B A, …) so drift on a shared machine cancels out.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const cpuBefore = cpuSeconds(target.pid);
        const startedAt = performance.now();
        const result = await withGcMeasurement(target.server, () => load(target, options.durationMs));
        const seconds = (performance.now() - startedAt) / 1000;
        const cpuAfter = cpuSeconds(target.pid);
        const measured = cpuBefore !== null && cpuAfter !== null;
        // Server CPU per request, and how busy the server was: below ~90 % the server was not
        // the bottleneck (the load generator was short of CPU), and req/s says little about it.
        result.cpuUsPerRequest = measured ? ((cpuAfter - cpuBefore) * 1e6) / result.requests : null;
        result.serverBusy = measured ? Math.min(1, (cpuAfter - cpuBefore) / seconds) : null;
        target.results.push(result);
        log(
          `${target.id}: ${Math.round(result.rps).toLocaleString("en-US")} req/s, p99 ${formatMs(result.p99Ms)}` +
            (measured
              ? `, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req, server ${Math.round(result.serverBusy * 100)}% busy`
              : "") +
            `, GC ${formatPercent(result.gcShare)} of CPU, ${formatBytes(result.allocatedPerRequest)}/req allocated` +
            (result.errors || result.non2xx
              ? `, ${result.errors} socket errors, ${result.non2xx} non-2xx`
              : ""),
        );
      }
    }
    const after = await verificationCounts(verify.url);

    // Every measured verify request must have been a VALID answer, not a cheap error.
    const measured = targets[0].results.reduce((sum, r) => sum + r.requests, 0);
    const valid = (after.VALID ?? 0) - (before.VALID ?? 0);
    const otherCodes = Object.keys(after).filter((c) => c !== "VALID" && after[c] !== (before[c] ?? 0));
    if (otherCodes.length)
      throw new Error(`verify answered codes other than VALID: ${otherCodes.join(", ")}`);
    if (valid < measured) throw new Error(`only ${valid} of ${measured} measured verify requests were VALID`);
    for (const target of targets) {
      // A wrong answer fails the run; a few socket errors (wrk's 2 s timeout on a machine
      // busy with other work) are reported, and fail it only above 0.1 % of requests.
      const bad = target.results.find((r) => r.non2xx > 0 || r.errors > r.requests / 1000);
      if (bad) throw new Error(`${target.id}: ${bad.errors} socket errors, ${bad.non2xx} non-2xx responses`);
      const errors = target.results.reduce((sum, r) => sum + r.errors, 0);
      if (errors) log(`WARNING ${target.id}: ${errors} socket errors (timeouts?) in the measured runs`);
    }

    const summary = (target) => ({
      rps: median(target.results.map((r) => r.rps)),
      p50Ms: median(target.results.map((r) => r.p50Ms)),
      p99Ms: median(target.results.map((r) => r.p99Ms)),
      cpuUsPerRequest: target.results.some((r) => r.cpuUsPerRequest === null)
        ? null
        : median(target.results.map((r) => r.cpuUsPerRequest)),
      serverBusy: target.results.some((r) => r.serverBusy === null)
        ? null
        : median(target.results.map((r) => r.serverBusy)),
      gcShare: median(target.results.map((r) => r.gcShare ?? 0)),
      allocatedPerRequest: median(target.results.map((r) => r.allocatedPerRequest ?? 0)),
    });
    const v = summary(targets[0]);
    const b = summary(targets[1]);
    const ratio = v.rps / b.rps;
    const common = { tool: tool.name, connections: options.connections, durationMs: options.durationMs };
    const cpu = (s) =>
      s.cpuUsPerRequest === null
        ? ""
        : `, ${s.cpuUsPerRequest.toFixed(1)} µs CPU/req, ${Math.round(s.serverBusy * 100)}% busy`;
    const starved = [targets[0], targets[1]].filter((t) => t.results.some((r) => r.serverBusy < 0.9));
    if (starved.length) {
      log(
        `WARNING: the ${starved.map((t) => t.id).join(" and ")} server was under 90 % busy in a measured run: ` +
          "the load generator was short of CPU or other work shared CPU 0, so req/s and the ratio understate it",
      );
    }
    const detail = (s) => `p50 ${formatMs(s.p50Ms)}, p99 ${formatMs(s.p99Ms)}${cpu(s)}`;
    // The same ratio from server CPU per request: what req/s would give on an idle machine.
    const cpuRatio = v.cpuUsPerRequest && b.cpuUsPerRequest ? b.cpuUsPerRequest / v.cpuUsPerRequest : null;
    return [
      {
        scenario: name,
        measure: `POST ${PATH} (keysmith), ${options.connections} conns`,
        value: v.rps,
        unit: "req/s",
        ...v,
        detail: detail(v),
        target: P99_TARGET,
        met: v.p99Ms <= P99_TARGET.value,
        runs: targets[0].results,
        ...common,
      },
      {
        scenario: name,
        measure: `bare Fastify POST, ${options.connections} conns`,
        value: b.rps,
        unit: "req/s",
        ...b,
        detail: detail(b),
        runs: targets[1].results,
        ...common,
      },
      {
        scenario: name,
        measure: `ratio verify/bare req/s (${tool.name})`,
        value: ratio,
        unit: "ratio",
        detail:
          `p99 ${formatMs(v.p99Ms)} vs ${formatMs(b.p99Ms)}` +
          (starved.length ? "; DISTURBED: a server was not saturated" : ""),
        disturbed: starved.length > 0,
        target: RATIO_TARGET,
        met: ratio >= RATIO_TARGET.value,
        ...common,
      },
      ...(cpuRatio === null
        ? []
        : [
            {
              scenario: name,
              measure: "ratio bare/verify server CPU per request",
              value: cpuRatio,
              unit: "ratio",
              detail: `${v.cpuUsPerRequest.toFixed(1)} vs ${b.cpuUsPerRequest.toFixed(1)} µs CPU/req`,
              ...common,
            },
          ]),
      {
        scenario: name,
        measure: "verify server: GC share of its CPU",
        value: v.gcShare * 100,
        unit: "%",
        detail: `bare Fastify: ${formatPercent(b.gcShare)} (GC pause time ÷ process CPU time, v8.GCProfiler)`,
        target: GC_TARGET,
        met: v.gcShare * 100 <= GC_TARGET.value,
        ...common,
      },
      {
        scenario: name,
        measure: "allocation per verification (V8 heap)",
        value: v.allocatedPerRequest,
        unit: "B",
        detail: `bare Fastify: ${formatBytes(b.allocatedPerRequest)} per request`,
        ...common,
      },
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
