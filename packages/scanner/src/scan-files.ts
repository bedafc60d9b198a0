import type { Engine } from "./engine.js";
import type { FileReader } from "./file-reader.js";
import type { Finding, Skipped } from "./types.js";

export interface FileTask {
  path: string;
  rel: string;
}

export interface BatchResult {
  findings: Finding[];
  skipped: Skipped[];
  scanned: number;
  bytes: number;
}

/** Reads and scans files one after the other with one engine and one reusable read buffer. */
export function scanFiles(engine: Engine, reader: FileReader, files: readonly FileTask[]): BatchResult {
  const result: BatchResult = { findings: [], skipped: [], scanned: 0, bytes: 0 };
  for (const file of files) {
    const read = reader.read(file.path);
    if (read.kind !== "text") {
      result.skipped.push({ file: file.rel, reason: read.kind });
      continue;
    }
    result.scanned++;
    result.bytes += read.bytes.length;
    const { findings, timedOut } = engine.scanChecked(read.bytes, file.rel);
    for (const finding of findings) result.findings.push(finding);
    if (timedOut) result.skipped.push({ file: file.rel, reason: "timeout" });
  }
  return result;
}
