/**
 * How long `keysmith --version` and `keysmith --help` take from a cold process (issue 13: the
 * CLI must not load the server to answer them), against a bare `node -e 0` on this machine.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "../lib/stats.js";

export const name = "cli-startup";
export const order = 80;
export const description = "keysmith --version and --help wall time (median of 20 cold starts) vs bare node";

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const TARGET = { op: "<=", value: 250, unit: "ms", what: "median" };
const RUNS = 20;

function wall(args) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: median(times), p90: times[Math.floor(0.9 * (times.length - 1))] };
}

export async function run(_options, log) {
  const rows = [];
  const bare = wall(["-e", "0"]);
  rows.push({
    scenario: name,
    measure: "node -e 0 (floor)",
    value: bare.median,
    unit: "ms",
    detail: `p90 ${bare.p90.toFixed(0)} ms`,
  });
  for (const flag of ["--version", "--help"]) {
    const { median: value, p90 } = wall([BIN, flag]);
    log(`keysmith ${flag}: median ${value.toFixed(0)} ms`);
    rows.push({
      scenario: name,
      measure: `keysmith ${flag}`,
      value,
      unit: "ms",
      detail: `p90 ${p90.toFixed(0)} ms`,
      target: TARGET,
      met: value <= TARGET.value,
    });
  }
  return rows;
}
