import type { Command } from "commander";
import { ApiError, NetworkError } from "../client.js";
import type { ClientFlags, Context } from "../context.js";
import { describeError, type Exposed } from "../errors.js";
import { looksLikeKey, redactKeys } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { envOf, projectOf, resolveSetting } from "../settings.js";
import type { Reference } from "./run-env-file.js";
import { getJson } from "./run-request.js";
import type { Snapshot } from "./run-snapshot.js";
import { requireKnownEnvironment } from "./vault-environments.js";

interface RunFlags extends Pick<ClientFlags, "url"> {
  env?: string;
  project?: string;
  override?: boolean;
  mask?: boolean;
  fallback?: string;
  allowEmpty?: boolean;
  envFile?: string;
}

/** `run`'s flags, for errors that name them. */
const RUN_FLAGS: Exposed = {
  flags: ["--env", "--project", "--override", "--mask", "--fallback", "--url", "--allow-empty", "--env-file"],
  args: [],
};

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
    io.stderr(`keysmith: ${redactKeys(describeError(error, io, RUN_FLAGS))}\n`);
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
    const boolean = BOOLEAN_FLAGS[name];
    const valued = VALUE_FLAGS[name];
    if (boolean) {
      if (inline !== undefined) return null;
      flags[boolean] = true;
    } else if (valued) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("-"))) return null;
      flags[valued] = value;
    } else return null;
  }
  const command = argv.slice(i);
  if (command.length === 0) return null;
  return { flags: flags as RunFlags, command };
}

const BOOLEAN_FLAGS: Readonly<Record<string, "override" | "mask" | "allowEmpty">> = {
  "--override": "override",
  "--mask": "mask",
  "--allow-empty": "allowEmpty",
};
const VALUE_FLAGS: Readonly<Record<string, "env" | "project" | "fallback" | "url" | "envFile">> = {
  "--env": "env",
  "--project": "project",
  "--fallback": "fallback",
  "--url": "url",
  "--env-file": "envFile",
};

/**
 * `keysmith run --env E -- <command…>`: fetches every secret of the environment in one request
 * and runs the command with them as environment variables, signals forwarded and its exit code
 * passed through. This path loads no server code: it is on every start of the wrapped program.
 */
export function runCommand(program: Command, { io, act }: Context): void {
  program
    .command("run")
    .description("run a command with an environment's secrets as environment variables")
    .option(
      "--env <environment>",
      "the vault environment: development, staging, production… (env KEYSMITH_ENV, keysmith link)",
    )
    .option(
      "--project <id>",
      "the project (env KEYSMITH_PROJECT, keysmith link; not needed for a root key bound to one)",
    )
    .option("--override", "let secrets replace variables already set (by default an existing variable wins)")
    .option("--mask", "replace secret values in the command's output with ***")
    .option("--fallback <file>", "keep an encrypted snapshot here; use it when the server is unreachable")
    .option("--allow-empty", "run even when the environment has no secrets and was never created")
    .option(
      "--env-file <file>",
      "a .env template: plain values pass through, ks://ENV/NAME and ks://NAME are read from the vault",
    )
    .option("--url <url>", "the keysmith server (env KEYSMITH_URL, keysmith link)")
    .argument("<command...>", "the command and its arguments (after -- when they start with -)")
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  keysmith run --env production -- node server.js\n" +
        "  keysmith run --env development --mask --fallback .keysmith-dev.snapshot -- npm test\n" +
        "  keysmith run --env production --env-file .env.keysmith -- node server.js\n\n" +
        "The child's exit code is passed through (128+N when a signal ends it); SIGINT, SIGTERM and\n" +
        "SIGHUP are forwarded to it. KEYSMITH_ROOT_KEY is not passed on to the child.\n" +
        "An --env with no secrets that was never created is refused (exit 2, the known environments\n" +
        "listed) unless --allow-empty. With --env-file the child gets the file's variables only:\n" +
        "STRIPE_KEY=ks://production/STRIPE_KEY reads that secret, ks://NAME reads NAME from --env;\n" +
        "a reference that does not resolve stops the run before the command starts.",
    )
    .action(act((command: string[], flags: RunFlags) => runWithSecrets(io, command, flags)));
}

async function runWithSecrets(io: Io, command: string[], flags: RunFlags): Promise<number> {
  const [file, ...args] = command;
  if (!file) throw new CliError("no command to run: keysmith run --env E -- <command…>");
  // What spawning needs loads while the request is in flight.
  const fetching = flags.envFile
    ? templateVariables(io, flags, flags.envFile)
    : environmentVariables(io, flags);
  const spawning = import("./run-spawn.js");
  spawning.catch(() => {}); // awaited below; this only keeps an early failure above from leaving it unhandled
  const { variables, secretValues } = await fetching;
  const { spawnChild } = await spawning;
  const env: Record<string, string | undefined> = { ...io.env };
  // The wrapped program gets its secrets, not the credential that reads every one of them.
  delete env.KEYSMITH_ROOT_KEY;
  for (const [name, value] of variables) {
    if (flags.override || env[name] === undefined) env[name] = value;
  }
  return spawnChild(io, file, args, env, flags.mask ? secretValues : null);
}

interface ChildVariables {
  variables: (readonly [string, string])[];
  /** What `--mask` hides: the values that came from the vault. */
  secretValues: string[];
}

/** Every secret of the environment; one never created is refused unless --allow-empty. */
async function environmentVariables(io: Io, flags: RunFlags): Promise<ChildVariables> {
  const environment = envOf(io, flags);
  const { snapshot, fromServer } = await fetchSecrets(io, flags, environment, flags.fallback);
  if (snapshot.secrets.length === 0 && fromServer && !flags.allowEmpty) {
    await requireKnownEnvironment(
      (path, query) => getJson(io, flags, path, query),
      projectOf(io, flags),
      environment,
      "--allow-empty runs the command anyway",
    );
  }
  return {
    variables: snapshot.secrets.map((s) => [s.name, s.value] as const),
    secretValues: snapshot.secrets.map((s) => s.value),
  };
}

/**
 * `--env-file`: the file's variables, its `ks://` references read from the vault (one request per
 * environment named). Any reference that does not resolve stops the run, naming its line.
 */
async function templateVariables(io: Io, flags: RunFlags, file: string): Promise<ChildVariables> {
  const { readEnvTemplate } = await import("./run-env-file.js");
  const template = readEnvTemplate(file);
  const current = resolveSetting(io, "env", flags.env)?.value;
  const byEnvironment = new Map<string, Reference[]>();
  const problems: string[] = [];
  for (const reference of template.references) {
    const environment = reference.environment ?? current;
    if (environment === undefined) {
      problems.push(
        `${reference.where}: ${reference.variable}=${reference.text} names no environment ` +
          "(write ks://ENVIRONMENT/NAME, or pass --env)",
      );
      continue;
    }
    byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), reference]);
  }
  const resolved = new Map<string, string>();
  for (const [environment, references] of byEnvironment) {
    // The snapshot holds one environment: --fallback serves the current one only.
    const fallback = environment === current ? flags.fallback : undefined;
    const { snapshot } = await fetchSecrets(io, flags, environment, fallback);
    const values = new Map(snapshot.secrets.map((s) => [s.name, s.value]));
    for (const reference of references) {
      const value = values.get(reference.secret);
      if (value === undefined) {
        problems.push(
          `${reference.where}: ${reference.variable}=${reference.text}: no secret ${reference.secret} ` +
            `in the environment ${environment}`,
        );
      } else resolved.set(reference.variable, value);
    }
  }
  if (problems.length > 0) {
    throw new CliError(`${problems.join("; ")}; the command was not started`, EXIT.ERROR, {
      code: "UNRESOLVED_REFERENCE",
    });
  }
  return {
    variables: template.entries.map(([name, value]) => [name, resolved.get(name) ?? value] as const),
    secretValues: [...resolved.values()],
  };
}

/** One request for every value; the fallback snapshot when the server cannot answer. */
async function fetchSecrets(
  io: Io,
  flags: RunFlags,
  environment: string,
  fallback: string | undefined,
): Promise<{ snapshot: Snapshot; fromServer: boolean }> {
  const project = projectOf(io, flags) ?? "";
  const rootKey = io.env.KEYSMITH_ROOT_KEY?.trim() as string;
  try {
    const answer = await getJson<Omit<Snapshot, "fetchedAt">>(io, flags, "/v1/secrets/export", {
      projectId: project || undefined,
      environment,
    });
    const snapshot: Snapshot = { ...answer, fetchedAt: new Date(io.now?.() ?? Date.now()).toISOString() };
    if (fallback) {
      try {
        const { writeSnapshot } = await import("./run-snapshot.js");
        writeSnapshot(fallback, rootKey, project, snapshot);
      } catch (error) {
        io.stderr(`keysmith: could not write the fallback snapshot ${fallback}: ${messageOf(error)}\n`);
      }
    }
    return { snapshot, fromServer: true };
  } catch (error) {
    const unreachable = error instanceof NetworkError || (error instanceof ApiError && error.status >= 500);
    if (!fallback || !unreachable) throw error;
    let snapshot: Snapshot;
    try {
      const { readSnapshot } = await import("./run-snapshot.js");
      snapshot = readSnapshot(fallback, rootKey, environment, project);
    } catch (fallbackError) {
      throw new CliError(`${messageOf(error)}; no usable fallback: ${messageOf(fallbackError)}`);
    }
    io.stderr(
      `keysmith: the server did not answer (${messageOf(error)}); using the fallback snapshot ` +
        `${fallback} of ${snapshot.fetchedAt}\n`,
    );
    return { snapshot, fromServer: false };
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}
