import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Metering: per-key limits, credits and budget settings; usage counted per key, minute and
 * outcome; spend per budget subject and period.
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema.alterTable("keys").addColumn("ratelimits", "text").execute();
  await db.schema.alterTable("keys").addColumn("credits_remaining", "double precision").execute();
  await db.schema.alterTable("keys").addColumn("credits_refill", "text").execute();
  await db.schema.alterTable("keys").addColumn("credits_refilled_at", "bigint").execute();
  await db.schema.alterTable("keys").addColumn("budget", "text").execute();

  await db.schema
    .createTable("usage_minutes")
    .addColumn("key_id", idType, (c) => c.notNull())
    .addColumn("minute", "bigint", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("project_id", idType, (c) => c.notNull())
    .addColumn("owner_id", "text")
    .addColumn("count", "bigint", (c) => c.notNull())
    .addColumn("spend", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("usage_minutes_pk", ["key_id", "minute", "code"])
    .execute();
  await db.schema
    .createIndex("usage_minutes_project")
    .on("usage_minutes")
    .columns(["project_id", "minute"])
    .execute();

  await db.schema
    .createTable("budget_spend")
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("period_start", "bigint", (c) => c.notNull())
    .addColumn("spent", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("budget_spend_pk", ["subject", "period_start"])
    .execute();
}
