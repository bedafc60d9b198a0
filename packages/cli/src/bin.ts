#!/usr/bin/env node
import { promptHidden, readAll } from "./commands/secrets-prompt.js";
import { redactKeys } from "./format.js";
import { EXIT, type Io } from "./io.js";

// The only file that touches the process: argv, env, stdin, stdout, signals and the exit code.

/** The first line of standard input (a prompt on stderr when it is a terminal). */
async function firstLineOfStdin(): Promise<string> {
  const { createInterface } = await import("node:readline");
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) write(process.stderr, "key: ");
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
        write(process.stderr, `keysmith: ${signal} again, exiting without a graceful stop\n`);
        process.exit(EXIT.ERROR);
      }
      stopping = true;
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/**
 * `keysmith … | head -1`: the reader may close the pipe before everything is written. A write
 * then fails with EPIPE; the stream is marked closed, later writes to it are dropped, and the
 * command finishes with its own exit code, quietly (no "Unhandled 'error' event", no stack).
 */
const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
      closed.add(stream);
      return;
    }
    throw error;
  });
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream) && !stream.destroyed) stream.write(text);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  if (closed.has(stream) || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write("", () => resolve()));
}

const io: Io = {
  stdout: (text) => write(process.stdout, text),
  stderr: (text) => write(process.stderr, text),
  env: process.env,
  stdin: firstLineOfStdin,
  isTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  cwd: process.cwd(),
  waitForShutdown,
  readAllStdin: () => readAll(process.stdin),
  promptHidden: (question) => promptHidden(process.stdin, process.stderr, question),
  terminal: {
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal(handler) {
      const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
      for (const signal of signals) process.on(signal, handler);
      return () => {
        for (const signal of signals) process.off(signal, handler);
      };
    },
  },
};

const argv = process.argv.slice(2);
// `keysmith run` sits on the start path of the program it wraps: it skips loading the rest of
// the CLI (commander and every command) when its arguments are plain.
// `--version` loads nothing but the CLI's package.json.
const fast =
  argv[0] === "run"
    ? (await import("./commands/run.js")).runFast(argv, io)
    : argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")
      ? import("./version.js").then(({ VERSION }) => {
          io.stdout(`${VERSION}\n`);
          return EXIT.OK as number;
        })
      : null;
const code = await (fast ?? import("./run.js").then(({ run }) => run(argv, io))).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  write(process.stderr, `keysmith: unexpected error: ${redactKeys(message)}\n`);
  return EXIT.ERROR;
});
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: keep-alive sockets and logger workers must not hold a finished command open.
process.exit(code);
