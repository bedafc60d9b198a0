import { Command, CommanderError } from "commander";
import { alertsCommands } from "./commands/alerts.js";
import { auditCommand } from "./commands/audit.js";
import { auditLogCommands } from "./commands/audit-log.js";
import { completionCommand } from "./commands/completion.js";
import { hookCommands } from "./commands/hook.js";
import { identitiesCommands, rolesCommands } from "./commands/identities.js";
import { initCommand } from "./commands/init.js";
import { keysCommands } from "./commands/keys.js";
import { configCommand, linkCommand } from "./commands/link.js";
import { migrateCommand } from "./commands/migrate.js";
import { projectsCommands } from "./commands/projects.js";
import { ratelimitCommands } from "./commands/ratelimit.js";
import { rootKeysCommands } from "./commands/root-keys.js";
import { runCommand } from "./commands/run.js";
import { scanCommand } from "./commands/scan.js";
import { secretsCommands } from "./commands/secrets.js";
import { serveCommand } from "./commands/serve.js";
import { usageCommand } from "./commands/usage.js";
import { vaultCommands } from "./commands/vault.js";
import { webhooksCommands } from "./commands/webhooks.js";
import type { Context } from "./context.js";
import { DEFAULT_URL } from "./context.js";
import { describeError, type Exposed, errorJson } from "./errors.js";
import { json, looksLikeKey, redactKeys } from "./format.js";
import { CliError, EXIT, type Io } from "./io.js";

const HELP_FOOTER = `
Environment:
  KEYSMITH_URL          the server client commands talk to (default ${DEFAULT_URL})
  KEYSMITH_PROJECT      the project for commands that need one (--project wins)
  KEYSMITH_ENV          the vault environment for secrets and run (--env wins)
  KEYSMITH_ROOT_KEY     the root key client commands send as Bearer; never taken from arguments
  KEYSMITH_VERIFY_KEY   the key \`keys verify\` checks when none is piped on stdin
  KEYSMITH_DATABASE_URL, KEYSMITH_HOST, KEYSMITH_PORT, KEYSMITH_LOG_LEVEL
                        server settings for serve, init and migrate (flags win)
  KEYSMITH_ROOT_KEY_FILE
                        serve and init write the first root key to this new 0600 file
                        instead of the terminal (--root-key-file wins)

Directory config: keysmith.json or .keysmith/config.toml in this directory or the nearest parent
holds url, project and env (\`keysmith link\` writes it, \`keysmith config\` shows what applies).
Flags win over variables, variables over the file, the file over the defaults. It never holds
the root key.

serve, init, migrate and vault rotate-master run the server: they need the @keysmith/server
package installed next to the CLI (a checkout of the repository has it).

Exit codes:
  0  success
  1  a negative answer: an invalid key, a broken audit chain, an already initialized database,
     secrets found (scan), a failed project audit (audit)
  2  a usage, configuration, network or API error; also an --env that has no secrets and was
     never created (run, secrets list and export list the known ones; --allow-empty runs anyway)`;

/**
 * Runs the keysmith CLI on `argv` (without `node` and the script) and returns the exit code.
 * Everything outside goes through `io`, so tests call it in-process.
 *
 * @example const code = await run(["projects", "list", "--json"], io);
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  // A key on the command line lands in shell history and `ps`: refuse before anything echoes it.
  if (argv.some(looksLikeKey)) {
    io.stderr(
      "keysmith: refusing a key given as an argument (shell history and ps would keep it); " +
        "pipe it on stdin or use KEYSMITH_VERIFY_KEY / KEYSMITH_ROOT_KEY\n",
    );
    return EXIT.ERROR;
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    const { VERSION } = await import("./version.js");
    io.stdout(`${VERSION}\n`);
    return EXIT.OK;
  }
  let exitCode: number = EXIT.OK;
  let running: Command | undefined;
  const program = createProgram({
    io,
    act:
      (fn) =>
      async (...args) => {
        exitCode = await fn(...args);
      },
  });
  program.hook("preAction", (_program, action) => {
    running = action;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return report(io, error, running);
  }
}

/** The program: every command, as `--help` and `keysmith completion` show them. */
export function createProgram(context: Context): Command {
  const { io } = context;
  const program = new Command("keysmith")
    .description("keysmith: issue, verify, roll and revoke API keys, and run the server that does it")
    .option("-V, --version", "print the version")
    // Program options only before the command: `secrets get --version 2` is the command's, and
    // `run` passes everything after its command name through to the child.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`${redactKeys(oneLine(text.replace(/^error: /, "keysmith: ")))}\n`),
    })
    .showSuggestionAfterError()
    .addHelpText("after", HELP_FOOTER);
  serveCommand(program, context);
  initCommand(program, context);
  migrateCommand(program, context);
  projectsCommands(program, context);
  keysCommands(program, context);
  rootKeysCommands(program, context);
  identitiesCommands(program, context);
  rolesCommands(program, context);
  usageCommand(program, context);
  webhooksCommands(program, context);
  alertsCommands(program, context);
  ratelimitCommands(program, context);
  auditLogCommands(program, context);
  secretsCommands(program, context);
  runCommand(program, context);
  vaultCommands(program, context);
  scanCommand(program, context);
  hookCommands(program, context);
  auditCommand(program, context);
  linkCommand(program, context);
  configCommand(program, context);
  completionCommand(program, context);
  return program;
}

/**
 * Prints a failure as one line on stderr, in the CLI's words (the flags of the command that
 * failed, not the API's field names), and returns its exit code. With `--json`, an error with a
 * stable code is also printed on stdout as `{ "error": { code, message, … } }`.
 */
function report(io: Io, error: unknown, command: Command | undefined): number {
  // commander has printed its own message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
  const exposed = command ? exposedBy(command) : undefined;
  io.stderr(`keysmith: ${redactKeys(describeError(error, io, exposed))}\n`);
  const asJson = command?.opts().json === true ? errorJson(error, io, exposed) : null;
  if (asJson) io.stdout(json(asJson));
  return error instanceof CliError ? error.exitCode : EXIT.ERROR;
}

function exposedBy(command: Command): Exposed {
  return {
    flags: command.options.map((option) => option.long).filter((long) => long !== undefined),
    args: command.registeredArguments.map((argument) => argument.name()),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
