import { type RawBuilder, sql } from "kysely";
import type { Dialect } from "../connect.js";

/** What a migration may need to know about the database it runs on. */
export interface MigrationContext {
  dialect: Dialect;
  /**
   * The column type for ids. They sort byte-wise (base62 of the creation time in ASCII order),
   * so Postgres gets the "C" collation rather than the database's locale.
   */
  idType: RawBuilder<unknown>;
}

export function migrationContext(dialect: Dialect): MigrationContext {
  return { dialect, idType: dialect === "postgres" ? sql`text collate "C"` : sql`text` };
}
