import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IssuedKey } from "@keysmith/sdk";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import type { Io } from "../io.js";
import { run } from "../run.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface IoOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  now?: () => number;
  fetch?: typeof fetch;
  waitForShutdown?: () => Promise<void>;
  /** The command's working directory (`scan`, `hook`, `audit`). */
  cwd?: string;
}

export interface CapturedIo {
  io: Io;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout so far once it matches `pattern`: waits on output, never on time. */
  waitForStdout(pattern: RegExp): Promise<string>;
}

/** An `Io` over buffers. */
export function captureIo(options: IoOptions = {}): CapturedIo {
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve(text: string): void }[] = [];
  const notify = (): void => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(out)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(out);
      }
    }
  };
  const io: Io = {
    stdout(text) {
      out += text;
      notify();
    },
    stderr(text) {
      err += text;
    },
    env: options.env ?? {},
    stdin: async () => {
      if (options.stdin === undefined) throw new Error("this test gives the command no stdin");
      return options.stdin;
    },
    isTTY: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.waitForShutdown ? { waitForShutdown: options.waitForShutdown } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  };
  return {
    io,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (pattern) =>
      new Promise((resolve) => {
        waiters.push({ pattern, resolve });
        notify();
      }),
  };
}

/** Runs the CLI in-process and returns its exit code and output. */
export async function cli(argv: string[], options: IoOptions = {}): Promise<CliResult> {
  const captured = captureIo(options);
  const code = await run(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/** A directory of the test's own; `remove()` deletes it. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "keysmith-cli-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestServer {
  running: RunningServer;
  rootKey: string;
  /** Environment for client commands: KEYSMITH_URL and KEYSMITH_ROOT_KEY. */
  env: Record<string, string>;
  /** Runs a client command against this server; `options.env` adds to its environment. */
  cli(argv: string[], options?: IoOptions): Promise<CliResult>;
  close(): Promise<void>;
}

/** A real keysmith server on a free port and a temp SQLite file, as `keysmith serve` starts it. */
export async function startTestServer(): Promise<TestServer> {
  const dir = tempDir();
  const loaded = loadConfig(
    {},
    // Test endpoints are on loopback, which webhooks may target only when allowed.
    {
      databaseUrl: join(dir.path, "keysmith.db"),
      port: "0",
      logLevel: "silent",
      webhookAllowPrivate: "true",
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  const running = await startServer(loaded.config, createLogger("silent"));
  if (running.rootKey === null) throw new Error("a fresh database should create a root key");
  const env = { KEYSMITH_URL: running.url, KEYSMITH_ROOT_KEY: running.rootKey };
  return {
    running,
    rootKey: running.rootKey,
    env,
    cli: (argv, options = {}) => cli(argv, { ...options, env: { ...env, ...options.env } }),
    async close() {
      await running.stop();
      dir.remove();
    },
  };
}

/**
 * A `TestServer` for the whole file: started before its tests, closed after. The object stands
 * for the server once `beforeAll` has run; touching it earlier throws.
 */
export function useTestServer(): TestServer {
  return useServer(async (server) => server);
}

export interface ProjectServer extends TestServer {
  /** The project `acme` created before the file's tests. */
  readonly projectId: string;
  /** Creates a key in that project through the CLI, with any extra flags. */
  createKey(...extra: string[]): Promise<IssuedKey>;
}

/** Like `useTestServer`, with the project `acme` already created. */
export function useProjectServer(): ProjectServer {
  return useServer(async (server) => {
    const projectId = await createProject(server);
    return {
      ...server,
      projectId,
      createKey: (...extra: string[]) => createKey(server, projectId, ...extra),
    };
  });
}

function useServer<T extends TestServer>(setUp: (server: TestServer) => Promise<T>): T {
  let started: TestServer | undefined;
  let ready: T | undefined;
  beforeAll(async () => {
    started = await startTestServer();
    ready = await setUp(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return late(() => ready, "the test server");
}

/**
 * An object that a hook sets up later: reading a property answers the current one's, and
 * reading it before the hook has run throws.
 */
export function late<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (value === undefined) throw new Error(`${what} is set up by a hook: use it inside a test`);
      return value[property as keyof T];
    },
  });
}

export type TempDir = ReturnType<typeof tempDir>;

/** A directory of the test's own, made before each test (`"all"`: once for the file) and removed after. */
export function useTempDir(scope: "each" | "all" = "each"): TempDir {
  let dir: TempDir | undefined;
  const [before, after] = scope === "each" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(() => {
    dir = tempDir();
  });
  after(() => {
    dir?.remove();
  });
  return late(() => dir, "the temp directory");
}

/** Answers the JSON a command printed, once it succeeded with nothing on stderr. */
export function jsonOf<T>(result: CliResult): T {
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/**
 * Runs each case's argv through `run` and expects a usage error: exit 2, one line on stderr
 * matching the case's pattern, nothing on stdout.
 */
export async function expectUsageErrors(
  cases: [string[], RegExp][],
  run: (argv: string[]) => Promise<CliResult>,
): Promise<void> {
  for (const [argv, message] of cases) {
    const result = await run(argv);
    const label = argv.join(" ");
    expect(result.code, label).toBe(2);
    expect(result.stderr, label).toMatch(message);
    expect(result.stderr.trimEnd().split("\n"), label).toHaveLength(1);
    expect(result.stdout, label).toBe("");
  }
}

/** Every plaintext keysmith key in a text. */
export function keysIn(text: string): string[] {
  return text.match(/[a-z0-9]{2,12}_(?:sk|pk|rk|root)_(?:live|test)_[0-9A-Za-z]{36}/g) ?? [];
}

/** Creates a project through the CLI (`acme` unless named otherwise) and answers its id. */
export async function createProject(server: TestServer, prefix = "acme"): Promise<string> {
  const created = await server.cli(["projects", "create", "--name", "Acme", "--prefix", prefix, "--json"]);
  return jsonOf<{ id: string }>(created).id;
}

/** Creates a key through the CLI, with any extra flags, and answers what `--json` printed. */
export async function createKey(
  server: TestServer,
  projectId: string,
  ...extra: string[]
): Promise<IssuedKey> {
  return jsonOf<IssuedKey>(await server.cli(["keys", "create", "--project", projectId, "--json", ...extra]));
}
