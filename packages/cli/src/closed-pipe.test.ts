import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "./test-support/cli.js";
import { fakeKey } from "./test-support/git.js";

// The built binary: the EPIPE handling lives in bin.ts, which only a real process runs.
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const dir = useTempDir("all");

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  mkdirSync(join(dir.path, "src"));
  // Enough findings that the JSON report is far larger than a pipe's buffer.
  for (let i = 0; i < 100; i++) {
    writeFileSync(join(dir.path, "src", `f${i}.ts`), `export const k${i} = "${fakeKey()}";\n`);
  }
});

/** Runs the CLI with a stdout whose reader is gone before the first write; resolves with the exit and stderr. */
function intoClosedPipe(
  args: string[],
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir.path,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stderr })));
}

describe("a closed pipe (keysmith … | head -1)", () => {
  it.each([
    [["--help"], 0],
    [["completion", "bash"], 0],
    [["secrets", "--help"], 0],
    // 1: the scan completed and found secrets; the closed pipe does not change the answer.
    [["scan", "--format", "json", "--no-progress"], 1],
  ])("ends %j quietly with its own exit code", async (args, expected) => {
    const result = await intoClosedPipe(args as string[]);
    expect(result.stderr).toBe("");
    expect(result).toEqual({ code: expected, signal: null, stderr: "" });
  });
});
