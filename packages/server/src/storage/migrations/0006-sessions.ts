import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Dashboard sessions: a root key exchanged for a cookie. Only the SHA-256 of the session id is
 * kept, so a copy of the database cannot be replayed as a cookie.
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("root_key_id", idType, (c) => c.notNull().references("root_keys.id"))
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("max_expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_root_key").on("sessions").column("root_key_id").execute();
  await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
}
