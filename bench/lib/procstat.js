import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond;

/**
 * CPU seconds (user + system, all threads) a process has used so far, or null off Linux.
 * Divided by the requests it served, this is a cost per request that other work on a shared
 * machine disturbs far less than requests per second do.
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}
