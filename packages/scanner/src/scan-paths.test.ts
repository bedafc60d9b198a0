import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readBaseline, writeBaseline } from "./baseline.js";
import { scanPaths } from "./scan-paths.js";
import { githubToken, initRepo, keysmithKey, tempDir, write } from "./test-support/repo.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const files = async (options: Parameters<typeof scanPaths>[1] = {}): Promise<string[]> =>
  (await scanPaths(["."], { root: dir, ...options })).findings.map((f) => f.file);

describe("scanPaths", () => {
  it("finds secrets in nested files with paths relative to the root", async () => {
    write(dir, "src/a.ts", `export const token = "${githubToken()}";\n`);
    write(dir, "README.md", "nothing here\n");
    const result = await scanPaths(["."], { root: dir });
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toEqual(["src/a.ts:1"]);
    expect(result.scanned).toBe(2);
  });

  it("skips binary files (a NUL in the first 8 KiB) and files over the size limit", async () => {
    const token = githubToken();
    write(dir, "image.png", Buffer.concat([Buffer.from([0x89, 0x50, 0, 0]), Buffer.from(token)]));
    write(dir, "big.txt", `${"x".repeat(2048)}\n${token}\n`);
    write(dir, "small.txt", `${token}\n`);
    const result = await scanPaths(["."], { root: dir, maxFileSize: 1024 });
    expect(result.findings.map((f) => f.file)).toEqual(["small.txt"]);
    expect(result.skipped).toEqual([
      { file: "big.txt", reason: "too-large" },
      { file: "image.png", reason: "binary" },
    ]);
  });

  it("honours .gitignore files at every level, negations, and the repository's root .gitignore", async () => {
    initRepo(dir);
    const token = `t = "${githubToken()}"\n`;
    write(dir, ".gitignore", "*.log\nbuild/\n");
    write(dir, "app.log", token);
    write(dir, "build/out.js", token);
    write(dir, "pkg/.gitignore", "*.tmp\n!keep.tmp\n");
    write(dir, "pkg/drop.tmp", token);
    write(dir, "pkg/keep.tmp", token);
    write(dir, "pkg/sub/x.log", token);
    write(dir, "node_modules/dep/index.js", token);
    expect(await files()).toEqual(["pkg/keep.tmp"]);
    // Scanning a subdirectory still applies the root .gitignore.
    expect((await scanPaths(["pkg"], { root: dir })).findings.map((f) => f.file)).toEqual(["pkg/keep.tmp"]);
    expect(await files({ gitignore: false, defaultIgnores: false })).toHaveLength(6);
  });

  it("honours .keysmithignore, even for files named explicitly", async () => {
    const token = `t = "${githubToken()}"\n`;
    write(dir, ".keysmithignore", "fixtures/\n*.snap\n");
    write(dir, "fixtures/key.txt", token);
    write(dir, "test/__snapshots__/a.snap", token);
    write(dir, "src/real.ts", token);
    expect(await files()).toEqual(["src/real.ts"]);
    expect(
      (await scanPaths(["fixtures/key.txt", "src/real.ts"], { root: dir })).findings.map((f) => f.file),
    ).toEqual(["src/real.ts"]);
  });

  it("filters known findings with a baseline that stores fingerprints, never secrets", async () => {
    const old = keysmithKey();
    write(dir, "old.ts", `const k = "${old}";\n`);
    const first = await scanPaths(["."], { root: dir });
    const baselineFile = join(dir, "..", `${dir.split("/").pop()}-baseline.json`);
    writeBaseline(first.findings, baselineFile);
    const stored = readFileSync(baselineFile, "utf8");
    expect(stored).not.toContain(old);
    expect(JSON.parse(stored).findings[0]).toEqual({
      fingerprint: first.findings[0]?.fingerprint,
      ruleId: "keysmith-secret-key",
      path: "old.ts",
      line: 1,
    });
    const added = keysmithKey();
    write(dir, "new.ts", `const k = "${added}";\n`);
    const second = await scanPaths(["."], { root: dir, baseline: readBaseline(baselineFile) });
    expect(second.findings.map((f) => f.secret)).toEqual([added]);
  });

  it("gives the same findings on a pool of worker threads as on the calling thread", async () => {
    for (let i = 0; i < 40; i++) {
      const body = `const x${i} = ${i};\n`.repeat(2000);
      write(dir, `src/f${i}.ts`, i % 7 === 0 ? `${body}const t = "${githubToken()}";\n` : body);
    }
    const inline = await scanPaths(["."], { root: dir, workers: 0 });
    const pooled = await scanPaths(["."], { root: dir, workers: 2 });
    expect(pooled.findings).toEqual(inline.findings);
    expect(pooled.findings).toHaveLength(6);
    expect(pooled.scanned).toBe(40);
    expect(pooled.bytes).toBe(inline.bytes);
  });

  it("reports progress and rejects a path that does not exist", async () => {
    write(dir, "a.txt", "hello\n");
    const seen: number[] = [];
    await scanPaths(["."], { root: dir, onProgress: (p) => seen.push(p.files) });
    expect(seen).toEqual([1]);
    await expect(scanPaths(["missing"], { root: dir })).rejects.toThrow(/no such file/);
  });
});
