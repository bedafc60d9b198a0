import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * The CSRF token joins the session id as a hash: `csrf_token` (kept as is until now) becomes
 * `csrf_hash`, the SHA-256 of a token derived from the session id. Open sessions end here —
 * their tokens cannot be hashed after the fact without keeping them — so signed-in dashboards
 * sign in again once after the upgrade.
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema.dropTable("sessions").execute();
  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("root_key_id", idType, (c) => c.notNull().references("root_keys.id"))
    .addColumn("csrf_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("max_expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_root_key").on("sessions").column("root_key_id").execute();
  await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
}
