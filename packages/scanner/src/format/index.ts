import type { Finding } from "../types.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";

export type OutputFormat = "text" | "json" | "sarif";

export interface FormatOptions {
  reveal?: boolean;
  color?: boolean;
  scanned?: number;
}

/**
 * Renders findings in one of the output formats. Secrets are masked unless `reveal`.
 *
 * @example process.stdout.write(formatFindings(result.findings, "sarif"))
 */
export function formatFindings(
  findings: readonly Finding[],
  format: OutputFormat,
  options: FormatOptions = {},
): string {
  switch (format) {
    case "json":
      return formatJson(findings, options);
    case "sarif":
      return formatSarif(findings, options);
    default:
      return formatText(findings, options);
  }
}
