import type { Store } from "@keysmith/server";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { DATABASE_URL_HELP, describeDatabase, loadServer, localUrl, oneLine } from "./server-config.js";

interface InitFlags {
  databaseUrl?: string;
  json?: boolean;
}

/** `keysmith init`: migrates a database and creates its first root key, without serving. */
export function initCommand(program: Command, { io, act }: Context): void {
  program
    .command("init")
    .description("set up a database and print its first root key (once), without starting the server")
    .option("--database-url <url>", DATABASE_URL_HELP)
    .option("--json", 'print { "rootKey": "ks_root_live_…" }')
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
