/**
 * Everything a command may touch outside itself. `bin.ts` wires it to the process; tests pass
 * buffers, so every command runs in-process.
 */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Standard input as text (bin.ts reads its first line). Only `keys verify` reads it. */
  stdin(): Promise<string>;
  /** Whether standard output is a terminal: `serve` pretty-prints its logs then. */
  isTTY: boolean;
  /** Whether standard error is a terminal: `scan` draws its progress there only then. */
  stderrIsTTY?: boolean;
  /**
   * The directory relative paths start from (`scan`, `hook`, `audit`) and where the search for
   * `keysmith.json` / `.keysmith/config.toml` begins; the process's by default.
   */
  cwd?: string;
  /** The fetch the API client uses; the global one by default. */
  fetch?: typeof fetch;
  /**
   * Called once as `serve` starts, before it prints "listening"; resolves when the server should
   * stop gracefully (bin.ts: on SIGTERM or SIGINT). Without it, `serve` runs until the process ends.
   */
  waitForShutdown?: () => Promise<void>;
  /** Milliseconds since the epoch, for `--expires-in`; `Date.now` by default. */
  now?: () => number;
  /**
   * All of standard input (`secrets set`, `secrets import -`), or null when it is a terminal;
   * `stdin()` above (its first line) when absent.
   */
  readAllStdin?: () => Promise<string | null>;
  /** Asks on the terminal without echoing what is typed (`secrets set` on a TTY). */
  promptHidden?: (question: string) => Promise<string>;
  /**
   * The real terminal, for `keysmith run`: the child inherits stdin, writes to these streams, and
   * gets the signals the CLI receives. bin.ts sets it; without it (in-process tests) the child's
   * output goes through `stdout`/`stderr` above and no signal is forwarded.
   */
  terminal?: Terminal;
}

/** What `keysmith run` hands its child. */
export interface Terminal {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Calls `handler` on SIGINT, SIGTERM and SIGHUP until the returned function is called. */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
}

/** The documented exit codes. */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** A negative answer: an invalid key, a broken audit chain, an already initialized database. */
  NEGATIVE: 1,
  /**
   * Usage, configuration, network or API error; also an `--env` that has no secrets and was never
   * created (`run`, `secrets list|export`), unless `--allow-empty`.
   */
  ERROR: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the CLI reports as one line, `keysmith: <message>`, with its exit code.
 *
 * @example throw new CliError("KEYSMITH_ROOT_KEY is not set")
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** A stable code for scripts (`UNKNOWN_ENVIRONMENT`), printed after the message and in `--json`. */
  readonly code: string | undefined;
  readonly details: unknown;

  constructor(
    message: string,
    exitCode: ExitCode = EXIT.ERROR,
    options: { code?: string; details?: unknown } = {},
  ) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.code = options.code;
    this.details = options.details;
  }
}
