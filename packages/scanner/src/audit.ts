import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { applyAllowlist, loadScanConfig, type ScanConfig } from "./config.js";
import { git } from "./git.js";
import { isHookInstalled } from "./hook.js";
import { scanHistory } from "./scan-git.js";
import { scanPaths } from "./scan-paths.js";
import type { Finding } from "./types.js";
import { collectFiles, findGitTop } from "./walk.js";

export type AuditCheckId =
  | "working-tree-secrets"
  | "env-not-ignored"
  | "env-tracked"
  | "history-secrets"
  | "pre-commit-hook";

export interface AuditItem {
  id: AuditCheckId | (string & {});
  title: string;
  status: "pass" | "fail" | "skip";
  /** Points this check is worth out of 100 (when every check applies). */
  weight: number;
  /** What was found (secrets masked), or why the check was skipped. */
  details: string[];
  /** What to do about a failure. */
  fix: string;
}

export interface AuditReport {
  dir: string;
  /** 0–100: the weight of passed checks over the weight of checks that applied. */
  score: number;
  grade: "A" | "B" | "C" | "D" | "F";
  items: AuditItem[];
  /** The findings behind the secrets checks (raw secrets inside: mask before printing). */
  findings: { workingTree: Finding[]; history: Finding[] };
}

export interface AuditOptions {
  /** Scan every commit too (default true); slow on very large histories. */
  history?: boolean;
  /** Rules and allowlists; default: the project's own (`loadScanConfig`), null for none. */
  config?: ScanConfig | null;
}

const WEIGHTS: Record<AuditCheckId, number> = {
  "working-tree-secrets": 30,
  "history-secrets": 20,
  "env-tracked": 20,
  "env-not-ignored": 15,
  "pre-commit-hook": 15,
};
const MAX_DETAILS = 20;
/** `.env`, `.env.local`, `.env.production`…, but not the templates meant to be committed. */
const ENV_FILE = /^\.env(?:\..+)?$/;
const ENV_TEMPLATE = /\.(?:example|sample|template|dist|defaults?)$/;

/**
 * Checks a project the way a security review would: secrets in the working tree, `.env*` files
 * not covered by .gitignore, `.env*` files tracked by git, secrets anywhere in history, and no
 * pre-commit secret scan. Returns a scored report with a fix for each failed check; it never
 * throws for a project's state (a check that cannot run is `skip`ped with the reason).
 *
 * @example
 * const report = await auditProject(".");
 * console.log(report.score, report.items.filter((i) => i.status === "fail").map((i) => i.fix));
 */
export async function auditProject(dir: string, options: AuditOptions = {}): Promise<AuditReport> {
  const root = resolve(dir);
  const top = findGitTop(root);
  const items: AuditItem[] = [];
  const findings: AuditReport["findings"] = { workingTree: [], history: [] };

  // The project's own rules and allowlists (.keysmith/scan.toml, .gitleaks.toml, .gitleaksignore).
  let config = options.config;
  if (config === undefined) {
    try {
      config = loadScanConfig(top ?? root);
    } catch {
      config = null; // An invalid configuration is `keysmith scan`'s to report.
    }
  }
  const rules = config?.customRules ? { rules: config.rules } : {};
  const tree = await scanPaths(["."], { root, ...rules });
  findings.workingTree = applyAllowlist(tree.findings, config);
  const treeSecrets = findings.workingTree.filter((f) => f.severity !== "info");
  items.push(
    item(
      "working-tree-secrets",
      "No secrets in the working tree",
      treeSecrets.length === 0,
      describe(treeSecrets),
      {
        fix: "Move each secret out of the code (environment variables or a secret manager) and rotate it: it may already have been copied. Mark test fixtures with a keysmith:allow comment.",
      },
    ),
  );

  const envFiles = collectFiles(["."], { root, gitignore: false }).filter((f) => isEnvFile(f.rel));
  const visible = new Set(collectFiles(["."], { root }).map((f) => f.rel));
  const unignored = envFiles.filter((f) => visible.has(f.rel)).map((f) => f.rel);
  items.push(
    item("env-not-ignored", ".env files are covered by .gitignore", unignored.length === 0, unignored, {
      fix: "Add `.env*` to .gitignore (with `!.env.example` to keep a template), so a stray `git add .` cannot commit them.",
    }),
  );

  if (top === null) {
    const reason = ["not a git repository"];
    items.push(skip("env-tracked", "No .env files tracked by git", reason));
    items.push(skip("history-secrets", "No secrets in git history", reason));
    items.push(skip("pre-commit-hook", "A pre-commit secret scan is installed", reason));
  } else {
    const tracked = (await git(["ls-files", "-z"], root)).split("\0").filter((p) => p && isEnvFile(p));
    items.push(
      item("env-tracked", "No .env files tracked by git", tracked.length === 0, tracked, {
        fix: "Stop tracking them (`git rm --cached <file>`, commit), add them to .gitignore, and rotate every value they held: they stay in history.",
      }),
    );
    if (options.history ?? true) {
      try {
        const history = await scanHistory(root, rules);
        findings.history = applyAllowlist(history.findings, config);
        const secrets = findings.history.filter((f) => f.severity !== "info");
        items.push(
          item("history-secrets", "No secrets in git history", secrets.length === 0, describe(secrets), {
            fix: "Rotate every secret listed: deleting it in a later commit does not un-leak it. Rewrite history (git filter-repo) only if you must, and record accepted findings in a baseline.",
          }),
        );
      } catch (error) {
        items.push(skip("history-secrets", "No secrets in git history", [errorText(error)]));
      }
    } else {
      items.push(skip("history-secrets", "No secrets in git history", ["history scan turned off"]));
    }
    const hook = await hasSecretScanHook(top);
    items.push(
      item(
        "pre-commit-hook",
        "A pre-commit secret scan is installed",
        hook,
        hook ? [] : ["no keysmith pre-commit hook"],
        {
          fix: "Run `keysmith hook install` (or add the keysmith hook to .pre-commit-config.yaml) so commits that add secrets are blocked.",
        },
      ),
    );
  }
  return { dir: root, ...scoreAudit(items), items, findings };
}

/** Score and grade for a list of checks (the CLI may add its own, e.g. key rotation). */
export function scoreAudit(items: readonly AuditItem[]): Pick<AuditReport, "score" | "grade"> {
  const applicable = items.filter((i) => i.status !== "skip");
  const total = applicable.reduce((sum, i) => sum + i.weight, 0);
  const passed = applicable.filter((i) => i.status === "pass").reduce((sum, i) => sum + i.weight, 0);
  const score = total === 0 ? 100 : Math.round((passed / total) * 100);
  const grade = score >= 90 ? "A" : score >= 75 ? "B" : score >= 60 ? "C" : score >= 40 ? "D" : "F";
  return { score, grade };
}

/**
 * The report as text: one line per check, details and fixes under the failed ones.
 *
 * @example process.stdout.write(formatAudit(await auditProject(".")))
 */
export function formatAudit(report: AuditReport): string {
  const lines = [`keysmith audit of ${report.dir}: ${report.score}/100 (${report.grade})`, ""];
  for (const i of report.items) {
    const mark = i.status === "pass" ? "PASS" : i.status === "fail" ? "FAIL" : "SKIP";
    lines.push(`${mark}  ${i.title}${i.status === "skip" ? ` (${i.details.join("; ")})` : ""}`);
    if (i.status === "fail") {
      for (const d of i.details) lines.push(`        ${d}`);
      lines.push(`      fix: ${i.fix}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function isEnvFile(path: string): boolean {
  const name = basename(path);
  return ENV_FILE.test(name) && !ENV_TEMPLATE.test(name);
}

async function hasSecretScanHook(top: string): Promise<boolean> {
  if (await isHookInstalled(top).catch(() => false)) return true;
  for (const config of [".pre-commit-config.yaml", ".husky/pre-commit", "lefthook.yml", ".lefthook.yml"]) {
    try {
      if (readFileSync(join(top, config), "utf8").includes("keysmith")) return true;
    } catch {
      // Not there.
    }
  }
  return false;
}

function describe(findings: readonly Finding[]): string[] {
  const lines = findings
    .slice(0, MAX_DETAILS)
    .map(
      (f) =>
        `${f.file}:${f.line} ${f.title} ${f.masked}${f.commit ? ` (commit ${f.commit.slice(0, 12)})` : ""}`,
    );
  if (findings.length > MAX_DETAILS) lines.push(`… and ${findings.length - MAX_DETAILS} more`);
  return lines;
}

function item(
  id: AuditCheckId,
  title: string,
  passed: boolean,
  details: string[],
  text: { fix: string },
): AuditItem {
  return {
    id,
    title,
    status: passed ? "pass" : "fail",
    weight: WEIGHTS[id],
    details: passed ? [] : details,
    fix: text.fix,
  };
}

function skip(id: AuditCheckId, title: string, reasons: string[]): AuditItem {
  return { id, title, status: "skip", weight: WEIGHTS[id], details: reasons, fix: "" };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
