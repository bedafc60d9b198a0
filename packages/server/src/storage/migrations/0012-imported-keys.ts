import { type Kysely, sql } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Keys imported by hash (`POST /v1/keys/import`): their plaintext may be in another system's
 * format, so verification looks up a string that does not parse only in projects holding some.
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .alterTable("keys")
    .addColumn("imported", "integer", (c) => c.notNull().defaultTo(sql`0`))
    .execute();
  await db.schema
    .createIndex("keys_imported_project")
    .on("keys")
    .columns(["imported", "project_id"])
    .execute();
}
