import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import { FileReader } from "./file-reader.js";
import { type PoolWorker, scanBatches, startWorker } from "./pool.js";
import { scanFiles } from "./scan-files.js";
import { githubToken, tempDir, write } from "./test-support/repo.js";
import { collectFiles } from "./walk.js";

let dir: string;
let cleanup: () => void;
let workers: PoolWorker[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(async () => {
  await Promise.all(workers.map(({ worker }) => worker.terminate()));
  workers = [];
  cleanup();
});

describe("scanBatches", () => {
  it("shares the files between the calling thread and ready workers, with the same findings", async () => {
    for (let i = 0; i < 60; i++) {
      const body = `const x${i} = ${i};\n`.repeat(3000);
      write(dir, `src/f${i}.ts`, i % 9 === 0 ? `${body}const t = "${githubToken()}";\n` : body);
    }
    const files = collectFiles(["."], { root: dir });
    workers = [startWorker(1 << 20), startWorker(1 << 20)];
    expect(await Promise.all(workers.map((w) => w.ready))).toEqual([true, true]);
    const by = { worker: 0, caller: 0 };
    const pooled = await scanBatches(files, workers, { maxFileSize: 1 << 20 }, (_b, count, who) => {
      by[who] += count;
    });
    const inline = scanFiles(createEngine(), new FileReader(1 << 20), files);
    const key = (f: { file: string; line: number }) => `${f.file}:${f.line}`;
    expect(pooled.findings.map(key).sort()).toEqual(inline.findings.map(key).sort());
    expect(pooled.findings).toHaveLength(7);
    expect(pooled.bytes).toBe(inline.bytes);
    expect(by.worker).toBeGreaterThan(0);
    expect(by.worker + by.caller).toBe(60);
  });

  it("does without a worker that fails to start", async () => {
    write(dir, "a.txt", `${githubToken()}\n`);
    workers = [startWorker(1 << 20)];
    await workers[0]?.worker.terminate();
    expect(await workers[0]?.ready).toBe(false);
    const result = await scanBatches(
      collectFiles(["."], { root: dir }),
      workers,
      { maxFileSize: 1 << 20 },
      () => {},
    );
    expect(result.findings).toHaveLength(1);
  });
});
