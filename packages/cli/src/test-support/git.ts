import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generateKey } from "@keysmith/core";

// A test may itself run inside a git hook: the outer repository's variables must not leak in.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("GIT_")));

/** Runs git in `dir` and returns stdout; throws on a non-zero exit. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `git commit` with hooks on: its exit status and everything it printed. */
export function gitCommit(dir: string, message: string): { status: number | null; output: string } {
  const result = spawnSync("git", ["commit", "-q", "-m", message], { cwd: dir, env, encoding: "utf8" });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** `git init` with a local identity, no signing and the default hooks directory. */
export function initRepo(dir: string): void {
  gitIn(dir, "init", "-q", "-b", "main");
  gitIn(dir, "config", "user.name", "Test Author");
  gitIn(dir, "config", "user.email", "author@test.invalid");
  gitIn(dir, "config", "commit.gpgsign", "false");
  gitIn(dir, "config", "core.hooksPath", ".git/hooks");
}

/** Writes a file, creating its directories. */
export function write(dir: string, path: string, content: string): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Writes, stages and commits one file without hooks; returns the commit's sha. */
export function commitFile(dir: string, path: string, content: string, message: string): string {
  write(dir, path, content);
  gitIn(dir, "add", "--", path);
  gitIn(dir, "commit", "-q", "--no-verify", "-m", message);
  return gitIn(dir, "rev-parse", "HEAD").trim();
}

/** A checksum-valid keysmith key made at run time, so no literal key sits in the repository. */
export function fakeKey(prefix = "acme", typeCode: "sk" | "pk" | "rk" = "sk"): string {
  return generateKey({ prefix, typeCode, environment: "live" }).key;
}
