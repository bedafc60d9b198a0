/**
 * Secret scanner: `scanPaths` of the built @keysmith/scanner over a generated 50 MB corpus of mixed
 * source (packages/scanner/bench/generate-corpus.mjs), each run a fresh process timed from spawn to
 * exit (Node startup, module loading, directory walk, workers included: what `keysmith scan <dir>`
 * costs), alternating with GNU grep reading the same files as a floor. Not pinned: the scanner
 * uses both cores. The corpus is generated once into the OS temp directory and reused.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_DIR, which } from "../lib/child.js";
import { median } from "../lib/stats.js";

export const name = "scanner";
export const order = 50;
export const description = "keysmith scan of a generated 50 MB source tree (wall time, both cores) vs grep";

const MB = 50;
const SEED = 1;
const TARGET = { op: "<=", value: 500, unit: "ms", what: "wall" };
const SCANNER = `${REPO_DIR}/packages/scanner`;
const CORPUS = join(tmpdir(), `keysmith-scanner-corpus-${MB}mb-seed${SEED}`);
// The child: import the built package, scan, print one JSON line.
const CHILD = `
const { scanPaths } = await import(${JSON.stringify(`file://${SCANNER}/dist/index.js`)});
const dir = process.env.KEYSMITH_BENCH_CORPUS;
const r = await scanPaths([dir], { root: dir });
process.stdout.write(JSON.stringify({ bytes: r.bytes, files: r.scanned, findings: r.findings.length }));
`;

function timed(command, args, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...process.env, KEYSMITH_BENCH_CORPUS: CORPUS };
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      if (okCodes.includes(code)) resolve({ ms, stdout });
      else reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 300)}`));
    });
  });
}

async function ensureCorpus(log) {
  const marker = join(CORPUS, ".corpus.json");
  // Regenerate when the generator changed since the corpus was written.
  const generator = createHash("sha256")
    .update(readFileSync(`${SCANNER}/bench/generate-corpus.mjs`))
    .digest("hex");
  if (existsSync(marker)) {
    const cached = JSON.parse(readFileSync(marker, "utf8"));
    if (cached.generator === generator) return cached;
  }
  log(`generating a ${MB} MB corpus in ${CORPUS}`);
  const { stdout } = await timed(process.execPath, [
    `${SCANNER}/bench/generate-corpus.mjs`,
    CORPUS,
    "--mb",
    String(MB),
    "--seed",
    String(SEED),
  ]);
  const corpus = { ...JSON.parse(stdout), generator };
  writeFileSync(marker, JSON.stringify(corpus));
  return corpus;
}

export async function run(_options, log) {
  if (!existsSync(`${SCANNER}/dist/index.js`))
    throw new Error("packages/scanner is not built: npm run build");
  const corpus = await ensureCorpus(log);
  const runs = Number(process.env.BENCH_SCANNER_RUNS ?? 7);
  const grep = which("grep");
  log(
    `${corpus.files} files, ${(corpus.bytes / 1048576).toFixed(1)} MB, ${corpus.planted} planted secrets; ${runs} runs`,
  );
  const scanArgs = ["--input-type=module", "-e", CHILD];
  await timed(process.execPath, scanArgs); // warm the page cache
  const scanMs = [];
  const grepMs = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const scan = await timed(process.execPath, scanArgs);
    scanMs.push(scan.ms);
    last = JSON.parse(scan.stdout);
    // grep exits 1 when nothing matches; the pattern is one of the scanner's keywords.
    if (grep) grepMs.push((await timed(grep, ["-rF", "-c", "AKIA", CORPUS], [0, 1])).ms);
  }
  if (last.findings < corpus.planted)
    throw new Error(`found ${last.findings} of ${corpus.planted} planted secrets`);
  const wall = median(scanMs);
  const mbPerSec = last.bytes / 1048576 / (wall / 1000);
  const rows = [
    {
      scenario: name,
      measure: `scan ${MB} MB of source, wall`,
      value: wall,
      unit: "ms",
      detail: `${mbPerSec.toFixed(0)} MB/s, ${last.files} files, ${last.findings} findings`,
      runs: scanMs,
      target: TARGET,
      met: wall <= TARGET.value,
    },
    {
      scenario: name,
      measure: "scan throughput",
      value: mbPerSec,
      unit: "MB/s",
      runs: scanMs.map((ms) => last.bytes / 1048576 / (ms / 1000)),
    },
  ];
  if (grep) {
    rows.push({
      scenario: name,
      measure: "floor: grep -rF over the same files",
      value: median(grepMs),
      unit: "ms",
      runs: grepMs,
    });
  }
  return rows;
}
