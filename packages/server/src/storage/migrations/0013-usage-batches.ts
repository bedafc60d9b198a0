import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * The usage batches already written, by id: a batch whose reply was lost (the connection broke
 * after the commit) is sent again with the same id and skipped, so it is counted once. Rows
 * older than a day are deleted as batches are written.
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .createTable("usage_batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("applied_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("usage_batches_applied").on("usage_batches").column("applied_at").execute();
}
