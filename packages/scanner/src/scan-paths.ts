import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { applyBaseline, type Baseline } from "./baseline.js";
import { DEFAULT_MAX_FILE_SIZE } from "./file-reader.js";
import { type PoolWorker, scanBatches, startWorker } from "./pool.js";
import type { Finding, Rule, ScanResult } from "./types.js";
import { collectFiles, type FileEntry, type WalkOptions } from "./walk.js";

/**
 * From this many files on, `workers: "auto"` adds worker threads (one per extra core, at most 3)
 * next to the calling thread, which scans too. Measured on this project's 2-core machine, in
 * fresh processes on a quiet machine: a worker starts in ≈ 100 ms (50 ms for an empty one) and
 * two threads scanning at once each run ≈ 1.5× slower than one alone, so a worker lost time on
 * 50 MB / 2,200 files (508 → 587 ms) and broke even on 200 MB / 8,600 files (1,035 → 1,055 ms).
 */
const POOL_MIN_FILES = 12_000;
const AUTO_WORKERS = Math.max(0, Math.min(3, availableParallelism() - 1));

export interface ScanProgress {
  files: number;
  bytes: number;
  totalFiles: number;
}

export interface ScanPathsOptions extends WalkOptions {
  /** Files larger than this are skipped (reason `too-large`); default 5 MiB. */
  maxFileSize?: number;
  /**
   * Worker threads that scan alongside the calling thread: `"auto"` (default) starts one per
   * extra core (at most 3) for trees of 12,000+ files; a number starts that many for any
   * directory scan; 0 scans on the calling thread only. Custom `rules` always scan on the
   * calling thread only.
   */
  workers?: number | "auto";
  /** Rules to use instead of the built-in ones. */
  rules?: readonly Rule[];
  /** Known findings to leave out (see `writeBaseline`). */
  baseline?: Baseline;
  /** Called after each batch of files, e.g. to draw progress on a terminal. */
  onProgress?: (progress: ScanProgress) => void;
}

/**
 * Scans files and directories (recursively, honouring .gitignore and .keysmithignore). Paths in
 * findings are relative to `options.root` (default: the current directory).
 *
 * @example
 * const { findings } = await scanPaths(["."], { root: repoDir });
 * process.exitCode = findings.length > 0 ? 1 : 0;
 */
export async function scanPaths(
  paths: readonly string[],
  options: ScanPathsOptions = {},
): Promise<ScanResult> {
  const started = performance.now();
  const inputs = paths.length > 0 ? paths : ["."];
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  // Workers asked for by number load while the directory walk runs; they take work once ready.
  const workers: PoolWorker[] = Array.from({ length: warmWorkers(inputs, options) }, () =>
    startWorker(maxFileSize),
  );
  try {
    const files = collectFiles(inputs, options);
    const wanted = chooseWorkers(options, files);
    for (const { worker } of workers.splice(wanted)) void worker.terminate();
    while (workers.length < wanted) workers.push(startWorker(maxFileSize));
    const progress = { files: 0, bytes: 0, totalFiles: files.length };
    const merged = await scanBatches(
      files,
      workers,
      { rules: options.rules, maxFileSize },
      (batch, count) => {
        progress.files += count;
        progress.bytes += batch.bytes;
        options.onProgress?.({ ...progress });
      },
    );
    let findings: Finding[] = merged.findings;
    if (options.baseline) findings = applyBaseline(findings, options.baseline);
    return {
      findings: sortFindings(findings),
      scanned: merged.scanned,
      bytes: merged.bytes,
      skipped: merged.skipped.sort((a, b) => a.file.localeCompare(b.file)),
      durationMs: performance.now() - started,
    };
  } finally {
    // Not awaited: tearing a worker down takes 10–20 ms and nothing depends on it; unref lets
    // the process exit meanwhile.
    for (const { worker } of workers) {
      worker.unref();
      void worker.terminate();
    }
  }
}

/** Workers to start before the walk: those asked for by number, when a directory is scanned. */
function warmWorkers(inputs: readonly string[], options: ScanPathsOptions): number {
  const requested = options.workers ?? "auto";
  if (options.rules || requested === "auto" || requested < 1) return 0;
  const root = options.root ?? ".";
  const walksDirectory = inputs.some((p) =>
    statSync(resolve(root, p), { throwIfNoEntry: false })?.isDirectory(),
  );
  return walksDirectory ? Math.floor(requested) : 0;
}

function chooseWorkers(options: ScanPathsOptions, files: FileEntry[]): number {
  if (options.rules || files.length < 2) return 0;
  const requested = options.workers ?? "auto";
  if (requested !== "auto") return Math.max(0, Math.floor(requested));
  return files.length >= POOL_MIN_FILES ? AUTO_WORKERS : 0;
}

/** Findings ordered by file, then position. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}
