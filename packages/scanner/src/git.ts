import { execFile, spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

/**
 * Runs git in `cwd` and resolves with stdout. Rejects with git's stderr on a non-zero exit.
 *
 * @example await git(["rev-parse", "--show-toplevel"], repoDir)
 */
export function git(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0]} failed: ${(stderr || error.message).trim()}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Runs git and hands its stdout to `onLine` one line at a time (without the newline), so a
 * history of any size streams through in constant memory.
 */
export function gitLines(
  args: readonly string[],
  cwd: string,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = rest + decoder.write(chunk);
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        onLine(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const tail = rest + decoder.end();
      if (tail) onLine(tail);
      if (code === 0) resolve();
      else reject(new Error(`git ${args[0]} failed: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}

/** The top of the work tree containing `dir`. Rejects outside a repository. */
export async function gitTopLevel(dir: string): Promise<string> {
  return (await git(["rev-parse", "--show-toplevel"], dir)).trim();
}

/** Options that keep git's diff output stable and parseable whatever the user's config says. */
export const DIFF_CONFIG = [
  "-c",
  "core.quotePath=false",
  "-c",
  "diff.noprefix=false",
  "-c",
  "diff.mnemonicPrefix=false",
];
export const DIFF_FLAGS = [
  "--no-color",
  "--no-ext-diff",
  "--no-textconv",
  "--unified=0",
  "--src-prefix=a/",
  "--dst-prefix=b/",
];
