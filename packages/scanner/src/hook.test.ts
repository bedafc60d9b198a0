import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installHook, isHookInstalled, PREVIOUS_HOOK, uninstallHook } from "./hook.js";
import { commit, gitIn, initRepo, keysmithKey, tempDir, write } from "./test-support/repo.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const SCRIPT = fileURLToPath(new URL("./test-support/staged-scan.ts", import.meta.url));
/** The hook runs the staged scan from the TypeScript sources, as `keysmith scan --staged` would. */
const COMMAND = `"${process.execPath}" --import "${TSX}" --conditions=source "${SCRIPT}"`;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  initRepo(dir);
  commit(dir, "README.md", "# app\n", "initial");
});
afterEach(() => cleanup());

/** `git commit` with hooks; returns its exit status and output. */
function gitCommit(message: string): { status: number | null; output: string } {
  const result = spawnSync("git", ["commit", "-q", "-m", message], { cwd: dir, encoding: "utf8" });
  return { status: result.status, output: result.stdout + result.stderr };
}

const head = (): string => gitIn(dir, "rev-parse", "HEAD").trim();

describe("installHook", () => {
  it("blocks a commit that adds a key and lets a clean commit pass", async () => {
    const result = await installHook(dir, { command: COMMAND });
    expect(result).toEqual({ path: join(dir, ".git/hooks/pre-commit"), chained: null, updated: false });
    expect(statSync(result.path).mode & 0o111).not.toBe(0);
    expect(await isHookInstalled(dir)).toBe(true);

    const before = head();
    const key = keysmithKey();
    write(dir, "src/config.ts", `export const key = "${key}";\n`);
    gitIn(dir, "add", ".");
    const blocked = gitCommit("add key");
    expect(blocked.status).not.toBe(0);
    expect(blocked.output).toContain("keysmith: commit blocked");
    expect(blocked.output).toContain("src/config.ts");
    expect(blocked.output).not.toContain(key);
    expect(head()).toBe(before);

    write(dir, "src/config.ts", "export const key = process.env.KEYSMITH_KEY;\n");
    gitIn(dir, "add", ".");
    expect(gitCommit("read key from env").status).toBe(0);
    expect(head()).not.toBe(before);
  });

  it("keeps an existing pre-commit hook working, and uninstall puts it back", async () => {
    const existing = '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/previous-ran"\n[ ! -f STOP ]\n';
    write(dir, ".git/hooks/pre-commit", existing);
    execFileSync("chmod", ["+x", join(dir, ".git/hooks/pre-commit")]);

    const result = await installHook(dir, { command: COMMAND });
    expect(result.chained).toBe(join(dir, ".git/hooks", PREVIOUS_HOOK));
    // Installing again only updates keysmith's hook: the chain stays one deep.
    expect(await installHook(dir, { command: COMMAND })).toMatchObject({
      updated: true,
      chained: result.chained,
    });
    expect(readFileSync(join(dir, ".git/hooks", PREVIOUS_HOOK), "utf8")).toBe(existing);

    write(dir, "a.txt", "clean\n");
    gitIn(dir, "add", ".");
    expect(gitCommit("clean").status).toBe(0);
    expect(readFileSync(join(dir, ".git/previous-ran"), "utf8")).toBe("ran\n");

    // The previous hook can still block a commit on its own.
    write(dir, "STOP", "");
    gitIn(dir, "add", ".");
    expect(gitCommit("stopped").status).not.toBe(0);

    expect(await uninstallHook(dir)).toEqual({ removed: true, restored: join(dir, ".git/hooks/pre-commit") });
    expect(readFileSync(join(dir, ".git/hooks/pre-commit"), "utf8")).toBe(existing);
    expect(existsSync(join(dir, ".git/hooks", PREVIOUS_HOOK))).toBe(false);
    expect(await uninstallHook(dir)).toEqual({ removed: false, restored: null });
  });
});
