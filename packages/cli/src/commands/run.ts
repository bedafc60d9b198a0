import type { Command } from "commander";
import { ApiError, NetworkError } from "../client.js";
import type { ClientFlags, Context } from "../context.js";
import { looksLikeKey, redactKeys } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { getJson } from "./run-request.js";
import type { Snapshot } from "./run-snapshot.js";

interface RunFlags extends Pick<ClientFlags, "url"> {
  env: string;
  project?: string;
  override?: boolean;
  mask?: boolean;
  fallback?: string;
}

// Imported by commander's `run`, and by bin.ts directly for the fast path: nothing here may load
// commander, the server, or fetch (see run-request.ts).

/**
 * `keysmith run …` without loading the rest of the CLI: parses the flags by hand and runs. Null
 * when the arguments need commander (`--help`, a typo, a missing `--env`): then `run()` answers.
 *
 * @example const code = runFast(process.argv.slice(2), io) ?? (await run(argv, io));
 */
export function runFast(argv: readonly string[], io: Io): Promise<number> | null {
  if (argv.some(looksLikeKey)) return null;
  const parsed = parseRunArgv(argv);
  if (parsed === null) return null;
  return runWithSecrets(io, parsed.command, parsed.flags).catch((error: unknown) => {
    io.stderr(`keysmith: ${redactKeys(describeError(error))}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.ERROR;
  });
}

/** `run [options] [--] command…` as commander reads it (options stop at the command), or null. */
export function parseRunArgv(argv: readonly string[]): { flags: RunFlags; command: string[] } | null {
  if (argv[0] !== "run") return null;
  const flags: Partial<RunFlags> = {};
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-")) break;
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === "--override" || name === "--mask") {
      if (inline !== undefined) return null;
      flags[name === "--mask" ? "mask" : "override"] = true;
    } else if (name === "--env" || name === "--project" || name === "--fallback" || name === "--url") {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("-"))) return null;
      flags[name.slice(2) as "env" | "project" | "fallback" | "url"] = value;
    } else return null;
  }
  const command = argv.slice(i);
  if (!flags.env || command.length === 0) return null;
  return { flags: flags as RunFlags, command };
}

function describeError(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ").trim();
  if (error instanceof ApiError) {
    return `${text} (${error.requestId === null ? error.code : `${error.code}, request ${error.requestId}`})`;
  }
  return error instanceof CliError || error instanceof NetworkError ? text : `unexpected error: ${text}`;
}

/**
 * `keysmith run --env E -- <command…>`: fetches every secret of the environment in one request
 * and runs the command with them as environment variables, signals forwarded and its exit code
 * passed through. This path loads no server code: it is on every start of the wrapped program.
 */
export function runCommand(program: Command, { io, act }: Context): void {
  program
    .command("run")
    .description("run a command with an environment's secrets as environment variables")
    .requiredOption("--env <environment>", "the vault environment (development, staging, production…)")
    .option("--project <id>", "the project (env KEYSMITH_PROJECT; not needed for a root key bound to one)")
    .option("--override", "let secrets replace variables already set (by default an existing variable wins)")
    .option("--mask", "replace secret values in the command's output with ***")
    .option("--fallback <file>", "keep an encrypted snapshot here; use it when the server is unreachable")
    .option("--url <url>", "the keysmith server (env KEYSMITH_URL)")
    .argument("<command...>", "the command and its arguments (after -- when they start with -)")
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  keysmith run --env production -- node server.js\n" +
        "  keysmith run --env development --mask --fallback .keysmith-dev.snapshot -- npm test\n\n" +
        "The child's exit code is passed through (128+N when a signal ends it); SIGINT, SIGTERM and\n" +
        "SIGHUP are forwarded to it. KEYSMITH_ROOT_KEY is not passed on to the child.",
    )
    .action(act((command: string[], flags: RunFlags) => runWithSecrets(io, command, flags)));
}

async function runWithSecrets(io: Io, command: string[], flags: RunFlags): Promise<number> {
  const [file, ...args] = command;
  if (!file) throw new CliError("no command to run: keysmith run --env E -- <command…>");
  // What spawning needs loads while the request is in flight.
  const fetching = fetchSecrets(io, flags);
  const spawning = import("./run-spawn.js");
  spawning.catch(() => {}); // awaited below; this only keeps an early failure above from leaving it unhandled
  const snapshot = await fetching;
  const { spawnChild } = await spawning;
  const env: Record<string, string | undefined> = { ...io.env };
  // The wrapped program gets its secrets, not the credential that reads every one of them.
  delete env.KEYSMITH_ROOT_KEY;
  for (const { name, value } of snapshot.secrets) {
    if (flags.override || env[name] === undefined) env[name] = value;
  }
  const values = flags.mask ? snapshot.secrets.map((s) => s.value) : null;
  return spawnChild(io, file, args, env, values);
}

/** One request for every value; the fallback snapshot when the server cannot answer. */
async function fetchSecrets(io: Io, flags: RunFlags): Promise<Snapshot> {
  const project = flags.project ?? io.env.KEYSMITH_PROJECT ?? "";
  const rootKey = io.env.KEYSMITH_ROOT_KEY?.trim() as string;
  try {
    const answer = await getJson<Omit<Snapshot, "fetchedAt">>(io, flags, "/v1/secrets/export", {
      projectId: project || undefined,
      environment: flags.env,
    });
    const snapshot: Snapshot = { ...answer, fetchedAt: new Date(io.now?.() ?? Date.now()).toISOString() };
    if (flags.fallback) {
      try {
        const { writeSnapshot } = await import("./run-snapshot.js");
        writeSnapshot(flags.fallback, rootKey, project, snapshot);
      } catch (error) {
        io.stderr(`keysmith: could not write the fallback snapshot ${flags.fallback}: ${messageOf(error)}\n`);
      }
    }
    return snapshot;
  } catch (error) {
    const unreachable = error instanceof NetworkError || (error instanceof ApiError && error.status >= 500);
    if (!flags.fallback || !unreachable) throw error;
    let snapshot: Snapshot;
    try {
      const { readSnapshot } = await import("./run-snapshot.js");
      snapshot = readSnapshot(flags.fallback, rootKey, flags.env, project);
    } catch (fallbackError) {
      throw new CliError(`${messageOf(error)}; no usable fallback: ${messageOf(fallbackError)}`);
    }
    io.stderr(
      `keysmith: the server did not answer (${messageOf(error)}); using the fallback snapshot ` +
        `${flags.fallback} of ${snapshot.fetchedAt}\n`,
    );
    return snapshot;
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}
