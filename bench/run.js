/**
 * `npm run bench`: runs every scenario in bench/scenarios (or those named by --only), prints
 * one table and writes the figures to bench/results/latest.json. A scenario is a module
 * exporting `name`, `order`, `description` and `run(options, log) → rows`; adding a file
 * adds a scenario. See bench/README.md.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { HELP, parseArgs } from "./lib/args.js";
import { BENCH_DIR, canPin } from "./lib/child.js";
import { backgroundLoad, waitForQuiet } from "./lib/quiet.js";
import { renderTable } from "./lib/table.js";

const RESULTS_DIR = `${BENCH_DIR}/results`;
/** Background CPU use (% of all CPUs) above which the figures are flagged as disturbed. */
const BUSY_WARNING = 10;

async function loadScenarios() {
  const files = readdirSync(`${BENCH_DIR}/scenarios`).filter((f) => f.endsWith(".js") && !f.startsWith("_"));
  const modules = await Promise.all(files.map((f) => import(`./scenarios/${f}`)));
  for (const [i, m] of modules.entries()) {
    if (typeof m.name !== "string" || typeof m.run !== "function") {
      throw new Error(`bench/scenarios/${files[i]} must export name and run()`);
    }
  }
  return modules.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const all = await loadScenarios();
  if (options.help) {
    console.log(HELP);
    console.log(
      `\nScenarios:\n${all.map((s) => `  ${s.name.padEnd(12)} ${s.description ?? ""}`).join("\n")}`,
    );
    return 0;
  }
  const unknown = (options.only ?? []).filter((n) => !all.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(", ")} (have ${all.map((s) => s.name).join(", ")})`);
  const selected = options.only ? all.filter((s) => options.only.includes(s.name)) : all;

  mkdirSync(RESULTS_DIR, { recursive: true });
  options.profileDir = `${RESULTS_DIR}/profiles`;
  if (options.profile) mkdirSync(options.profileDir, { recursive: true });
  if (!canPin()) console.error("bench: taskset is unavailable, processes are NOT pinned to CPUs");

  const startedAt = new Date();
  const rows = [];
  const failures = [];
  const busy = {};
  for (const scenario of selected) {
    const log = (message) => console.error(`[${scenario.name}] ${message}`);
    busy[scenario.name] = options.waitQuietMs
      ? await waitForQuiet(options.waitQuietMs, BUSY_WARNING, log)
      : await backgroundLoad();
    if (busy[scenario.name] !== null && busy[scenario.name] > BUSY_WARNING) {
      log(`WARNING: the machine is ${busy[scenario.name]}% busy before the start; figures will be low`);
    }
    const t0 = performance.now();
    try {
      rows.push(...(await scenario.run(options, log)));
    } catch (error) {
      failures.push({
        scenario: scenario.name,
        error: error instanceof Error ? error.message : String(error),
      });
      log(`FAILED: ${error instanceof Error ? error.message : error}`);
    }
    log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const report = {
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    loadavg: loadavg(),
    pinned: canPin(),
    /** % of all CPUs busy in the second before each scenario started. */
    backgroundBusy: busy,
    options: {
      only: options.only,
      durationMs: options.durationMs,
      rounds: options.rounds,
      connections: options.connections,
      keys: options.keys,
      tool: options.tool,
      profile: options.profile,
      waitQuietMs: options.waitQuietMs,
    },
    rows,
    failures,
  };
  writeFileSync(`${RESULTS_DIR}/latest.json`, `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\nkeysmith bench — Node ${process.version}, ${report.cpus} CPUs, ${report.seconds} s\n`);
  console.log(renderTable(rows));
  for (const [scenario, percent] of Object.entries(busy)) {
    if (percent !== null && percent > BUSY_WARNING) {
      console.log(
        `\nWARNING: ${percent}% of the CPUs were busy before ${scenario} started: other work disturbed it.`,
      );
    }
  }
  for (const f of failures) console.log(`\nFAILED ${f.scenario}: ${f.error}`);
  console.log("\nfigures: bench/results/latest.json");
  if (options.profile) console.log(`profiles: ${options.profileDir}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 2;
  },
);
