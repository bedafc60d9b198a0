import { builtinRules } from "../rules/index.js";
import type { Finding, Rule, Severity } from "../types.js";

export interface SarifFormatOptions {
  /** Put raw secrets in result messages (not recommended: SARIF files get uploaded). */
  reveal?: boolean;
  /** Rules to describe in `tool.driver.rules`; default the built-in ones. */
  rules?: readonly Rule[];
  toolVersion?: string;
}

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};
// GitHub code scanning maps `security-severity` to critical/high/medium/low.
const SECURITY_SEVERITY: Record<Severity, string> = { error: "8.5", warning: "5.5", info: "2.0" };

/**
 * SARIF 2.1.0 that GitHub code scanning accepts (`github/codeql-action/upload-sarif`): one run,
 * `tool.driver.rules` with descriptions and levels, and per finding a result with `ruleId`,
 * `level`, a message with the masked secret, a physical location (repository-relative URI,
 * 1-based line and column) and `partialFingerprints` so alerts survive line moves.
 *
 * @example writeFileSync("keysmith.sarif", formatSarif(result.findings))
 */
export function formatSarif(findings: readonly Finding[], options: SarifFormatOptions = {}): string {
  const rules = [...(options.rules ?? builtinRules)];
  for (const f of findings) {
    if (!rules.some((r) => r.id === f.ruleId)) {
      rules.push({
        id: f.ruleId,
        title: f.title,
        severity: f.severity,
        description: f.title,
        keywords: [],
        regex: /$^/g,
      });
    }
  }
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "keysmith",
            semanticVersion: options.toolVersion ?? "0.1.0",
            rules: rules.map((r) => ({
              id: r.id,
              name: pascalCase(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: {
                text: `${r.description} Suppress a false positive with a keysmith:allow comment on the line.`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ["security", "secret"],
                precision: r.generic ? "medium" : "high",
                "security-severity": SECURITY_SEVERITY[r.severity],
              },
            })),
          },
        },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId) ?? 0,
          level: LEVEL[f.severity],
          message: { text: message(f, options.reveal ?? false) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(f.file), uriBaseId: "%SRCROOT%" },
                region: region(f),
              },
            },
          ],
          partialFingerprints: { "keysmith/v1": f.fingerprint },
          ...(f.commit ? { properties: { commit: f.commit, author: f.author, date: f.date } } : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function message(f: Finding, reveal: boolean): string {
  const value = reveal ? f.secret : f.masked;
  const commit = f.commit ? ` First added in commit ${f.commit}.` : "";
  return `${f.title} found: ${value}.${commit}`;
}

function region(f: Finding): Record<string, number> {
  const multiLine = f.secret.includes("\n");
  return multiLine
    ? { startLine: f.line, startColumn: f.column }
    : { startLine: f.line, startColumn: f.column, endLine: f.line, endColumn: f.column + f.secret.length };
}

/** A relative path as a URI reference: `/` separators, each segment percent-encoded. */
function toUri(path: string): string {
  return path
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}
