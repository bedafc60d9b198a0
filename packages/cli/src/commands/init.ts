import type { Store } from "@keysmith/server";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { ROOT_KEY_FILE_HELP, rootKeyFile, writeRootKeyFile } from "./root-key-output.js";
import { DATABASE_URL_HELP, describeDatabase, loadServer, localUrl, oneLine } from "./server-config.js";

interface InitFlags {
  databaseUrl?: string;
  json?: boolean;
  rootKeyFile?: string;
}

/**
 * `keysmith init`: migrates a database and creates its first root key, without serving. It starts
 * no logger, so its stdout carries the key alone: `keysmith init --json` is the step automation
 * runs before the first `keysmith serve`, or `--root-key-file` puts the key in a 0600 file.
 */
export function initCommand(program: Command, { io, act }: Context): void {
  program
    .command("init")
    .description("set up a database and print its first root key (once), without starting the server")
    .option("--database-url <url>", DATABASE_URL_HELP)
    .option("--root-key-file <path>", ROOT_KEY_FILE_HELP)
    .option("--json", 'print { "rootKey": "ks_root_live_…" } (or { "rootKey": null, "rootKeyFile" })')
    .action(act((flags: InitFlags) => init(io, flags)));
}

async function init(io: Io, flags: InitFlags): Promise<number> {
  const { server, config } = await loadServer(io, flags, "keysmith init");
  const database = describeDatabase(server, config.databaseUrl);
  let store: Store;
  try {
    store = await server.openStore(config.databaseUrl);
  } catch (error) {
    throw new CliError(`cannot open ${database}: ${oneLine(error)}`);
  }
  let rootKey: string | null;
  try {
    rootKey = await server.bootstrapRootKey(store, server.systemClock);
  } finally {
    await store.close();
  }
  if (rootKey === null) {
    throw new CliError(
      `${database} is already initialized; create more root keys with POST /v1/root-keys ` +
        "(keysmith root-keys create)",
      EXIT.NEGATIVE,
    );
  }
  const file = rootKeyFile(io, flags.rootKeyFile);
  if (file !== null) {
    const failure = await writeRootKeyFile(file, rootKey);
    if (failure === null) {
      io.stdout(
        flags.json
          ? json({ rootKey: null, rootKeyFile: file })
          : `Initialized ${database}.\nThe first root key is in ${file} (mode 0600); it is shown nowhere else.\n`,
      );
      return EXIT.OK;
    }
    // The key exists now and is shown nowhere else: print it rather than lose it.
    io.stderr(`keysmith: could not write the first root key to ${file}: ${failure}\n`);
  }
  if (flags.json) {
    io.stdout(json({ rootKey }));
  } else {
    io.stdout(
      [
        `Initialized ${database}.`,
        "",
        "The first root key — shown once, store it now:",
        "",
        `    ${rootKey}`,
        "",
        "Start the server with `keysmith serve`, then use the key as a Bearer token:",
        `    curl -H "Authorization: Bearer $KEYSMITH_ROOT_KEY" ${localUrl(config)}/v1/projects`,
        "",
      ].join("\n"),
    );
  }
  return EXIT.OK;
}
