import type { MasterKeySource, Store } from "@keysmith/server";
import { type Command, Option } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { DATABASE_URL_HELP, describeDatabase, loadServer, oneLine } from "./server-config.js";

interface RotateFlags {
  databaseUrl?: string;
  newFromStdin?: "key" | "passphrase";
  json?: boolean;
}

/** `keysmith vault rotate-master`: re-wraps the vault's project keys under a new master key. */
export function vaultCommands(program: Command, { io, act }: Context): void {
  const vault = program
    .command("vault")
    .description("the vault's master key (talks to the database directly)");
  vault
    .command("rotate-master")
    .description(
      "re-wrap every project key under a new master key, in one transaction; values are not decrypted",
    )
    .option("--database-url <url>", DATABASE_URL_HELP)
    .addOption(
      new Option(
        "--new-from-stdin <kind>",
        "read the new master key (base64) or passphrase from stdin's first line",
      ).choices(["key", "passphrase"]),
    )
    .option("--json", 'print { "database", "projectKeys" }')
    .addHelpText(
      "after",
      "\nThe current key comes from KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE, the new one from\n" +
        "KEYSMITH_NEW_MASTER_KEY or KEYSMITH_NEW_MASTER_PASSPHRASE (or stdin), never from arguments:\n" +
        "  KEYSMITH_NEW_MASTER_KEY=$(openssl rand -base64 32) keysmith vault rotate-master\n" +
        "Restart every server with the new key afterwards; until then they cannot open project keys.",
    )
    .action(act((flags: RotateFlags) => rotate(io, flags)));
}

async function rotate(io: Io, flags: RotateFlags): Promise<number> {
  const { server, config } = await loadServer(io, flags, "keysmith vault rotate-master");
  let from: MasterKeySource | null;
  let to: MasterKeySource | null;
  try {
    from = server.masterKeySource(config);
    to = await newSource(io, flags, server.masterKeySource);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
  if (from === null) {
    throw new CliError("set the current master key in KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE");
  }
  if (to === null) {
    throw new CliError(
      "no new master key: set KEYSMITH_NEW_MASTER_KEY or KEYSMITH_NEW_MASTER_PASSPHRASE, or pipe it with --new-from-stdin",
    );
  }
  const database = describeDatabase(server, config.databaseUrl);
  let store: Store;
  try {
    store = await server.openStore(config.databaseUrl);
  } catch (error) {
    throw new CliError(`cannot open ${database}: ${oneLine(error)}`);
  }
  try {
    const result = await server.rotateMasterKey(store, from, to, io.now?.() ?? Date.now());
    if (flags.json) io.stdout(json({ database, ...result }));
    else {
      io.stdout(
        `Re-wrapped ${result.projectKeys} project key${result.projectKeys === 1 ? "" : "s"} in ${database} ` +
          `under the new master key.\nRestart every keysmith server with ` +
          `${to.kind === "key" ? "KEYSMITH_MASTER_KEY" : "KEYSMITH_MASTER_PASSPHRASE"} set to it.\n`,
      );
    }
    return EXIT.OK;
  } catch (error) {
    throw new CliError(`rotation failed, nothing changed: ${oneLine(error)}`);
  } finally {
    await store.close();
  }
}

async function newSource(
  io: Io,
  flags: RotateFlags,
  parse: typeof import("@keysmith/server")["masterKeySource"],
): Promise<MasterKeySource | null> {
  const variables = { key: "KEYSMITH_NEW_MASTER_KEY", passphrase: "KEYSMITH_NEW_MASTER_PASSPHRASE" };
  if (flags.newFromStdin) {
    const line = (await io.stdin()).split(/\r?\n/, 1)[0] ?? "";
    const given =
      flags.newFromStdin === "key"
        ? { masterKey: line, masterPassphrase: "" }
        : { masterKey: "", masterPassphrase: line };
    return parse(given, { key: "the new master key on stdin", passphrase: "the new passphrase on stdin" });
  }
  return parse(
    {
      masterKey: io.env.KEYSMITH_NEW_MASTER_KEY ?? "",
      masterPassphrase: io.env.KEYSMITH_NEW_MASTER_PASSPHRASE ?? "",
    },
    variables,
  );
}
