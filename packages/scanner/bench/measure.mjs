#!/usr/bin/env node
/**
 * Measures the built scanner on a corpus: `node measure.mjs <dir> [--runs 5] [--workers auto]`.
 * Each run is a fresh process (cold engine, warm page cache), timed from process start to the
 * end of `scanPaths`, so the figure includes Node startup, module loading, the directory walk
 * and worker startup — what `keysmith scan <dir>` costs. Also reports the process's CPU time
 * (all threads), which a busy machine disturbs less than wall time. Prints one JSON line.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

if (process.env.KEYSMITH_MEASURE_CHILD) {
  const { scanPaths } = await import(new URL("../dist/index.js", import.meta.url).href);
  const workers = flag("workers", "auto");
  const result = await scanPaths([dir], {
    root: dir,
    workers: workers === "auto" ? "auto" : Number(workers),
  });
  const wallMs = performance.now();
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      scanMs: result.durationMs,
      bytes: result.bytes,
      files: result.scanned,
      findings: result.findings.length,
    }),
  );
} else {
  if (!dir) {
    console.error("usage: measure.mjs <dir> [--runs 5] [--workers auto|0|1|2]");
    process.exit(2);
  }
  const runs = Number(flag("runs", 5));
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      env: { ...process.env, KEYSMITH_MEASURE_CHILD: "1" },
      encoding: "utf8",
    });
    const outerMs = performance.now() - t0;
    if (child.status !== 0) throw new Error(child.stderr);
    samples.push({ ...JSON.parse(child.stdout), outerMs });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const wall = median(samples.map((s) => s.outerMs));
  const scan = median(samples.map((s) => s.scanMs));
  const cpu = median(samples.map((s) => s.cpuMs));
  const { bytes, files, findings } = samples[0];
  console.log(
    JSON.stringify({
      dir,
      files,
      mb: +(bytes / 1048576).toFixed(1),
      findings,
      wallMs: Math.round(wall),
      scanMs: Math.round(scan),
      cpuMs: Math.round(cpu),
      minWallMs: Math.round(Math.min(...samples.map((s) => s.outerMs))),
      mbPerSecWall: +(bytes / 1048576 / (wall / 1000)).toFixed(0),
      mbPerSecScan: +(bytes / 1048576 / (scan / 1000)).toFixed(0),
      runs: samples.map((s) => Math.round(s.outerMs)),
    }),
  );
}
