import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Default limit above which a file is skipped as too large (generated data, dumps, bundles). */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;
/** Bytes inspected for a NUL to call a file binary, as git and grep do. */
const BINARY_PROBE = 8192;
const CHUNK = 1024 * 1024;

export type ReadResult = { kind: "text"; bytes: Buffer } | { kind: "binary" | "too-large" | "unreadable" };

/**
 * Reads files in 1 MiB chunks into one buffer that is reused from file to file, so scanning
 * thousands of files allocates almost nothing. The returned `bytes` are valid until the next read.
 *
 * @example
 * const reader = new FileReader(5 * 1024 * 1024);
 * const result = reader.read("src/app.ts");
 * if (result.kind === "text") engine.scan(result.bytes, "src/app.ts");
 */
export class FileReader {
  private buffer = Buffer.allocUnsafe(CHUNK);

  constructor(private readonly maxFileSize: number = DEFAULT_MAX_FILE_SIZE) {}

  read(path: string): ReadResult {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return { kind: "unreadable" };
    }
    try {
      // Most files fit the buffer in one read: stat only the ones that fill it.
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          if (length > this.maxFileSize) return { kind: "too-large" };
          const size = fstatSync(fd).size;
          if (size > this.maxFileSize) return { kind: "too-large" };
          this.grow(Math.min(this.maxFileSize + 1, Math.max(size + 1, length * 2)));
        }
        const want = Math.min(CHUNK, this.buffer.length - length);
        const n = readSync(fd, this.buffer, length, want, null);
        length += n;
        // A regular file returns less than asked only at its end: skip the read that would return 0.
        if (n < want) break;
      }
      if (length > this.maxFileSize) return { kind: "too-large" };
      const bytes = this.buffer.subarray(0, length);
      if (isBinary(bytes)) return { kind: "binary" };
      return { kind: "text", bytes };
    } catch {
      return { kind: "unreadable" };
    } finally {
      closeSync(fd);
    }
  }

  private grow(size: number): void {
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next);
    this.buffer = next;
  }
}

/** True when the first 8 KiB contain a NUL byte (images, archives, UTF-16 text). */
export function isBinary(bytes: Uint8Array): boolean {
  const probe = bytes.length > BINARY_PROBE ? bytes.subarray(0, BINARY_PROBE) : bytes;
  return probe.indexOf(0) >= 0;
}
