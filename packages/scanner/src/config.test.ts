import { describe, expect, it } from "vitest";
import { applyAllowlist, loadScanConfig, ScanConfigError, translateGoRegex } from "./config.js";
import { createEngine } from "./engine.js";
import { run } from "./linear-probe.js";
import { githubToken, tempDir, write } from "./test-support/repo.js";

const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    for (const [path, content] of Object.entries(files)) write(dir, path, content);
    body(dir);
  } finally {
    cleanup();
  }
}

function scan(dir: string, text: string, file = "app.ts") {
  const config = loadScanConfig(dir);
  const findings = createEngine(config?.rules).scan(Buffer.from(text), file);
  return applyAllowlist(findings, config);
}

describe("scan configuration", () => {
  it("returns null without any config file", () => {
    withDir({}, (dir) => expect(loadScanConfig(dir)).toBeNull());
  });

  it("adds a custom rule from .keysmith/scan.toml beside the built-in ones", () => {
    const token = `itk_${run(B62, 40)}`;
    const toml = `
[[rules]]
id = "acme-internal-token"
description = "ACME internal service token"
regex = '''itk_[A-Za-z0-9]{32,64}'''
keywords = ["itk_"]
entropy = 3.5
`;
    withDir({ ".keysmith/scan.toml": toml }, (dir) => {
      const config = loadScanConfig(dir);
      expect(config?.rules.some((r) => r.id === "aws-access-key-id")).toBe(true);
      const found = scan(dir, `const t = "${token}";\nconst low = "itk_${"a".repeat(40)}";\n`);
      expect(found.map((f) => [f.ruleId, f.line, f.column])).toEqual([["acme-internal-token", 1, 12]]);
    });
  });

  it("reads a .gitleaks.toml: Go syntax, secretGroup, keywords, allowlist paths / regexes / stopwords", () => {
    const secret = run(B62, 32);
    const toml = `
title = "custom"
[extend]
useDefault = true

[[rules]]
id = "corp-api"
regex = '''(?i)corp_api_key\\s{0,4}=\\s{0,4}"(?P<value>[a-z0-9]{32})"'''
secretGroup = 1
keywords = ["corp_api_key"]

[allowlist]
paths = ['''(^|/)fixtures/''']
regexes = ['''^0{8}''']
stopwords = ["notreal"]
`;
    withDir({ ".gitleaks.toml": toml }, (dir) => {
      const line = `CORP_API_KEY = "${secret}"\n`;
      const found = scan(dir, line);
      expect(found.map((f) => [f.ruleId, f.column, f.secret])).toEqual([["corp-api", 17, secret]]);
      expect(scan(dir, line, "test/fixtures/app.ts")).toEqual([]);
      expect(scan(dir, `corp_api_key = "00000000${secret.slice(8)}"\n`)).toEqual([]);
      expect(scan(dir, `corp_api_key = "notreal${secret.slice(7)}"\n`)).toEqual([]);
    });
  });

  it("a .gitleaks.toml with rules and no [extend] replaces the built-in rules, as in gitleaks", () => {
    const toml = `[[rules]]\nid = "only"\nregex = '''only_[a-z]{8}'''\nkeywords = ["only_"]\n`;
    withDir({ ".gitleaks.toml": toml }, (dir) => {
      expect(loadScanConfig(dir)?.rules.map((r) => r.id)).toEqual(["only"]);
    });
  });

  it("honours .gitleaksignore entries (file:rule:line, with or without a commit) and fingerprints", () => {
    const token = githubToken();
    const text = `// a\nconst t = "${token}";\n`;
    const other = createEngine().scan(Buffer.from(text), "src/c.ts")[0]?.fingerprint;
    const ignore = `# known\nsrc/a.ts:github-token:2\n0123abcd:src/b.ts:github-token:2\n${other}\n`;
    withDir({ ".gitleaksignore": ignore }, (dir) => {
      const lines = (file: string) => scan(dir, text, file).map((f) => `${f.file}:${f.line}`);
      expect(lines("src/a.ts")).toEqual([]);
      expect(lines("src/b.ts")).toEqual([]);
      expect(lines("src/c.ts")).toEqual([]);
      expect(lines("src/d.ts")).toEqual(["src/d.ts:2"]);
    });
  });

  it("honours an inline gitleaks:allow like keysmith:allow", () => {
    const engine = createEngine();
    const key = `AKIA${run("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
    expect(engine.scan(Buffer.from(`id = ${key}\n`), "a.tf")).toHaveLength(1);
    expect(engine.scan(Buffer.from(`id = ${key} # gitleaks:allow\n`), "a.tf")).toEqual([]);
  });

  it("refuses a user regex that backtracks: nested unbounded repetition, or quadratic on a long line", () => {
    const nested = `[[rules]]\nid = "bad-nested"\nregex = '''(a+)+b'''\nkeywords = ["a"]\n`;
    withDir({ ".keysmith/scan.toml": nested }, (dir) => {
      expect(() => loadScanConfig(dir)).toThrow(ScanConfigError);
      expect(() => loadScanConfig(dir)).toThrow(/rule "bad-nested".*repeats a repeated group/);
    });
    const quadratic = `[[rules]]\nid = "bad-quadratic"\nregex = '''[\\w.-]*secret[\\w.-]*=\\s*"([a-z0-9]{16,})"'''\nkeywords = ["secret"]\n`;
    withDir({ ".keysmith/scan.toml": quadratic }, (dir) => {
      expect(() => loadScanConfig(dir)).toThrow(/rule "bad-quadratic": its regex ran past/);
    });
  });

  it("names the file and rule for an invalid regex or a missing field", () => {
    withDir({ ".keysmith/scan.toml": `[[rules]]\nid = "broken"\nregex = '''([a-z'''\n` }, (dir) => {
      expect(() => loadScanConfig(dir)).toThrow(/scan\.toml: rule "broken": invalid regex/);
    });
    withDir({ ".keysmith/scan.toml": `[[rules]]\nregex = '''x'''\n` }, (dir) => {
      expect(() => loadScanConfig(dir)).toThrow(/rules\[0\]: id must be/);
    });
  });

  it("translates Go regex syntax", () => {
    expect(translateGoRegex("(?i)(?P<k>[[:alnum:]]{4})\\z")).toEqual({
      source: "(?<k>[A-Za-z0-9]{4})$",
      flags: "i",
    });
  });
});
