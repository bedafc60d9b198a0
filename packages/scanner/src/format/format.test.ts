import { describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import { builtinRules } from "../rules/index.js";
import { githubToken, keysmithKey } from "../test-support/repo.js";
import type { Finding } from "../types.js";
import { formatFindings } from "./index.js";

const key = keysmithKey();
const token = githubToken();
const engine = createEngine();
const findings: Finding[] = [
  ...engine.scan(Buffer.from(`const k = "${key}";\n`), "src/config file.ts"),
  ...engine
    .scan(Buffer.from(`\n\n  gh: ${token}\n`), "ci/deploy.yml")
    .map((f) => ({ ...f, commit: "a".repeat(40), author: "A <a@x>", date: "2024-05-06T00:00:00Z" })),
];

describe("formatters", () => {
  it("never print a raw secret unless asked to reveal", () => {
    for (const format of ["text", "json", "sarif"] as const) {
      const masked = formatFindings(findings, format);
      expect(masked, format).not.toContain(key);
      expect(masked, format).not.toContain(token);
      expect(masked, format).toContain(findings[0]?.masked);
      const revealed = formatFindings(findings, format, { reveal: true });
      expect(revealed, format).toContain(key);
    }
  });

  it("text groups by file, colours only when asked, and says when nothing was found", () => {
    const plain = formatFindings(findings, "text");
    expect(plain).toMatch(/^ci\/deploy\.yml\n {2}3:7 +error +GitHub token/m);
    expect(plain).toContain("commit aaaaaaaaaaaa by A <a@x> on 2024-05-06");
    expect(plain).toContain("2 secrets found (2 errors) in 2 files.");
    expect(plain).not.toContain("\x1b[");
    expect(formatFindings(findings, "text", { color: true })).toContain("\x1b[31m");
    expect(formatFindings([], "text", { scanned: 3 })).toBe("No secrets found (3 files scanned).\n");
  });

  it("json lists findings without the secret field and a summary", () => {
    const parsed = JSON.parse(formatFindings(findings, "json", { scanned: 2 }));
    expect(parsed.summary).toEqual({ findings: 2, error: 2, warning: 0, info: 0, scanned: 2 });
    expect(parsed.findings[0]).not.toHaveProperty("secret");
    expect(parsed.findings[0]).toMatchObject({
      ruleId: "keysmith-secret-key",
      file: "src/config file.ts",
      line: 1,
      column: 12,
    });
  });

  it("sarif is a valid 2.1.0 log for GitHub code scanning", () => {
    const log = JSON.parse(formatFindings(findings, "sarif"));
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe("keysmith");
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toEqual(builtinRules.map((r) => r.id));
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text).toBeTruthy();
      expect(["error", "warning", "note"]).toContain(rule.defaultConfiguration.level);
      expect(rule.properties["security-severity"]).toMatch(/^\d+\.\d$/);
    }
    expect(run.results).toHaveLength(2);
    for (const result of run.results) {
      expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
      expect(["error", "warning", "note"]).toContain(result.level);
      expect(result.message.text).toBeTruthy();
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      expect(artifactLocation.uri).not.toMatch(/^\/|^file:/);
      expect(Number.isInteger(region.startLine) && region.startLine >= 1).toBe(true);
      expect(Number.isInteger(region.startColumn) && region.startColumn >= 1).toBe(true);
      expect(result.partialFingerprints["keysmith/v1"]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("src/config%20file.ts");
    expect(run.results[1].locations[0].physicalLocation.region).toEqual({
      startLine: 3,
      startColumn: 7,
      endLine: 3,
      endColumn: 47,
    });
  });
});
