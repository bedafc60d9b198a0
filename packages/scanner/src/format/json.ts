import type { Finding } from "../types.js";

export interface JsonFormatOptions {
  /** Include each raw secret as `secret`. */
  reveal?: boolean;
  scanned?: number;
}

/** A finding as printed: `secret` only when revealing. */
export type PrintedFinding = Omit<Finding, "secret"> & { secret?: string };

/** The findings without their raw secrets (unless `reveal`), e.g. for `--format json`. */
export function printableFindings(findings: readonly Finding[], reveal = false): PrintedFinding[] {
  return findings.map(({ secret, ...rest }) => (reveal ? { ...rest, secret } : rest));
}

/**
 * `{ version, findings, summary }` as JSON; secrets masked unless `reveal`.
 *
 * @example JSON.parse(formatJson(findings)).findings[0].masked
 */
export function formatJson(findings: readonly Finding[], options: JsonFormatOptions = {}): string {
  const summary = {
    findings: findings.length,
    error: findings.filter((f) => f.severity === "error").length,
    warning: findings.filter((f) => f.severity === "warning").length,
    info: findings.filter((f) => f.severity === "info").length,
    ...(options.scanned === undefined ? {} : { scanned: options.scanned }),
  };
  return `${JSON.stringify({ version: 1, findings: printableFindings(findings, options.reveal), summary }, null, 2)}\n`;
}
