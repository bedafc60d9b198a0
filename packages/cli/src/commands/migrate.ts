import type { Store } from "@keysmith/server";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { DATABASE_URL_HELP, describeDatabase, loadServer, oneLine } from "./server-config.js";

interface MigrateFlags {
  databaseUrl?: string;
  json?: boolean;
}

/** `keysmith migrate`: applies pending schema migrations, as its own step of a rolling deploy. */
export function migrateCommand(program: Command, { io, act }: Context): void {
  program
    .command("migrate")
    .description("apply pending database migrations (run it before rolling out new nodes)")
    .option("--database-url <url>", DATABASE_URL_HELP)
    .option("--json", 'print { "database", "applied": [...], "migrations": [...] }')
    .action(act((flags: MigrateFlags) => migrate(io, flags)));
}

async function migrate(io: Io, flags: MigrateFlags): Promise<number> {
  const { server, config } = await loadServer(io, flags, "keysmith migrate");
  const database = describeDatabase(server, config.databaseUrl);
  let store: Store;
  try {
    store = await server.openStore(config.databaseUrl, { migrate: false });
  } catch (error) {
    throw new CliError(`cannot open ${database}: ${oneLine(error)}`);
  }
  let before: string[];
  let after: string[];
  try {
    before = await appliedMigrations(store);
    const failure = await server.migrateStore(store, store.dialect);
    if (failure !== null) throw new CliError(`${database}: ${failure}`);
    after = await appliedMigrations(store);
  } finally {
    await store.close();
  }
  const applied = after.filter((name) => !before.includes(name));
  if (flags.json) {
    io.stdout(json({ database, applied, migrations: after }));
  } else if (applied.length === 0) {
    io.stdout(`${database} is up to date (${after.length} migrations applied before).\n`);
  } else {
    io.stdout(`Migrated ${database}:\n${applied.map((name) => `  applied ${name}\n`).join("")}`);
  }
  return EXIT.OK;
}

/**
 * The names of the migrations a database has applied. The server's `migrateStore` reports only
 * failure, so this reads the migrator's table; a database that was never migrated has none.
 */
async function appliedMigrations(store: Store): Promise<string[]> {
  try {
    const rows = await store.database
      .withTables<{ keysmith_migrations: { name: string } }>()
      .selectFrom("keysmith_migrations")
      .select("name")
      .orderBy("name")
      .execute();
    return rows.map((row) => row.name);
  } catch {
    return [];
  }
}
