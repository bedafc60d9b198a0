import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/** Projects, keys, root keys, the audit log and a meta table. */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("keysmith_meta")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("projects")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull().unique())
    .addColumn("publishable_scopes", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("keys")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.notNull().references("projects.id"))
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("start", "text", (c) => c.notNull())
    .addColumn("last4", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("owner_id", "text")
    .addColumn("name", "text")
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("meta", "text")
    .addColumn("allowed_origins", "text")
    .addColumn("allowed_ips", "text")
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .addColumn("rolled_from", idType)
    .addColumn("rolled_to", idType)
    .execute();
  await db.schema.createIndex("keys_project_id").on("keys").columns(["project_id", "id"]).execute();
  await db.schema.createIndex("keys_owner_id").on("keys").columns(["owner_id", "id"]).execute();
  await db.schema
    .createTable("root_keys")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.references("projects.id"))
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("start", "text", (c) => c.notNull())
    .addColumn("last4", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", idType)
    .addColumn("revoked_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("id", idType, (c) => c.notNull().unique())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("project_id", "text")
    .addColumn("request_id", "text")
    .addColumn("source_ip", "text")
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_project").on("audit_log").columns(["project_id", "seq"]).execute();
}
