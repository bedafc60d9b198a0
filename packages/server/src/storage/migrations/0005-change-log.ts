import { type Kysely, sql } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Every change that affects verification, numbered: the Server-Sent Events feed for SDK caches
 * resumes from a number (`Last-Event-ID`). Written in the same transaction as the change.
 */
export async function up(db: Kysely<unknown>, { dialect, idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("key_changes")
    .addColumn("seq", dialect === "postgres" ? sql`bigserial` : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("key_id", idType)
    .addColumn("project_id", idType)
    .addColumn("root_key_id", idType)
    .execute();
}
