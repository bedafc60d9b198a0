#!/usr/bin/env node
import { createInterface } from "node:readline";
import { redactKeys } from "./format.js";
import { EXIT, type Io } from "./io.js";
import { run } from "./run.js";

// The only file that touches the process: argv, env, stdin, stdout, signals and the exit code.

/** The first line of standard input (a prompt on stderr when it is a terminal). */
function firstLineOfStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) process.stderr.write("key: ");
    const lines = createInterface({ input: process.stdin, terminal: false });
    let first: string | undefined;
    lines.once("line", (line) => {
      first = line;
      lines.close();
    });
    lines.once("close", () => resolve(first ?? ""));
    process.stdin.once("error", reject);
  });
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function waitForShutdown(): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`keysmith: ${signal} again, exiting without a graceful stop\n`);
        process.exit(EXIT.ERROR);
      }
      stopping = true;
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: firstLineOfStdin,
  isTTY: process.stdout.isTTY === true,
  waitForShutdown,
};

const code = await run(process.argv.slice(2), io).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keysmith: unexpected error: ${redactKeys(message)}\n`);
  return EXIT.ERROR;
});
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: keep-alive sockets and logger workers must not hold a finished command open.
process.exit(code);
