/**
 * How long `keysmith --version` and `keysmith --help` take from a cold process (issue 13: the
 * CLI must not load the server to answer them), against a bare `node -e 0` on this machine.
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median } from "../lib/stats.js";

export const name = "cli-startup";
export const order = 80;
export const description =
  "keysmith --version and --help wall and CPU time (median of 20 cold starts) vs bare node";

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const TARGET = { op: "<=", value: 250, unit: "ms", what: "median" };
const RUNS = 20;
const TIME = "/usr/bin/time";

/** Wall time, and CPU time (user + system, from /usr/bin/time) that a busy machine disturbs less. */
function measure(args) {
  const walls = [];
  const cpus = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = existsSync(TIME)
      ? spawnSync(TIME, ["-f", "%U %S", process.execPath, ...args], { stdio: ["ignore", "ignore", "pipe"] })
      : spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    if (result.status !== 0)
      throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    const [user, system] = String(result.stderr).trim().split("\n").at(-1).split(" ").map(Number);
    if (Number.isFinite(user) && Number.isFinite(system)) cpus.push((user + system) * 1000);
  }
  walls.sort((a, b) => a - b);
  return {
    median: median(walls),
    p90: walls[Math.floor(0.9 * (walls.length - 1))],
    cpu: cpus.length ? median(cpus) : Number.NaN,
  };
}

export async function run(_options, log) {
  const rows = [];
  const bare = measure(["-e", "0"]);
  rows.push({
    scenario: name,
    measure: "node -e 0 (floor)",
    value: bare.median,
    unit: "ms",
    detail: `p90 ${bare.p90.toFixed(0)} ms, CPU ${bare.cpu.toFixed(0)} ms`,
  });
  for (const flag of ["--version", "--help"]) {
    const { median: value, p90, cpu } = measure([BIN, flag]);
    log(`keysmith ${flag}: median ${value.toFixed(0)} ms`);
    rows.push({
      scenario: name,
      measure: `keysmith ${flag}`,
      value,
      unit: "ms",
      detail: `p90 ${p90.toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms`,
      target: TARGET,
      met: value <= TARGET.value,
    });
  }
  return rows;
}
