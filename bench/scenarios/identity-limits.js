/**
 * Verify with an identity's shared rate limit vs verify with the key's own limit, in process,
 * one core, same run (issue 14's figure: shared ≥ 0.9× own).
 */
import { startNode } from "../lib/child.js";
import { median } from "../lib/stats.js";

export const name = "identity-limits";
export const order = 12;
export const description = "Verifier.verify with an identity's shared limit vs the key's own limit, one core";

const TARGET = { op: ">=", value: 0.9, unit: "ratio", what: "shared/own" };

export async function run(options, log) {
  const runs = 7;
  const runMs = Math.min(2000, Math.max(200, Math.round(options.durationMs / 20)));
  const keys = Math.min(options.keys, 1000);
  log(`creating ${keys} keys with their own limit and ${keys} sharing ${keys / 10} identities' limits`);
  const worker = startNode("workers/identity-limits.js", {
    cpu: 0,
    env: { BENCH_KEYS: String(keys), BENCH_RUNS: String(runs), BENCH_RUN_MS: String(runMs) },
  });
  let result;
  try {
    result = await worker.message("result", 600_000);
  } finally {
    await worker.stop();
  }
  const byId = Object.fromEntries(result.measures.map((m) => [m.id, m.runs]));
  const own = median(byId.own);
  const shared = median(byId.identity);
  // The ratio of each interleaved pair, then their median: drift hits both halves of a pair alike.
  const ratios = byId.identity.map((value, i) => value / byId.own[i]);
  const ratio = median(ratios);
  const row = (measure, value, runsOf) => ({
    scenario: name,
    measure,
    value,
    unit: "ops/s",
    detail: `${(1e9 / value).toFixed(0)} ns/op`,
    runs: runsOf,
  });
  return [
    row(`verify, key's own limit, ${keys} keys cycled`, own, byId.own),
    row(`verify, identity's shared limit, ${keys} keys cycled`, shared, byId.identity),
    {
      scenario: name,
      measure: "ratio shared/own",
      value: ratio,
      unit: "ratio",
      detail: `median of ${ratios.length} interleaved pairs`,
      runs: ratios,
      target: TARGET,
      met: ratio >= TARGET.value,
    },
  ];
}
