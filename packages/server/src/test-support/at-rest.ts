import { existsSync, readFileSync } from "node:fs";
import { sql } from "kysely";
import type { Store } from "../storage/store.js";

/** Every byte of a SQLite database as text: the file, its WAL and shared memory. */
export function sqliteBytes(file: string): string {
  return [file, `${file}-wal`, `${file}-shm`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString("latin1"))
    .join("");
}

/** Every row of every table of a Postgres database, as text: for tests that look for a secret at rest. */
export async function postgresRows(store: Store): Promise<string> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
    store.database,
  );
  const texts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{
      row: string;
    }>`select row_to_json(t)::text as row from ${sql.table(name)} t`.execute(store.database);
    texts.push(...rows.rows.map((r) => r.row));
  }
  return texts.join("\n");
}
