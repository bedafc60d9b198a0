import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32, encodeBase62, generateKey, randomBase62 } from "@keysmith/core";

/** A fresh directory under the OS temp dir; remove it with `cleanup`. */
export function tempDir(prefix = "keysmith-scanner-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file, creating its directories. */
export function write(dir: string, path: string, content: string | Uint8Array): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Runs git in `dir` with a fixed identity and no signing, returning stdout. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `git init` with a local user.name/email so commits work on any machine. */
export function initRepo(dir: string): void {
  gitIn(dir, "init", "-q", "-b", "main");
  gitIn(dir, "config", "user.name", "Test Author");
  gitIn(dir, "config", "user.email", "author@test.invalid");
  gitIn(dir, "config", "commit.gpgsign", "false");
  gitIn(dir, "config", "core.hooksPath", ".git/hooks");
}

/** Writes, stages and commits one file; returns the new commit's sha. */
export function commit(dir: string, path: string, content: string, message: string): string {
  write(dir, path, content);
  gitIn(dir, "add", "--", path);
  gitIn(dir, "commit", "-q", "--no-verify", "-m", message);
  return gitIn(dir, "rev-parse", "HEAD").trim();
}

/** A checksum-valid keysmith secret key, generated at run time (never a literal in the repo). */
export function keysmithKey(prefix = "acme"): string {
  return generateKey({ prefix, typeCode: "sk", environment: "test" }).key;
}

/** A checksum-valid GitHub-format token with a random body. */
export function githubToken(prefix = "ghp"): string {
  const random = randomBase62(30);
  return `${prefix}_${random}${encodeBase62(crc32(random), 6)}`;
}
