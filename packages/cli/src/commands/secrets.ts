import { readFileSync, writeFileSync } from "node:fs";
import type { Page, Secret, SecretExport as SecretsExport, SecretValue, SecretVersion } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { type ApiClient, ApiError } from "../client.js";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { cell, json, table } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { duration, positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";
import { envOf, projectOf } from "../settings.js";
import { type DotenvEntry, DotenvValueError, parseDotenv, serializeDotenv } from "./secrets-dotenv.js";
import { requireKnownEnvironment } from "./vault-environments.js";

interface SecretFlags extends ClientFlags {
  env?: string;
  project?: string;
}

const PROJECT_HELP =
  "the project (env KEYSMITH_PROJECT, keysmith link; not needed for a root key bound to one)";
const ENV_HELP = "the vault environment: development, staging, production… (env KEYSMITH_ENV, keysmith link)";

const NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/**
 * `--env` and `--project` on a command that names one environment; the environment is needed
 * (from the flag, KEYSMITH_ENV or the directory config).
 */
function scoped(command: Command): Command {
  return clientCommand(
    command.option("--env <environment>", ENV_HELP).option("--project <id>", PROJECT_HELP),
  );
}

function secretPath(
  io: Io,
  flags: SecretFlags,
  name: string,
  suffix = "",
  query: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  const projectId = projectOf(io, flags);
  if (projectId) params.set("projectId", projectId);
  for (const [key, value] of Object.entries(query)) params.set(key, value);
  const text = params.toString();
  return `/v1/secrets/${segment(envOf(io, flags))}/${segment(name)}${suffix}${text ? `?${text}` : ""}`;
}

/** `keysmith secrets set|get|list|rm|restore|history|import|export`. */
export function secretsCommands(program: Command, context: Context): void {
  const { io, act } = context;
  const secrets = program
    .command("secrets")
    .description("store the keys your code consumes, encrypted per environment (the vault)");

  scoped(
    secrets
      .command("set")
      .description("write a new version: the value comes from stdin, or a hidden prompt on a terminal")
      .argument("<name>", "an environment-variable name (STRIPE_SECRET_KEY)")
      .option("--rotate-every <duration>", "remind when the value is older than this (90d)", duration)
      .option("--no-rotate", "remove the rotation reminder")
      .option("--allow-empty", "store an empty value (piped input that is empty is refused otherwise)")
      .addHelpText(
        "after",
        "\nThe value is never taken from the command line (shell history and ps would keep it):\n" +
          "  printf '%s' \"$VALUE\" | keysmith secrets set STRIPE_KEY --env production\n" +
          "  keysmith secrets set STRIPE_KEY --env production < key.txt\n" +
          "One trailing newline is dropped from piped input.",
      ),
  ).action(
    act(
      async (
        name: string,
        flags: SecretFlags & { rotateEvery?: string; rotate?: boolean; allowEmpty?: boolean },
      ) => {
        checkName(name);
        const client = clientFor(io, flags);
        const value = await readValue(io, name);
        // An unattended job with nothing on stdin would otherwise blank a production secret.
        if (value === "" && !flags.allowEmpty) {
          throw new CliError(
            "the value is empty (nothing on stdin?); pass --allow-empty to store an empty value",
          );
        }
        const body: Record<string, unknown> = { value };
        if (flags.rotateEvery !== undefined) body.rotateEvery = flags.rotateEvery;
        else if (flags.rotate === false) body.rotateEvery = null;
        const secret = await client.post<Secret>(secretPath(io, flags, name), body);
        print(
          io,
          flags,
          secret,
          () => `Set ${secret.name} in ${secret.environment}: version ${secret.version}.\n`,
        );
        return EXIT.OK;
      },
    ),
  );

  scoped(
    secrets
      .command("get")
      .description("print a secret's value (nothing else), for pipes and $(…)")
      .argument("<name>", "the secret's name")
      .option("--version <n>", "an earlier version", positiveInt),
  ).action(
    act(async (name: string, flags: SecretFlags & { version?: number }) => {
      const query: Record<string, string> =
        flags.version === undefined ? {} : { version: String(flags.version) };
      const client = clientFor(io, flags);
      const read = await explainNotFound(
        client,
        io,
        flags,
        client.get<SecretValue>(secretPath(io, flags, name, "", query)),
      );
      // The value exactly, so `> file` keeps it byte for byte; a newline only for a person reading it.
      print(io, flags, read, () => (io.isTTY ? `${read.value}\n` : read.value));
      return EXIT.OK;
    }),
  );

  clientCommand(
    secrets
      .command("list")
      .description("list secrets: names, versions and rotation state (never values)")
      .option("--env <environment>", "only this environment (refused when it was never created)")
      .option("--project <id>", PROJECT_HELP)
      .option("--deleted", "include deleted secrets")
      .option("--allow-empty", "list an --env that has no secrets without checking it exists")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(
      async (
        flags: ClientFlags &
          PagingFlags & { env?: string; project?: string; deleted?: boolean; allowEmpty?: boolean },
      ) => {
        const projectId = projectOf(io, flags);
        const query = {
          projectId,
          environment: flags.env,
          includeDeleted: flags.deleted ? "true" : undefined,
        };
        const client = clientFor(io, flags);
        const page = await listPages<Secret>(client, "/v1/secrets", query, flags);
        if (page.data.length === 0 && flags.env !== undefined && !flags.allowEmpty && !flags.cursor) {
          await requireKnownEnvironment(getter(client), projectId, flags.env, ALLOW_EMPTY);
        }
        print(io, flags, page, () => secretTable(page));
        return EXIT.OK;
      },
    ),
  );

  for (const [verb, description, suffix, method] of [
    ["rm", "delete a secret (its versions are kept; restore brings it back)", "", "delete"],
    ["restore", "restore a deleted secret", "/restore", "post"],
  ] as const) {
    scoped(secrets.command(verb).description(description).argument("<name>", "the secret's name")).action(
      act(async (name: string, flags: SecretFlags) => {
        const client = clientFor(io, flags);
        const path = secretPath(io, flags, name, suffix);
        const secret = await explainNotFound(
          client,
          io,
          flags,
          method === "delete" ? client.delete<Secret>(path) : client.post<Secret>(path),
        );
        print(io, flags, secret, () =>
          secret.deletedAt === null
            ? `Restored ${secret.name} in ${secret.environment} (version ${secret.version}).\n`
            : `Deleted ${secret.name} in ${secret.environment}; \`keysmith secrets restore\` brings it back.\n`,
        );
        return EXIT.OK;
      }),
    );
  }

  scoped(
    secrets
      .command("history")
      .description("a secret's versions, newest first: who wrote each and when")
      .argument("<name>", "the secret's name")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (name: string, flags: SecretFlags & PagingFlags) => {
      const client = clientFor(io, flags);
      const page = await explainNotFound(
        client,
        io,
        flags,
        listPages<SecretVersion>(client, secretPath(io, flags, name, "/versions"), {}, flags),
      );
      print(io, flags, page, () =>
        page.data.length === 0
          ? "No versions.\n"
          : table(page.data, [
              ["version", (v) => `${v.version}${v.current ? " (current)" : ""}`],
              ["written", (v) => v.createdAt],
              ["by", (v) => v.createdBy],
            ]) + nextPageHint(`keysmith secrets history ${name}`, page),
      );
      return EXIT.OK;
    }),
  );

  scoped(
    secrets
      .command("import")
      .description("set every NAME=value of a .env (or JSON) file; unchanged values are skipped")
      .argument("<file>", "the file, or - for stdin")
      .addOption(
        new Option("--format <format>", "the file's format (default: from its name)").choices([
          "dotenv",
          "json",
        ]),
      )
      .option("--rotate-every <duration>", "a rotation reminder for every secret written", duration),
  ).action(
    act(async (file: string, flags: SecretFlags & { format?: string; rotateEvery?: string }) => {
      const client = clientFor(io, flags);
      const text = file === "-" ? await readAllStdin(io) : readText(file);
      const format = flags.format ?? (file.endsWith(".json") ? "json" : "dotenv");
      const entries = format === "json" ? parseJsonEntries(text) : parseDotenvFile(text, file);
      for (const [name] of entries) checkName(name);
      const current = await currentValues(client, io, flags);
      let written = 0;
      for (const [name, value] of entries) {
        if (current?.get(name) === value) {
          // Same value: no new version, though a new reminder period still applies.
          if (flags.rotateEvery !== undefined)
            await client.patch<Secret>(secretPath(io, flags, name), { rotateEvery: flags.rotateEvery });
          continue;
        }
        const body: Record<string, unknown> = { value };
        if (flags.rotateEvery !== undefined) body.rotateEvery = flags.rotateEvery;
        await client.post<Secret>(secretPath(io, flags, name), body);
        written++;
      }
      const unchanged = entries.length - written;
      const summary = { environment: envOf(io, flags), read: entries.length, written, unchanged };
      print(
        io,
        flags,
        summary,
        () =>
          `Imported ${entries.length} secret${entries.length === 1 ? "" : "s"} into ${summary.environment}: ` +
          `${written} written, ${unchanged} unchanged.\n`,
      );
      return EXIT.OK;
    }),
  );

  scoped(
    secrets
      .command("export")
      .description("print every current value of an environment as .env or JSON")
      .addOption(new Option("--format <format>", "dotenv (default) or json").choices(["dotenv", "json"]))
      .option("--output <file>", "write to this file (mode 0600) instead of stdout")
      .option("--allow-empty", "export an environment that has no secrets without checking it exists"),
  ).action(
    act(async (flags: SecretFlags & { format?: string; output?: string; allowEmpty?: boolean }) => {
      const client = clientFor(io, flags);
      const exported = await exportValues(client, io, flags);
      if (exported.secrets.length === 0 && !flags.allowEmpty) {
        await requireKnownEnvironment(
          getter(client),
          projectOf(io, flags),
          exported.environment,
          ALLOW_EMPTY,
        );
      }
      const entries = exported.secrets.map((s) => [s.name, s.value] as const);
      const text =
        flags.format === "json" ? json(Object.fromEntries(entries)) : dotenvText(entries, exported);
      if (flags.output) {
        writeFileSync(flags.output, text, { mode: 0o600 });
        io.stderr(`Wrote ${entries.length} secrets to ${flags.output}.\n`);
      } else io.stdout(text);
      return EXIT.OK;
    }),
  );
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new CliError(
      `${JSON.stringify(name)} is not a secret name: use an environment-variable name (A-Z, 0-9, _; not starting with a digit)`,
    );
  }
}

/** The value to store: all of piped stdin (less one trailing newline), or a hidden prompt. */
async function readValue(io: Io, name: string): Promise<string> {
  const piped = io.readAllStdin ? await io.readAllStdin() : await io.stdin();
  if (piped !== null) return piped.replace(/\r?\n$/, "");
  if (!io.promptHidden) throw new CliError("no value: pipe it on stdin");
  try {
    return await io.promptHidden(`value for ${name} (not echoed): `);
  } catch {
    throw new CliError("cancelled: nothing was set");
  }
}

async function readAllStdin(io: Io): Promise<string> {
  const text = io.readAllStdin ? await io.readAllStdin() : await io.stdin();
  if (text === null) throw new CliError("nothing piped on stdin to import");
  return text;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** dotenv skips lines it cannot read; a file it reads nothing from is refused rather than imported as empty. */
function parseDotenvFile(text: string, file: string): DotenvEntry[] {
  let entries: DotenvEntry[];
  try {
    entries = parseDotenv(text);
  } catch (error) {
    throw new CliError(`${file === "-" ? "stdin" : file}: ${(error as Error).message}`);
  }
  if (entries.length === 0 && /^\s*[^#\s]/m.test(text)) {
    throw new CliError(`${file === "-" ? "stdin" : file}: no NAME=value line that dotenv can read`);
  }
  return entries;
}

function dotenvText(entries: readonly DotenvEntry[], exported: SecretsExport): string {
  try {
    return serializeDotenv(
      entries,
      `keysmith secrets export --env ${exported.environment} (${exported.projectId})`,
    );
  } catch (error) {
    if (error instanceof DotenvValueError) throw new CliError(error.message);
    throw error;
  }
}

const ALLOW_EMPTY = "--allow-empty skips this check";

/** The client's GET for `requireKnownEnvironment`. */
function getter(client: ApiClient) {
  return <T>(path: string, query: Record<string, string | undefined>) => client.get<T>(path, query);
}

/**
 * A SECRET_NOT_FOUND in an environment that was never created (a typo in --env) says so and
 * lists the known environments; other answers pass through.
 */
async function explainNotFound<T>(
  client: ApiClient,
  io: Io,
  flags: SecretFlags,
  answer: Promise<T>,
): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "SECRET_NOT_FOUND") throw error;
    try {
      await requireKnownEnvironment(getter(client), projectOf(io, flags), envOf(io, flags), "");
    } catch (unknown) {
      // The server's code stays; the message adds what the CLI found out.
      if (unknown instanceof CliError) {
        throw new ApiError(error.status, {
          code: error.code,
          message: `${error.message.replace(/\.$/, "")}: ${unknown.message}`,
          ...(error.requestId === null ? {} : { requestId: error.requestId }),
        });
      }
    }
    throw error;
  }
}

function parseJsonEntries(text: string): DotenvEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError("the file is not JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliError('expected a JSON object of names to string values: { "NAME": "value" }');
  }
  return Object.entries(parsed).map(([name, value]) => {
    if (typeof value !== "string") throw new CliError(`the value of ${name} is not a string`);
    return [name, value] as const;
  });
}

function exportValues(client: ApiClient, io: Io, flags: SecretFlags): Promise<SecretsExport> {
  return client.get<SecretsExport>("/v1/secrets/export", {
    projectId: projectOf(io, flags),
    environment: envOf(io, flags),
  });
}

/** The environment's current values, to skip unchanged ones; null when this key may not read them. */
async function currentValues(
  client: ApiClient,
  io: Io,
  flags: SecretFlags,
): Promise<Map<string, string> | null> {
  try {
    const exported = await exportValues(client, io, flags);
    return new Map(exported.secrets.map((s) => [s.name, s.value]));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw error;
  }
}

function secretTable(page: Page<Secret>): string {
  if (page.data.length === 0) return "No secrets.\n";
  return (
    table(page.data, [
      ["env", (s) => s.environment],
      ["name", (s) => s.name],
      ["version", (s) => s.version],
      ["rotate every", (s) => s.rotateEvery],
      ["last rotated", (s) => s.lastRotatedAt],
      [
        "status",
        (s) =>
          s.deletedAt !== null ? "deleted" : s.overdue ? `OVERDUE since ${cell(s.rotationDueAt)}` : "ok",
      ],
    ]) + nextPageHint("keysmith secrets list", page)
  );
}
