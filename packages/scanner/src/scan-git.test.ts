import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanHistory, scanStaged, scanText } from "./scan-git.js";
import { commit, githubToken, gitIn, initRepo, keysmithKey, tempDir, write } from "./test-support/repo.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  initRepo(dir);
});
afterEach(() => cleanup());

describe("scanHistory", () => {
  it("finds a key committed then removed, once, with the commit that introduced it", async () => {
    const key = keysmithKey();
    commit(dir, "README.md", "# app\n", "initial");
    const added = commit(
      dir,
      "src/config.ts",
      `export const a = 1;\nexport const key = "${key}";\n`,
      "add config",
    );
    commit(dir, "src/config.ts", "export const a = 1;\nexport const key = process.env.KEY;\n", "remove key");
    // The same key pasted again later is still one finding, at its first commit.
    commit(dir, "docs/notes.md", `old key was ${key}\n`, "notes");
    const { findings, commits } = await scanHistory(dir);
    expect(commits).toBe(4);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: "keysmith-secret-key",
      file: "src/config.ts",
      line: 2,
      column: 21,
      commit: added,
      author: "Test Author <author@test.invalid>",
    });
    expect(findings[0]?.date).toMatch(/^\d{4}-\d\d-\d\d/);
  });

  it("scans only the commits after `since`, and commits on other branches", async () => {
    const early = githubToken();
    const base = commit(dir, "a.txt", `${early}\n`, "early secret");
    gitIn(dir, "checkout", "-q", "-b", "feature");
    const late = githubToken("gho");
    commit(dir, "b.txt", `${late}\n`, "feature secret");
    gitIn(dir, "checkout", "-q", "main");
    expect((await scanHistory(dir)).findings.map((f) => f.secret).sort()).toEqual([early, late].sort());
    expect((await scanHistory(dir, { since: base, revs: [] })).findings).toEqual([]);
    gitIn(dir, "checkout", "-q", "feature");
    expect((await scanHistory(dir, { since: base })).findings.map((f) => f.secret)).toEqual([late]);
  });

  it("follows hunk counts, so added lines that look like diff headers are content", async () => {
    const token = githubToken();
    commit(dir, "x.txt", `+++ b/not-a-file\n++ ${token}\n`, "tricky");
    const { findings } = await scanHistory(dir);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(["x.txt:2:4"]);
  });
});

describe("scanStaged", () => {
  it("sees only lines added in the index, with their line numbers in the staged file", async () => {
    const committed = githubToken();
    commit(dir, "app.ts", `line1\nconst old = "${committed}";\nline3\n`, "existing");
    const staged = keysmithKey();
    write(dir, "app.ts", `line1\nconst old = "${committed}";\nline3\nconst key = "${staged}";\n`);
    gitIn(dir, "add", "app.ts");
    // Not staged: a working-tree change is not part of the commit.
    write(dir, "unstaged.ts", `const t = "${githubToken()}";\n`);
    const { findings } = await scanStaged(dir);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column}:${f.ruleId}`)).toEqual([
      "app.ts:4:14:keysmith-secret-key",
    ]);
  });

  it("works before the first commit and with paths that git quotes", async () => {
    const token = githubToken("ghs");
    write(dir, 'dir with space/quote"d é.txt', `x\n${token}\n`);
    gitIn(dir, "add", ".");
    const { findings } = await scanStaged(dir);
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['dir with space/quote"d é.txt:2']);
  });

  it("honours inline allow comments and .keysmithignore", async () => {
    write(dir, ".keysmithignore", "fixtures/\n");
    write(dir, "fixtures/a.txt", `${githubToken()}\n`);
    write(dir, "b.txt", `${githubToken()} // keysmith:allow\n`);
    gitIn(dir, "add", ".");
    expect((await scanStaged(dir)).findings).toEqual([]);
  });
});

describe("scanText", () => {
  it("scans a string under a name", () => {
    const token = githubToken();
    expect(scanText(`a\n${token}`, "stdin").findings.map((f) => `${f.file}:${f.line}`)).toEqual(["stdin:2"]);
  });
});
