import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli, tempDir, useTempDir } from "../test-support/cli.js";
import { commitFile, fakeKey, gitCommit, gitIn, initRepo, write } from "../test-support/git.js";
import { binPath } from "./hook.js";

// The installed hook runs the built CLI (dist/bin.js), which `npm test` builds first (pretest).
const BIN = binPath();
const built = existsSync(BIN);
if (!built) console.warn(`keysmith hook tests skipped: ${BIN} is missing; run npm run build first`);

const dir = useTempDir();
beforeEach(() => {
  initRepo(dir.path);
  commitFile(dir.path, "README.md", "# app\n", "initial");
});

const hook = (...args: string[]) => cli(["hook", ...args], { cwd: dir.path });
const head = () => gitIn(dir.path, "rev-parse", "HEAD").trim();

describe.skipIf(!built)("keysmith hook install", () => {
  it("blocks a commit that adds a key, saying what and how to suppress it; a clean commit passes", async () => {
    const installed = await hook("install");
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(
      `Installed the keysmith pre-commit hook: ${join(dir.path, ".git/hooks/pre-commit")}`,
    );
    const script = readFileSync(join(dir.path, ".git/hooks/pre-commit"), "utf8");
    expect(script).toContain(`${BIN} scan --staged`);
    expect(script).toContain(process.execPath);

    const before = head();
    const key = fakeKey();
    write(dir.path, "src/config.ts", `export const key = "${key}";\n`);
    gitIn(dir.path, "add", ".");
    const blocked = gitCommit(dir.path, "add the key");
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain("src/config.ts");
    expect(blocked.output).toMatch(/1:21\s+error\s+keysmith secret key\s+acme_sk_live_\w{4}…/);
    expect(blocked.output).toContain("keysmith: commit blocked");
    expect(blocked.output).toContain("keysmith:allow");
    expect(blocked.output).toContain(".keysmithignore");
    expect(blocked.output).toContain("baseline");
    expect(blocked.output).not.toContain(key);
    expect(head()).toBe(before);

    write(dir.path, "src/config.ts", "export const key = process.env.KEYSMITH_KEY;\n");
    gitIn(dir.path, "add", ".");
    const clean = gitCommit(dir.path, "read the key from the environment");
    expect(clean.output).toBe("No secrets found (1 file scanned).\n");
    expect(clean.status).toBe(0);
    expect(head()).not.toBe(before);
  });

  it("lets a baseline's known findings through when installed with --baseline", async () => {
    write(dir.path, "legacy.ts", `export const key = "${fakeKey()}";\n`);
    expect((await cli(["scan", "--write-baseline", ".keysmith-baseline.json"], { cwd: dir.path })).code).toBe(
      0,
    );
    expect((await hook("install", "--baseline", ".keysmith-baseline.json")).code).toBe(0);
    gitIn(dir.path, "add", ".");
    expect(gitCommit(dir.path, "known finding").status).toBe(0);
  });

  it("reports, updates and uninstalls, keeping an existing hook working", async () => {
    expect((await hook("status")).code).toBe(1);
    write(dir.path, ".git/hooks/pre-commit", "#!/bin/sh\necho previous hook ran >&2\n");
    chmodSync(join(dir.path, ".git/hooks/pre-commit"), 0o755);

    const installed = await hook("install");
    expect(installed.stdout).toContain("The existing hook was kept as");
    const again = await hook("install", "--command", "npx --no-install keysmith scan --staged");
    expect(again.stdout).toContain("Updated the keysmith pre-commit hook");
    expect(readFileSync(join(dir.path, ".git/hooks/pre-commit"), "utf8")).toContain(
      "npx --no-install keysmith scan --staged",
    );
    await hook("install"); // back to this CLI for the commit below
    expect((await hook("status")).stdout).toContain("is installed");
    expect(JSON.parse((await hook("status", "--json")).stdout)).toEqual({
      installed: true,
      repository: expect.stringMatching(/keysmith-cli-/),
    });

    write(dir.path, "notes.md", "clean\n");
    gitIn(dir.path, "add", ".");
    const commit = gitCommit(dir.path, "both hooks run");
    expect(commit.status).toBe(0);
    expect(commit.output).toContain("previous hook ran");

    const removed = await hook("uninstall");
    expect(removed.stdout).toMatch(/^Removed the keysmith hook and restored .*pre-commit\.\n$/);
    expect(readFileSync(join(dir.path, ".git/hooks/pre-commit"), "utf8")).toContain("previous hook ran");
    expect((await hook("uninstall")).stdout).toContain("nothing changed");
    expect((await hook("status")).code).toBe(1);
  });
});

describe("keysmith hook outside a repository", () => {
  it("is a one-line error, exit 2", async () => {
    const outside = tempDir();
    try {
      const result = await cli(["hook", "install"], { cwd: outside.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^keysmith: .* is not in a git repository: run this inside the repository\n$/,
      );
    } finally {
      outside.remove();
    }
  });
});
