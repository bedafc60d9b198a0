import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditProject, formatAudit } from "./audit.js";
import { installHook } from "./hook.js";
import { commit, githubToken, initRepo, keysmithKey, tempDir, write } from "./test-support/repo.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const statuses = (report: Awaited<ReturnType<typeof auditProject>>): Record<string, string> =>
  Object.fromEntries(report.items.map((i) => [i.id, i.status]));

describe("auditProject", () => {
  it("fails each check a careless project fails, with a fix per item and masked details", async () => {
    initRepo(dir);
    const key = keysmithKey();
    commit(dir, ".env", `KEYSMITH_KEY=${key}\n`, "add env");
    commit(dir, ".env", "KEYSMITH_KEY=\n", "empty env");
    write(dir, ".env.local", "DEBUG=1\n");
    write(dir, ".env.example", "KEYSMITH_KEY=\n");
    write(dir, "src/app.ts", `const t = "${githubToken()}";\n`);
    const report = await auditProject(dir);
    expect(statuses(report)).toEqual({
      "working-tree-secrets": "fail",
      "env-not-ignored": "fail",
      "env-tracked": "fail",
      "history-secrets": "fail",
      "pre-commit-hook": "fail",
    });
    expect(report.score).toBe(0);
    expect(report.grade).toBe("F");
    expect(report.items.find((i) => i.id === "env-not-ignored")?.details.sort()).toEqual([
      ".env",
      ".env.local",
    ]);
    expect(report.items.find((i) => i.id === "env-tracked")?.details).toEqual([".env"]);
    expect(report.items.find((i) => i.id === "history-secrets")?.details[0]).toMatch(
      /^\.env:1 keysmith secret key .*\(commit [0-9a-f]{12}\)$/,
    );
    for (const item of report.items) expect(item.fix).toBeTruthy();
    const text = formatAudit(report);
    expect(text).toContain("0/100 (F)");
    expect(text).not.toContain(key);
  });

  it("passes a careful project", async () => {
    initRepo(dir);
    commit(dir, ".gitignore", ".env*\n!.env.example\n", "ignore env");
    write(dir, ".env", `KEYSMITH_KEY=${keysmithKey()}\n`);
    commit(dir, "src/app.ts", "const key = process.env.KEYSMITH_KEY;\n", "app");
    await installHook(dir, { command: "true" });
    const report = await auditProject(dir);
    expect(statuses(report)).toEqual({
      "working-tree-secrets": "pass",
      "env-not-ignored": "pass",
      "env-tracked": "pass",
      "history-secrets": "pass",
      "pre-commit-hook": "pass",
    });
    expect(report.score).toBe(100);
    expect(report.grade).toBe("A");
  });

  it("skips the git checks outside a repository and scores what applies", async () => {
    write(dir, "config.json", '{ "ok": true }\n');
    const report = await auditProject(dir);
    expect(statuses(report)).toMatchObject({
      "env-tracked": "skip",
      "history-secrets": "skip",
      "pre-commit-hook": "skip",
    });
    expect(report.score).toBe(100);
  });
});

describe("auditProject with a scan configuration", () => {
  it("leaves out what the project's .gitleaksignore and allowlists leave out", async () => {
    write(dir, "src/a.ts", `export const t = "${githubToken()}";\n`);
    const before = await auditProject(dir, { history: false });
    expect(before.findings.workingTree).toHaveLength(1);
    write(dir, ".gitleaksignore", "src/a.ts:github-token:1\n");
    const after = await auditProject(dir, { history: false });
    expect(after.findings.workingTree).toEqual([]);
    expect(after.items.find((i) => i.id === "working-tree-secrets")?.status).toBe("pass");
  });
});
