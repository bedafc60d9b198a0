import type { RunningServer } from "@keysmith/server";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { CliError, EXIT, type Io } from "../io.js";
import { deliverRootKey, ROOT_KEY_FILE_HELP, rootKeyFile, writeRootKeyFile } from "./root-key-output.js";
import { DATABASE_URL_HELP, loadServer, oneLine, type ServerFlags } from "./server-config.js";

interface ServeFlags extends ServerFlags {
  json?: boolean;
  rootKeyFile?: string;
}

/** `keysmith serve`: runs the server until SIGTERM or SIGINT, then stops gracefully. */
export function serveCommand(program: Command, { io, act }: Context): void {
  program
    .command("serve")
    .description(
      "run the keysmith server (the first start creates the first root key and shows it once, on stderr)",
    )
    .option("--database-url <url>", DATABASE_URL_HELP)
    .option("--host <host>", "the interface to listen on (env KEYSMITH_HOST)")
    .option("--port <port>", "the port to listen on, 0 for any free one (env KEYSMITH_PORT)")
    .option(
      "--log-level <level>",
      "fatal, error, warn, info, debug, trace or silent (env KEYSMITH_LOG_LEVEL)",
    )
    .option("--root-key-file <path>", ROOT_KEY_FILE_HELP)
    .option(
      "--json",
      'print one JSON line, { "url", "rootKey" }, on stdout instead of the banner (automation: prefer `keysmith init --json`)',
    )
    .action(act((flags: ServeFlags) => serve(io, flags)));
}

async function serve(io: Io, flags: ServeFlags): Promise<number> {
  // Armed before anything is printed: whoever sees "listening" may signal at once, and a signal
  // during startup stops the server as soon as it is up. Without a hook (bin.ts passes SIGTERM and
  // SIGINT, tests their own), run until the process ends.
  const shutdown = io.waitForShutdown?.() ?? new Promise<void>(() => {});
  const { server, config } = await loadServer(io, flags, "keysmith serve");
  const file = rootKeyFile(io, flags.rootKeyFile);
  const logger = server.createLogger(config.logLevel, { pretty: io.isTTY });
  let running: RunningServer;
  try {
    running = await server.startServer(config, logger);
  } catch (error) {
    throw new CliError(`could not start: ${oneLine(error)}`);
  }
  // The first root key never goes to stdout, where the JSON log lines go (a journal keeps
  // them): stderr, or the file asked for. `--json` asks for it on stdout explicitly.
  const { rootKey, url } = running;
  if (flags.json) {
    let written = false;
    if (rootKey !== null && file !== null) {
      const failure = await writeRootKeyFile(file, rootKey);
      if (failure !== null)
        io.stderr(`keysmith: could not write the first root key to ${file}: ${failure}\n`);
      written = failure === null;
    }
    const started = written ? { url, rootKey: null, rootKeyFile: file } : { url, rootKey };
    io.stdout(`${JSON.stringify(started)}\n`);
  } else {
    if (rootKey !== null) await deliverRootKey(io, rootKey, file, (key) => rootKeyBanner(key, url));
    io.stdout(`keysmith ${server.VERSION} listening on ${url}\n`);
  }
  await shutdown;
  if (!flags.json) io.stdout("keysmith stopping: finishing in-flight requests\n");
  try {
    await running.stop();
  } catch (error) {
    throw new CliError(`could not stop cleanly: ${oneLine(error)}`);
  }
  if (!flags.json) io.stdout("keysmith stopped\n");
  return EXIT.OK;
}

/** Printed once, on the start that created the database's first root key. */
export function rootKeyBanner(rootKey: string, url: string): string {
  const rule = "─".repeat(72);
  return [
    rule,
    "keysmith created the first root key for this database:",
    "",
    `    ${rootKey}`,
    "",
    "It is shown once — store it now (a password manager or your secret store).",
    "keysmith keeps only its hash and cannot show it again.",
    "",
    "Use it as a Bearer token:",
    `    curl -H "Authorization: Bearer $KEYSMITH_ROOT_KEY" ${url}/v1/projects`,
    rule,
    "",
  ].join("\n");
}
