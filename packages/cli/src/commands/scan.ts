import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Finding, ScanResult } from "@keysmith/scanner";
import { type Command, Option } from "commander";
import { type Context, clientFor } from "../context.js";
import { CliError, EXIT, type Io } from "../io.js";
import { positiveInt } from "../options.js";

interface ScanFlags {
  staged?: boolean;
  history?: boolean;
  since?: string;
  stdin?: boolean;
  format: "text" | "json" | "sarif";
  json?: boolean;
  reveal?: boolean;
  baseline?: string;
  writeBaseline?: string;
  maxFileSize?: number;
  gitignore: boolean;
  report?: boolean;
  url?: string;
  config?: string;
  redact?: boolean;
  progress: boolean;
}

/** The rule whose findings `--report` sends: keysmith secret, restricted and root keys. */
const REPORTED_RULE = "keysmith-secret-key";
/** `POST /v1/leaks` takes at most this many strings per request. */
const REPORT_BATCH = 1000;

/**
 * `keysmith scan`: finds secrets in files, the git index, git history or stdin. Exit 1 when it
 * finds any (publishable keys, severity info, are listed but do not fail), 0 when clean, 2 when
 * the scan could not run.
 */
export function scanCommand(program: Command, { io, act }: Context): void {
  program
    .command("scan")
    .description("find API keys, tokens and private keys in files, staged changes or git history")
    .argument("[paths...]", "files and directories to scan (default: the current directory)")
    .addOption(
      new Option("--staged", "scan the lines added in the git index (what a commit would record)").conflicts([
        "history",
        "stdin",
      ]),
    )
    .addOption(new Option("--history", "scan every commit; each secret once, at the commit that added it"))
    .option("--since <rev>", "with --history: only commits after this revision")
    .addOption(new Option("--stdin", "scan standard input").conflicts(["history"]))
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json", "sarif"]).default("text"),
    )
    .option("--json", "the same as --format json")
    .option("--reveal", "print secrets in full (masked by default)")
    .option("--baseline <file>", "leave out the findings recorded in this baseline")
    .option("--write-baseline <file>", "record every finding in this baseline file and exit 0")
    .option("--max-file-size <bytes>", "skip files larger than this (default 5 MiB)", positiveInt)
    .option("--no-gitignore", "scan files .gitignore covers too (.keysmithignore still applies)")
    .option("--report", "send the keysmith keys found to the server (POST /v1/leaks) to revoke them")
    .option("--url <url>", "with --report: the keysmith server (env KEYSMITH_URL)")
    .option(
      "--config <file>",
      "rules and allowlists (default: .keysmith/scan.toml and .gitleaks.toml at the repository's top)",
    )
    .option("--redact", "show no part of any secret (masked shows a few characters by default)")
    .option("--no-progress", "never draw progress on stderr (it is drawn only on a terminal)")
    .addHelpText(
      "after",
      `
Paths in the output are relative to the repository's top (the current directory outside one).
Suppress a false positive with a "keysmith:allow" (or "gitleaks:allow") comment on its line, list paths of intentional
fakes (test fixtures) in .keysmithignore, or accept known findings with --write-baseline FILE and
scan with --baseline FILE. Custom rules and allowlists: .keysmith/scan.toml, or an existing
.gitleaks.toml and .gitleaksignore. --report uses KEYSMITH_URL and KEYSMITH_ROOT_KEY (keys:write).

Exit codes: 0 no secrets, 1 secrets found, 2 the scan could not run.`,
    )
    .action(act((paths: string[], flags: ScanFlags) => scan(io, paths, flags)));
}

async function scan(io: Io, paths: string[], given: ScanFlags): Promise<number> {
  const flags: ScanFlags = given.json ? { ...given, format: "json" } : given;
  checkFlags(paths, flags);
  // Fail before scanning when the report could not be sent anyway.
  const client = flags.report ? clientFor(io, { ...(flags.url ? { url: flags.url } : {}) }) : null;
  const scanner = await import("@keysmith/scanner");
  const cwd = realpath(resolve(io.cwd ?? "."));
  const top = await gitTopLevel(cwd);
  const baseline =
    flags.baseline && !flags.writeBaseline ? readBaseline(scanner, resolve(cwd, flags.baseline)) : undefined;
  const progress = progressLine(io, flags.progress !== false);
  const config = loadConfig(scanner, top ?? cwd, flags.config ? resolve(cwd, flags.config) : undefined);
  const common = {
    ...(baseline ? { baseline } : {}),
    ...(flags.maxFileSize ? { maxFileSize: flags.maxFileSize } : {}),
    ...(config?.customRules ? { rules: config.rules } : {}),
  };
  let result: ScanResult;
  try {
    if (flags.stdin) {
      result = scanner.scanText(await readStdin(io), "stdin", common);
    } else if (flags.staged) {
      result = await scanner.scanStaged(requireRepo(top, "--staged"), common);
    } else if (flags.history) {
      result = await scanner.scanHistory(requireRepo(top, "--history"), {
        ...common,
        ...(flags.since ? { since: flags.since } : {}),
        onProgress: (commits) => progress.draw(`scanning history: ${commits} commits`),
      });
    } else {
      const inputs = (paths.length > 0 ? paths : ["."]).map((p) => realpath(resolve(cwd, p)));
      result = await scanner.scanPaths(inputs, {
        ...common,
        root: await scanRoot(cwd, top, inputs),
        gitignore: flags.gitignore,
        onProgress: ({ files, totalFiles, bytes }) =>
          progress.draw(`scanning: ${files}/${totalFiles} files, ${(bytes / 1e6).toFixed(1)} MB`),
      });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`scan failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    progress.clear();
  }
  if (config) result.findings = scanner.applyAllowlist(result.findings, config);

  if (flags.writeBaseline) {
    try {
      scanner.writeBaseline(result.findings, resolve(cwd, flags.writeBaseline));
    } catch (error) {
      throw new CliError(
        `cannot write the baseline: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (client) await report(io, client, result.findings);
    io.stderr(
      `Recorded ${result.findings.length} ${plural(result.findings.length, "finding")} in ${flags.writeBaseline} ` +
        `(fingerprints only, no secrets); scan with --baseline ${flags.writeBaseline} to report only new ones.\n`,
    );
    return EXIT.OK;
  }

  // --redact: not even the few characters a masked secret shows.
  const shown = flags.redact ? result.findings.map((f) => ({ ...f, masked: "[REDACTED]" })) : result.findings;
  io.stdout(
    scanner.formatFindings(shown, flags.format, {
      reveal: flags.reveal === true,
      color: flags.format === "text" && io.isTTY && !io.env.NO_COLOR,
      scanned: result.scanned,
    }),
  );
  const failed = result.findings.some((f) => f.severity !== "info");
  // In every format: a file that ran past the per-file time budget was only partly scanned.
  const timedOut = result.skipped.filter((s) => s.reason === "timeout");
  for (const s of timedOut.slice(0, 20)) {
    io.stderr(
      `warning: ${s.file}: scan stopped at the per-file time budget; the file was only partly scanned.\n`,
    );
  }
  if (timedOut.length > 20)
    io.stderr(`warning: ${timedOut.length - 20} more files stopped at the time budget.\n`);
  if (flags.format === "text") {
    const tooLarge = result.skipped.filter((s) => s.reason === "too-large").length;
    if (tooLarge > 0) {
      io.stderr(`Skipped ${tooLarge} ${plural(tooLarge, "file")} over the size limit (--max-file-size).\n`);
    }
    if (failed && !flags.stdin) {
      io.stderr(
        "Intentional fakes (test fixtures): list their paths in .keysmithignore. Known findings: " +
          "keysmith scan --write-baseline FILE, then scan with --baseline FILE.\n",
      );
    }
  }
  if (client) await report(io, client, result.findings);
  return failed ? EXIT.NEGATIVE : EXIT.OK;
}

function loadConfig(
  scanner: Scanner,
  root: string,
  file: string | undefined,
): ReturnType<Scanner["loadScanConfig"]> {
  try {
    return scanner.loadScanConfig(root, file);
  } catch (error) {
    throw new CliError(`scan configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function checkFlags(paths: string[], flags: ScanFlags): void {
  const mode = flags.staged ? "--staged" : flags.history ? "--history" : flags.stdin ? "--stdin" : null;
  if (mode && paths.length > 0) throw new CliError(`${mode} takes no paths`);
  if (flags.since && !flags.history) throw new CliError("--since goes with --history");
  if (flags.url && !flags.report) throw new CliError("--url goes with --report");
  if (flags.redact && flags.reveal) throw new CliError("--redact and --reveal exclude each other");
}

type Scanner = typeof import("@keysmith/scanner");

function readBaseline(scanner: Scanner, file: string): ReturnType<Scanner["readBaseline"]> {
  try {
    return scanner.readBaseline(file);
  } catch (error) {
    throw new CliError(`cannot read the baseline: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function requireRepo(top: string | null, flag: string): string {
  if (top === null) throw new CliError(`${flag} scans a git repository: run it inside one`);
  return top;
}

/**
 * What finding paths are relative to: the repository's top, so paths, baselines and SARIF
 * locations are the same from any directory in it; the current directory outside a repository;
 * for paths elsewhere, the repository (or directory) of the first one.
 */
async function scanRoot(cwd: string, top: string | null, inputs: readonly string[]): Promise<string> {
  if (top !== null && inputs.every((p) => isInside(top, p))) return top;
  if (inputs.every((p) => isInside(cwd, p))) return cwd;
  const first = inputs[0] as string;
  const dir = statSync(first, { throwIfNoEntry: false })?.isDirectory() ? first : dirname(first);
  return (await gitTopLevel(dir)) ?? dir;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The real path (git reports real paths), or the path as given when it does not exist. */
function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The top of the git work tree containing `dir`, or null outside one (or without git). */
export async function gitTopLevel(dir: string): Promise<string | null> {
  // Loaded here, not at the top: `--help` and the other commands never start a process.
  const { execFile } = await import("node:child_process");
  return new Promise((done) => {
    execFile("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" }, (error, stdout) =>
      done(error ? null : realpath(stdout.trim()) || null),
    );
  });
}

async function readStdin(io: Io): Promise<string> {
  const text = io.readAllStdin ? await io.readAllStdin() : await io.stdin();
  if (text === null) throw new CliError("--stdin: standard input is a terminal; pipe the text to scan");
  return text;
}

/** Sends the distinct keysmith keys found to `POST /v1/leaks` and prints the counts, never the keys. */
async function report(io: Io, client: ReturnType<typeof clientFor>, findings: readonly Finding[]) {
  const keys = [...new Set(findings.filter((f) => f.ruleId === REPORTED_RULE).map((f) => f.secret))];
  if (keys.length === 0) {
    io.stderr("No keysmith keys to report.\n");
    return;
  }
  const totals = { matched: 0, revoked: 0, flagged: 0, unknown: 0 };
  for (let i = 0; i < keys.length; i += REPORT_BATCH) {
    const answer = await client.post<typeof totals>("/v1/leaks", {
      keys: keys.slice(i, i + REPORT_BATCH),
      source: "keysmith scan",
    });
    totals.matched += answer.matched;
    totals.revoked += answer.revoked;
    totals.flagged += answer.flagged;
    totals.unknown += answer.unknown;
  }
  io.stderr(
    `Reported ${keys.length} keysmith ${plural(keys.length, "key")} to ${client.baseUrl}: ` +
      `${totals.revoked} revoked, ${totals.flagged} flagged, ` +
      `${totals.unknown} not acted on (no live key this root key may manage).\n`,
  );
}

/** A one-line progress display on stderr, drawn at most every 100 ms, only on a terminal. */
function progressLine(io: Io, enabled: boolean): { draw(text: string): void; clear(): void } {
  let last = 0;
  let drawn = false;
  return {
    draw(text) {
      if (!enabled || !io.stderrIsTTY) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      io.stderr(`\r\x1b[K${text}`);
    },
    clear() {
      if (drawn) io.stderr("\r\x1b[K");
    },
  };
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
