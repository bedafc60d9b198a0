/**
 * Worker-thread entry for `scanPaths` on large trees: scans the batches of files it is sent with
 * the built-in rules and posts the results back. Posts `{ ready: true }` once loaded.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createEngine } from "./engine.js";
import { FileReader } from "./file-reader.js";
import { type BatchResult, type FileTask, scanFiles } from "./scan-files.js";

export interface WorkerInit {
  maxFileSize: number;
}
export interface WorkerRequest {
  id: number;
  files: FileTask[];
}
export type WorkerReply = BatchResult & { id: number };

const port = parentPort;
if (port) {
  const engine = createEngine();
  const reader = new FileReader((workerData as WorkerInit).maxFileSize);
  port.on("message", (request: WorkerRequest) => {
    const reply: WorkerReply = { id: request.id, ...scanFiles(engine, reader, request.files) };
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}
