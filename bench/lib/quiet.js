import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

function cpuTimes() {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { total: fields.reduce((a, b) => a + b, 0), idle };
  } catch {
    return null;
  }
}

/**
 * How busy the machine is before a scenario starts (0–100 % of all CPUs, over `ms`), or null
 * where /proc/stat is unreadable. Figures taken while something else runs (a test suite,
 * a build) are not comparable with PERFORMANCE.md; the report says so.
 */
export async function backgroundLoad(ms = 1000) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return null;
  return Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100);
}

/**
 * Waits until less than `threshold` % of the CPUs are busy for three seconds in a row, or
 * `maxMs` pass. Returns the last reading.
 */
export async function waitForQuiet(maxMs, threshold, log) {
  const deadline = Date.now() + maxMs;
  let calm = 0;
  let busy = null;
  while (calm < 3 && Date.now() < deadline) {
    busy = await backgroundLoad(1000);
    calm = busy === null || busy < threshold ? calm + 1 : 0;
  }
  if (calm < 3) log(`still ${busy}% busy after waiting ${Math.round(maxMs / 1000)} s; going ahead`);
  return busy;
}
