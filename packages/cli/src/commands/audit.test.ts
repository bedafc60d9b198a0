import { beforeEach, describe, expect, it } from "vitest";
import { cli, tempDir, useTempDir } from "../test-support/cli.js";
import { commitFile, fakeKey, initRepo, write } from "../test-support/git.js";

interface Report {
  dir: string;
  score: number;
  grade: string;
  passed: boolean;
  minScore: number;
  items: { id: string; status: string; weight: number; details: string[]; fix: string }[];
  findings: { workingTree: Record<string, unknown>[]; history: Record<string, unknown>[] };
}

const dir = useTempDir();
beforeEach(() => initRepo(dir.path));

const audit = (...args: string[]) => cli(["audit", ...args], { cwd: dir.path });
const status = (report: Report) => Object.fromEntries(report.items.map((i) => [i.id, i.status]));

describe("keysmith audit", () => {
  it("scores a project with every usual mistake, a fix per failed check, secrets masked", async () => {
    const key = fakeKey();
    commitFile(dir.path, "src/config.ts", `export const key = "${key}";\n`, "add config");
    commitFile(dir.path, "src/config.ts", "export const key = process.env.KEY;\n", "use the env");
    commitFile(dir.path, ".env", "DATABASE_URL=postgres://localhost/app\n", "oops");
    write(dir.path, ".env.local", "DEBUG=1\n");
    write(dir.path, "scripts/seed.ts", `const admin = "${fakeKey()}";\n`);

    const result = await audit("--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(status(report)).toEqual({
      "working-tree-secrets": "fail",
      "env-not-ignored": "fail",
      "env-tracked": "fail",
      "history-secrets": "fail",
      "pre-commit-hook": "fail",
    });
    expect(report).toMatchObject({ score: 0, grade: "F", passed: false, minScore: 100 });
    expect(report.items.every((i) => i.fix.length > 20)).toBe(true);
    expect(report.items.find((i) => i.id === "env-tracked")?.details).toEqual([".env"]);
    expect(report.findings.history[0]).toMatchObject({
      file: "src/config.ts",
      ruleId: "keysmith-secret-key",
    });
    expect(report.findings.history[0]).not.toHaveProperty("secret");
    expect(result.stdout).not.toContain(key);

    const text = await audit();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^keysmith audit of .+: 0\/100 \(F\)\n/);
    expect(text.stdout).toContain("FAIL  No secrets in git history");
    expect(text.stdout).toContain("fix: Run `keysmith hook install`");
    expect(text.stdout).toContain("Audit failed (a check failed)");
    expect(text.stdout).not.toContain(key);
  });

  it("passes a tidy project with the hook installed, exit 0", async () => {
    commitFile(dir.path, ".gitignore", ".env*\n!.env.example\n", "ignore env files");
    commitFile(dir.path, ".env.example", "API_KEY=\n", "template");
    write(dir.path, ".env", `API_KEY=${fakeKey()}\n`);
    expect((await cli(["hook", "install"], { cwd: dir.path })).code).toBe(0);

    const result = await audit("--json");
    const report = JSON.parse(result.stdout) as Report;
    expect(Object.values(status(report)).every((s) => s === "pass")).toBe(true);
    expect(report).toMatchObject({ score: 100, grade: "A", passed: true });
    expect(result.code).toBe(0);
    expect((await audit()).stdout).toMatch(/: 100\/100 \(A\)\n/);
  });

  it("skips history with --no-history, audits a directory argument, and takes --min-score", async () => {
    commitFile(dir.path, "app/.gitignore", ".env\n", "ignore");
    const outside = tempDir();
    try {
      // Outside git only the working-tree and .gitignore checks apply; the others are skipped.
      write(outside.path, "main.py", "print('hi')\n");
      const plain = await cli(["audit", outside.path, "--json"], { cwd: dir.path });
      const report = JSON.parse(plain.stdout) as Report;
      expect(status(report)).toMatchObject({ "history-secrets": "skip", "pre-commit-hook": "skip" });
      expect(report.score).toBe(100);
      expect(plain.code).toBe(0);
    } finally {
      outside.remove();
    }

    const noHistory = JSON.parse((await audit("--no-history", "--json")).stdout) as Report;
    expect(noHistory.items.find((i) => i.id === "history-secrets")).toMatchObject({
      status: "skip",
      details: ["history scan turned off"],
    });
    // Only the hook is missing: 65 of the 80 points that apply.
    expect(noHistory.score).toBe(Math.round((65 / 80) * 100));
    expect((await audit("--no-history", "--min-score", "80")).code).toBe(0);
    expect((await audit("--no-history", "--min-score", "90")).code).toBe(1);
    const bad = await audit("--min-score", "101");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a whole number from 0 to 100");
  });
});
