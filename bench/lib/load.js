import { existsSync } from "node:fs";
import { BENCH_DIR, canPin, pinned, REPO_DIR, runCommand, startNode, which } from "./child.js";

const AUTOCANNON = `${REPO_DIR}/node_modules/.bin/autocannon`;

/** The load generator to use: wrk when installed, else autocannon from node_modules. */
export function pickLoadTool(forced) {
  const wrk = which("wrk") ?? (existsSync("/usr/bin/wrk") ? "/usr/bin/wrk" : null);
  if (forced === "wrk") {
    if (!wrk) throw new Error("--tool wrk: wrk is not installed (Debian package wrk)");
    return { name: "wrk", path: wrk };
  }
  if (forced !== "autocannon" && wrk) return { name: "wrk", path: wrk };
  if (!existsSync(AUTOCANNON)) throw new Error("neither wrk nor autocannon (npm install) is available");
  return { name: "autocannon", path: AUTOCANNON };
}

/**
 * Sends POSTs to `url` for `durationMs` from `connections` connections on CPU `cpu`, with
 * the JSON `body` and `authorization` header. Returns
 * `{ tool, requests, rps, p50Ms, p90Ms, p99Ms, maxMs, errors, non2xx }`.
 */
export async function runLoad(tool, { url, body, authorization, durationMs, connections, cpu = 1 }) {
  const env = { BENCH_BODY: body, BENCH_AUTHORIZATION: authorization ?? "" };
  return tool.name === "wrk"
    ? runWrk(tool.path, { url, env, durationMs, connections, cpu })
    : runAutocannon({ url, env, durationMs, connections, cpu });
}

async function runWrk(path, { url, env, durationMs, connections, cpu }) {
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const [command, args] = pinned(cpu, path, [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    "-s",
    `${BENCH_DIR}/post.lua`,
    url,
  ]);
  const { code, stdout, stderr } = await runCommand(command, args, { env, timeoutMs: durationMs + 60_000 });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${(stderr || stdout).trim()}`);
  const s = JSON.parse(line.slice("BENCH_JSON ".length));
  const errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout;
  return {
    tool: "wrk",
    requests: s.requests,
    rps: s.requests / (s.durationUs / 1e6),
    p50Ms: s.p50Us / 1000,
    p90Ms: s.p90Us / 1000,
    p99Ms: s.p99Us / 1000,
    maxMs: s.maxUs / 1000,
    errors,
    non2xx: s.errors.status,
  };
}

async function runAutocannon({ url, env, durationMs, connections, cpu }) {
  const worker = startNode("workers/autocannon.js", {
    cpu,
    env: {
      ...env,
      BENCH_URL: url,
      BENCH_CONNECTIONS: String(connections),
      BENCH_DURATION_S: String(Math.max(1, Math.round(durationMs / 1000))),
    },
  });
  try {
    const { result } = await worker.message("result", durationMs + 60_000);
    return { tool: "autocannon", ...result };
  } finally {
    await worker.stop();
  }
}

export function pinningNote() {
  return canPin() ? "server on CPU 0, load on CPU 1" : "taskset unavailable: NOT pinned";
}
