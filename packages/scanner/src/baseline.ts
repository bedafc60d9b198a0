import { readFileSync, writeFileSync } from "node:fs";
import type { Finding } from "./types.js";

/** One known finding: enough to recognise it again and to review it, never the secret itself. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  path: string;
  line: number;
}

export interface Baseline {
  version: 1;
  findings: BaselineEntry[];
}

/**
 * Writes the findings' fingerprints (sha256 of rule + secret + path), rule ids, paths and lines
 * to `file` as JSON, so later scans with that baseline report only new secrets. The secrets
 * themselves are not written.
 *
 * @example writeBaseline(result.findings, ".keysmith-baseline.json")
 */
export function writeBaseline(findings: readonly Finding[], file: string): Baseline {
  const baseline = toBaseline(findings);
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

/** The baseline for some findings, without writing it. */
export function toBaseline(findings: readonly Finding[]): Baseline {
  const entries = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (!entries.has(f.fingerprint)) {
      entries.set(f.fingerprint, {
        fingerprint: f.fingerprint,
        ruleId: f.ruleId,
        path: f.file,
        line: f.line,
      });
    }
  }
  const sorted = [...entries.values()].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return { version: 1, findings: sorted };
}

/**
 * Reads a baseline file. Throws with a one-line reason when the file is not a keysmith baseline.
 *
 * @example applyBaseline(findings, readBaseline(".keysmith-baseline.json"))
 */
export function readBaseline(file: string): Baseline {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    !("findings" in parsed) ||
    !Array.isArray(parsed.findings) ||
    !parsed.findings.every(
      (e: unknown) =>
        typeof e === "object" && e !== null && "fingerprint" in e && typeof e.fingerprint === "string",
    )
  ) {
    throw new Error(`${file} is not a keysmith baseline (expected { "findings": [{ "fingerprint": … }] })`);
  }
  return { version: 1, findings: parsed.findings as BaselineEntry[] };
}

/** The findings whose fingerprint is not in the baseline. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): Finding[] {
  const known = new Set(baseline.findings.map((e) => e.fingerprint));
  return findings.filter((f) => !known.has(f.fingerprint));
}
