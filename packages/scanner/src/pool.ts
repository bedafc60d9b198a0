import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { createEngine } from "./engine.js";
import { FileReader } from "./file-reader.js";
import { type BatchResult, type FileTask, scanFiles } from "./scan-files.js";
import type { Rule } from "./types.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker.js";

/** A worker thread and whether it loaded: `ready` resolves false if it failed or exited first. */
export interface PoolWorker {
  worker: Worker;
  ready: Promise<boolean>;
}

/**
 * Starts a scanning worker thread. It posts `{ ready: true }` once its modules are loaded; until
 * then the calling thread does not hand it work, so a slow start costs nothing.
 */
export function startWorker(maxFileSize: number): PoolWorker {
  const init: WorkerInit = { maxFileSize };
  const worker = import.meta.url.endsWith(".ts")
    ? startSourceWorker(init)
    : new Worker(new URL("./worker.js", import.meta.url), {
        workerData: init,
        // Workers inherit the process's flags; `--input-type` (a CLI run as `node -e`) breaks a file worker.
        execArgv: process.execArgv.filter((arg) => !arg.startsWith("--input-type")),
      });
  const ready = new Promise<boolean>((resolve) => {
    const onMessage = (message: { ready?: boolean }): void => {
      if (message.ready) done(true);
    };
    const done = (value: boolean): void => {
      worker.off("message", onMessage);
      resolve(value);
    };
    worker.on("message", onMessage);
    worker.once("error", () => done(false));
    worker.once("exit", () => done(false));
  });
  // Errors of a worker nobody is waiting on must not crash the process.
  worker.on("error", () => {});
  return { worker, ready };
}

/**
 * Running from the TypeScript sources (the tests do), the worker needs a TypeScript loader and
 * the `source` export condition. Node 20 does not apply `--import` loaders from a worker's
 * execArgv, so the worker registers tsx itself before importing worker.ts. tsx is a dev
 * dependency of the workspace; the built package never takes this path.
 */
function startSourceWorker(init: WorkerInit): Worker {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("tsx/package.json");
  const exportsMap = JSON.parse(readFileSync(manifest, "utf8")).exports as Record<
    string,
    { import: { default: string } }
  >;
  const api = pathToFileURL(
    join(dirname(manifest), (exportsMap["./esm/api"] as { import: { default: string } }).import.default),
  );
  const entry = new URL("./worker.ts", import.meta.url);
  const code = `import(${JSON.stringify(api.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(code, { eval: true, workerData: init, execArgv: ["--conditions=source"] });
}

export interface BatchOptions {
  rules?: readonly Rule[] | undefined;
  maxFileSize: number;
}

/**
 * Scans files in batches taken from one queue by the calling thread and by each worker once it
 * is ready, so whoever is faster takes more and a worker that is still loading when the work runs
 * out takes none. A ready worker keeps two batches in flight, so it never waits for the calling
 * thread (which yields between its own batches) to hand it the next one.
 */
export async function scanBatches(
  files: readonly FileTask[],
  workers: readonly PoolWorker[],
  options: BatchOptions,
  report: (batch: BatchResult, count: number, by: "worker" | "caller") => void,
): Promise<BatchResult> {
  const perBatch = Math.max(1, Math.ceil(files.length / ((workers.length + 1) * 16)));
  const batches: FileTask[][] = [];
  for (let i = 0; i < files.length; i += perBatch) batches.push(files.slice(i, i + perBatch));
  const merged: BatchResult = { findings: [], skipped: [], scanned: 0, bytes: 0 };
  const add = (batch: BatchResult, count: number, by: "worker" | "caller"): void => {
    for (const f of batch.findings) merged.findings.push(f);
    for (const s of batch.skipped) merged.skipped.push(s);
    merged.scanned += batch.scanned;
    merged.bytes += batch.bytes;
    report(batch, count, by);
  };
  let next = 0;
  let stop = false;
  let callerDone: () => void = () => {};
  const callerFinished = new Promise<false>((resolve) => {
    callerDone = () => resolve(false);
  });
  const viaWorker = async ({ worker, ready }: PoolWorker): Promise<void> => {
    // A worker still loading when the calling thread has taken the last batch gets none.
    if (!(await Promise.race([ready, callerFinished]))) return;
    while (next < batches.length && !stop) {
      const id = next++;
      const batch = batches[id] as FileTask[];
      add(await request(worker, { id, files: batch }), batch.length, "worker");
    }
  };
  const onThisThread = async (): Promise<void> => {
    const engine = createEngine(options.rules);
    const reader = new FileReader(options.maxFileSize);
    try {
      while (next < batches.length) {
        const batch = batches[next++] as FileTask[];
        add(scanFiles(engine, reader, batch), batch.length, "caller");
        if (workers.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      callerDone();
    }
  };
  try {
    await Promise.all([...workers.flatMap((w) => [viaWorker(w), viaWorker(w)]), onThisThread()]);
  } finally {
    stop = true;
  }
  return merged;
}

function request(worker: Worker, message: WorkerRequest): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      if (reply.id !== message.id) return;
      cleanup();
      resolve(reply);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`scanner worker exited with code ${code}`));
    };
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(message);
  });
}
