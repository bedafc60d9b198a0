/**
 * In-process cached verification: `Verifier.verify` on a cached key, ops/s on one core,
 * against the floor of `crypto.hash` SHA-256 hex + `Map.get` measured in the same process.
 */
import { startNode } from "../lib/child.js";
import { median } from "../lib/stats.js";

export const name = "inprocess";
export const order = 10;
export const description = "Verifier.verify on cached keys vs crypto.hash + Map.get, one core";

const TARGET = { op: ">=", value: 1_000_000, unit: "ops/s" };

export async function run(options, log) {
  const runs = 7;
  // 0.5 s a run at the default 10 s duration; 6 measures × 7 runs ≈ 21 s.
  const runMs = Math.min(2000, Math.max(200, Math.round(options.durationMs / 20)));
  log(`creating ${options.keys.toLocaleString("en-US")} keys, then ${runs} runs of ${runMs} ms per measure`);
  const worker = startNode("workers/inprocess.js", {
    cpu: 0,
    env: { BENCH_KEYS: String(options.keys), BENCH_RUNS: String(runs), BENCH_RUN_MS: String(runMs) },
    nodeArgs: options.profile
      ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, "--cpu-prof-name=inprocess.cpuprofile"]
      : [],
  });
  let result;
  try {
    result = await worker.message("result", 600_000);
  } finally {
    await worker.stop();
  }
  log(`keys created in ${(result.setupMs / 1000).toFixed(1)} s`);
  const byId = Object.fromEntries(result.measures.map((m) => [m.id, m.runs]));
  const count = result.keys.toLocaleString("en-US");
  const row = (id, measure, target) => {
    const value = median(byId[id]);
    const floor = median(byId[id.startsWith("verify-hot") ? "floor-hot" : id.replace("verify", "floor")]);
    const nsPerOp = 1e9 / value;
    return {
      scenario: name,
      measure,
      value,
      unit: "ops/s",
      nsPerOp,
      detail: id.startsWith("verify")
        ? `${nsPerOp.toFixed(0)} ns/op, ${((value / floor) * 100).toFixed(0)}% of floor`
        : `${nsPerOp.toFixed(0)} ns/op`,
      runs: byId[id],
      ...(target ? { target, met: value >= target.value } : {}),
    };
  };
  return [
    row("verify-cycled", `verify, ${count} cached keys cycled`, TARGET),
    row("verify-hot", "verify, one hot key", TARGET),
    row("verify-hot-scopes", "verify, one hot key, scopes: [2 scopes]", TARGET),
    row("verify-hot-permissions", "verify, one hot key, permissions: a AND (b OR c)", TARGET),
    row("floor-cycled", `floor: crypto.hash + Map.get, ${count} keys`),
    row("floor-hot", "floor: crypto.hash + Map.get, one key"),
  ];
}
