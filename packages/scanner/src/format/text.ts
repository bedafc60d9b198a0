import type { Finding, Severity } from "../types.js";

export interface TextFormatOptions {
  /** ANSI colours (only when asked: the CLI decides from the terminal and NO_COLOR). */
  color?: boolean;
  /** Print raw secrets instead of masked ones. */
  reveal?: boolean;
  /** Files scanned, for the summary line. */
  scanned?: number;
}

const COLORS: Record<Severity | "dim" | "bold", [string, string]> = {
  error: ["\x1b[31m", "\x1b[39m"],
  warning: ["\x1b[33m", "\x1b[39m"],
  info: ["\x1b[36m", "\x1b[39m"],
  dim: ["\x1b[2m", "\x1b[22m"],
  bold: ["\x1b[1m", "\x1b[22m"],
};

/**
 * Human-readable findings grouped by file, secrets masked unless `reveal`, then a summary line.
 *
 * @example process.stdout.write(formatText(result.findings, { color: process.stdout.isTTY }))
 */
export function formatText(findings: readonly Finding[], options: TextFormatOptions = {}): string {
  const paint = (style: keyof typeof COLORS, text: string): string => {
    if (!options.color) return text;
    const [open, close] = COLORS[style];
    return `${open}${text}${close}`;
  };
  if (findings.length === 0) {
    const scanned =
      options.scanned === undefined ? "" : ` (${options.scanned} ${plural(options.scanned, "file")} scanned)`;
    return `No secrets found${scanned}.\n`;
  }
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(paint("bold", file));
    for (const f of list) {
      const where = paint("dim", `${f.line}:${f.column}`.padEnd(9));
      const severity = paint(f.severity, f.severity.padEnd(7));
      const value = options.reveal ? f.secret : f.masked;
      const commit = f.commit
        ? paint(
            "dim",
            `  commit ${f.commit.slice(0, 12)}${f.author ? ` by ${f.author}` : ""}${f.date ? ` on ${f.date.slice(0, 10)}` : ""}`,
          )
        : "";
      lines.push(`  ${where} ${severity} ${f.title}  ${value}  ${paint("dim", f.ruleId)}${commit}`);
    }
    lines.push("");
  }
  const counts = (["error", "warning", "info"] as const)
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => paint(s, `${n} ${plural(n, s)}`));
  const note = options.reveal ? "" : " Secrets are masked; --reveal shows them.";
  lines.push(
    `${findings.length} ${plural(findings.length, "secret")} found (${counts.join(", ")}) in ${byFile.size} ${plural(byFile.size, "file")}.${note}`,
  );
  lines.push(
    `Suppress a false positive with a "keysmith:allow" comment on its line, or record known ones with a baseline.`,
  );
  return `${lines.join("\n")}\n`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
