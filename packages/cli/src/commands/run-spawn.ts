import { spawn } from "node:child_process";
import { constants } from "node:os";
import { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { CliError, type Io } from "../io.js";
import { maskingStream } from "./run-mask.js";

/** Exit code when the command cannot be started (as shells answer for "command not found"). */
const NOT_FOUND = 127;

/** Runs the child and resolves with its exit code (128 + signal number when a signal ended it). */
export function spawnChild(
  io: Io,
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  maskValues: string[] | null,
): Promise<number> {
  const { terminal } = io;
  // With the real terminal and nothing to mask the child writes to it directly: no copy, no delay.
  const piped = !terminal || maskValues !== null;
  const child = spawn(file, args, {
    env,
    stdio: [terminal ? "inherit" : "ignore", piped ? "pipe" : "inherit", piped ? "pipe" : "inherit"],
  });
  const stopForwarding = terminal?.onSignal((signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
  const copies: Promise<void>[] = [];
  if (piped) {
    const out = terminal?.stdout ?? writerFor(io.stdout);
    const err = terminal?.stderr ?? writerFor(io.stderr);
    copies.push(copy(child.stdout, out, maskValues), copy(child.stderr, err, maskValues));
  }
  return new Promise<number>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      stopForwarding?.();
      if (error.code === "ENOENT") {
        io.stderr(`keysmith: cannot run ${file}: command not found\n`);
        resolve(NOT_FOUND);
      } else reject(new CliError(`cannot run ${file}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      stopForwarding?.();
      Promise.all(copies).then(() => {
        if (code !== null) resolve(code);
        else resolve(128 + (constants.signals[signal as NodeJS.Signals] ?? 0));
      }, reject);
    });
  });
}

/** Copies a child's stream to a destination (through the mask when asked), minding backpressure. */
function copy(
  source: NodeJS.ReadableStream | null,
  destination: NodeJS.WritableStream,
  maskValues: string[] | null,
): Promise<void> {
  if (!source) return Promise.resolve();
  const stream = maskValues ? source.pipe(maskingStream(maskValues)) : source;
  return new Promise((resolve, reject) => {
    stream.on("data", (chunk: Buffer | string) => {
      if (!destination.write(chunk)) {
        stream.pause();
        destination.once("drain", () => stream.resume());
      }
    });
    stream.once("end", () => resolve());
    stream.once("error", reject);
  });
}

/** A stream onto one of `io`'s text sinks, for in-process runs. */
function writerFor(write: (text: string) => void): NodeJS.WritableStream {
  const decoder = new StringDecoder("utf8");
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      write(decoder.write(chunk));
      callback();
    },
  });
}
