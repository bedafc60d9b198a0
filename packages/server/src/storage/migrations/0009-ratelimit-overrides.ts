import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Overrides of standalone rate limits (`PUT /v1/ratelimit/overrides`): per namespace, one row per
 * identifier or identifier prefix (ending in `*`). `duration` keeps the value as sent (JSON: a
 * string such as `"1m"` or a number of ms), `duration_ms` what it means.
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .createTable("ratelimit_overrides")
    .addColumn("namespace", "text", (c) => c.notNull())
    .addColumn("identifier", "text", (c) => c.notNull())
    .addColumn("request_limit", "bigint", (c) => c.notNull())
    .addColumn("duration", "text", (c) => c.notNull())
    .addColumn("duration_ms", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("ratelimit_overrides_pk", ["namespace", "identifier"])
    .execute();
}
