import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT } from "../io.js";

interface AuditFlags {
  json?: boolean;
  history: boolean;
  minScore: number;
}

/**
 * `keysmith audit [dir]`: a project's leak hygiene, scored. Exit 1 when the score is below
 * `--min-score` (default 100, i.e. any failed check), 0 otherwise, 2 when it could not run.
 */
export function auditCommand(program: Command, { io, act }: Context): void {
  program
    .command("audit")
    .description("check a project for leaked secrets and the usual mistakes; a scored report with fixes")
    .argument("[dir]", "the project directory (default: the current directory)")
    .option("--json", "print the report as JSON (secrets masked)")
    .option("--no-history", "skip the scan of every commit (faster on a long history)")
    .option(
      "--min-score <n>",
      "exit 1 below this score, 0-100 (default 100: any failed check)",
      minScore,
      100,
    )
    .addHelpText(
      "after",
      `
Checks: secrets in the working tree (30 points), secrets in git history (20), .env files tracked
by git (20), .env files not covered by .gitignore (15), no pre-commit secret scan (15). The score
is the passed checks' points over the points of the checks that applied (outside a git repository
only the first and the fourth apply).

Exit codes: 0 the score is at least --min-score, 1 below it, 2 the audit could not run.`,
    )
    .action(
      act(async (dir: string | undefined, flags: AuditFlags) => {
        const { auditProject, formatAudit, printableFindings } = await import("@keysmith/scanner");
        const target = resolve(io.cwd ?? ".", dir ?? ".");
        const report = await auditProject(target, { history: flags.history }).catch((error: unknown) => {
          throw new CliError(`audit failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        const passed = report.score >= flags.minScore;
        if (flags.json) {
          // The findings carry raw secrets: printed without them, like `scan --format json`.
          const findings = {
            workingTree: printableFindings(report.findings.workingTree),
            history: printableFindings(report.findings.history),
          };
          io.stdout(json({ ...report, findings, minScore: flags.minScore, passed }));
        } else {
          io.stdout(formatAudit(report));
          if (!passed) {
            const below = flags.minScore === 100 ? "a check failed" : `below --min-score ${flags.minScore}`;
            io.stdout(`\nAudit failed (${below}): apply the fixes above, then run keysmith audit again.\n`);
          }
        }
        return passed ? EXIT.OK : EXIT.NEGATIVE;
      }),
    );
}

function minScore(value: string): number {
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || parsed > 100) {
    throw new InvalidArgumentError("expected a whole number from 0 to 100.");
  }
  return parsed;
}
