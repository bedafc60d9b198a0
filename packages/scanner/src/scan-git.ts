import { readFileSync } from "node:fs";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";
import { applyBaseline, type Baseline } from "./baseline.js";
import { type AddedLines, COMMIT_FORMAT, DiffReader } from "./diff-reader.js";
import { createEngine, type Engine } from "./engine.js";
import { DEFAULT_MAX_FILE_SIZE } from "./file-reader.js";
import { DIFF_CONFIG, DIFF_FLAGS, gitLines, gitTopLevel } from "./git.js";
import { sortFindings } from "./scan-paths.js";
import type { Finding, Rule, ScanResult, Skipped } from "./types.js";
import { KEYSMITH_IGNORE } from "./walk.js";

export interface GitScanOptions {
  rules?: readonly Rule[];
  baseline?: Baseline;
  /** Added text per file (per commit) above this is skipped; default 5 MiB. */
  maxFileSize?: number;
}

export interface HistoryScanOptions extends GitScanOptions {
  /** Only commits after this revision (`<since>..HEAD`); default: every commit reachable from any ref. */
  since?: string;
  /** Revisions to walk instead of all refs (`["main"]`); ignored when `since` is given. */
  revs?: readonly string[];
  /** Called with the number of commits read so far, every 100 commits. */
  onProgress?: (commits: number) => void;
}

/**
 * Scans what `git commit` would record: the lines added in the index (`git diff --cached`),
 * with their line numbers in the staged file. Paths are relative to the repository top.
 *
 * @example
 * const { findings } = await scanStaged(process.cwd());
 * if (findings.length > 0) process.exitCode = 1; // block the commit
 */
export async function scanStaged(repoDir: string, options: GitScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const top = await gitTopLevel(repoDir);
  const scan = new AddedLinesScanner(top, options);
  const reader = new DiffReader((file) => scan.file(file));
  await gitLines([...DIFF_CONFIG, "diff", "--cached", ...DIFF_FLAGS, "--diff-filter=ACMRT"], top, (line) =>
    reader.line(line),
  );
  reader.end();
  return scan.result(started);
}

/**
 * Scans every commit reachable from any ref (or since a revision) and reports each secret once,
 * with the first commit that added it (oldest first: `git log --reverse --topo-order`), the
 * file and line it was added at, the author and the date — even if a later commit removed it.
 *
 * @example
 * const { findings } = await scanHistory(repoDir, { since: "v1.0.0" });
 * for (const f of findings) console.log(f.commit, f.file, f.masked);
 */
export async function scanHistory(repoDir: string, options: HistoryScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const top = await gitTopLevel(repoDir);
  const scan = new AddedLinesScanner(top, options, true);
  let commits = 0;
  let lastCommit = "";
  const reader = new DiffReader((file) => scan.file(file));
  const revs = options.since ? [`${options.since}..HEAD`] : (options.revs ?? ["--all"]);
  const args = [
    ...DIFF_CONFIG,
    "log",
    "-p",
    ...DIFF_FLAGS,
    "--reverse",
    "--topo-order",
    COMMIT_FORMAT,
    ...revs,
    "--",
  ];
  await gitLines(args, top, (line) => {
    reader.line(line);
    if (line.charCodeAt(0) === 0x1e && line !== lastCommit) {
      lastCommit = line;
      commits++;
      if (commits % 100 === 0) options.onProgress?.(commits);
    }
  });
  reader.end();
  return scan.result(started, commits);
}

/**
 * Scans one text (a file's content, stdin) reported under `name`.
 *
 * @example scanText('const key = "…"', "stdin").findings
 */
export function scanText(
  text: string,
  name: string,
  options: Pick<GitScanOptions, "rules" | "baseline"> = {},
): ScanResult {
  const started = performance.now();
  const bytes = Buffer.from(text, "utf8");
  let findings = createEngine(options.rules).scan(bytes, name);
  if (options.baseline) findings = applyBaseline(findings, options.baseline);
  return { findings, scanned: 1, bytes: bytes.length, skipped: [], durationMs: performance.now() - started };
}

/** Scans the added lines of each file of a diff as one text, mapping lines back to the file's. */
class AddedLinesScanner {
  private readonly engine: Engine;
  private readonly ignored: Ignore;
  private readonly maxFileSize: number;
  private readonly findings: Finding[] = [];
  private readonly skipped: Skipped[] = [];
  /** For history: ruleId + secret already reported (at its first commit). */
  private readonly reported = new Set<string>();
  private scanned = 0;
  private bytes = 0;

  constructor(
    top: string,
    private readonly options: GitScanOptions,
    private readonly oncePerSecret = false,
  ) {
    this.engine = createEngine(options.rules);
    this.maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.ignored = ignore();
    try {
      this.ignored.add(readFileSync(join(top, KEYSMITH_IGNORE), "utf8"));
    } catch {
      // No .keysmithignore: nothing is ignored.
    }
  }

  file(added: AddedLines): void {
    if (this.ignored.ignores(added.path)) return;
    const bytes = Buffer.from(added.lines.join("\n"), "utf8");
    if (bytes.length > this.maxFileSize) {
      this.skipped.push({ file: added.path, reason: "too-large" });
      return;
    }
    this.scanned++;
    this.bytes += bytes.length;
    for (const finding of this.engine.scan(bytes, added.path)) {
      if (this.oncePerSecret) {
        const key = `${finding.ruleId}\0${finding.secret}`;
        if (this.reported.has(key)) continue;
        this.reported.add(key);
      }
      finding.line = added.lineNumbers[finding.line - 1] ?? finding.line;
      if (added.commit) {
        finding.commit = added.commit.sha;
        finding.author = added.commit.author;
        finding.date = added.commit.date;
      }
      this.findings.push(finding);
    }
  }

  result(started: number, commits?: number): ScanResult {
    let findings = this.findings;
    if (this.options.baseline) findings = applyBaseline(findings, this.options.baseline);
    return {
      findings: this.oncePerSecret ? findings : sortFindings(findings),
      scanned: this.scanned,
      bytes: this.bytes,
      skipped: this.skipped,
      durationMs: performance.now() - started,
      ...(commits === undefined ? {} : { commits }),
    };
  }
}
