import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Usage split by the `tags` a verification carried: one row per key, minute, outcome and tag,
 * beside `usage_minutes` (which counts every verification once, tagged or not).
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("usage_tags")
    .addColumn("key_id", idType, (c) => c.notNull())
    .addColumn("minute", "bigint", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("tag", "text", (c) => c.notNull())
    .addColumn("project_id", idType, (c) => c.notNull())
    .addColumn("owner_id", "text")
    .addColumn("count", "bigint", (c) => c.notNull())
    .addColumn("spend", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("usage_tags_pk", ["key_id", "minute", "code", "tag"])
    .execute();
  await db.schema
    .createIndex("usage_tags_project")
    .on("usage_tags")
    .columns(["project_id", "tag", "minute"])
    .execute();
}
