import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Identities and roles (SPEC §10). An identity is the customer behind a project's keys, linked
 * by `external_id` = the keys' `owner_id`; its rate limits and credit pool are shared by those
 * keys. A role is a named scope set; `key_roles` links keys to roles by id, so renaming a role
 * needs no rewrite of keys, and deleting one removes its links in the same statement set.
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("identities")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.notNull().references("projects.id"))
    .addColumn("external_id", "text", (c) => c.notNull())
    .addColumn("meta", "text")
    .addColumn("ratelimits", "text")
    .addColumn("credits_remaining", "double precision")
    .addColumn("credits_refill", "text")
    .addColumn("credits_refilled_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("identities_project_external")
    .unique()
    .on("identities")
    .columns(["project_id", "external_id"])
    .execute();

  await db.schema
    .createTable("roles")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.notNull().references("projects.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("roles_project_name")
    .unique()
    .on("roles")
    .columns(["project_id", "name"])
    .execute();

  await db.schema
    .createTable("key_roles")
    .addColumn("key_id", idType, (c) => c.notNull().references("keys.id"))
    .addColumn("role_id", idType, (c) => c.notNull().references("roles.id"))
    .addPrimaryKeyConstraint("key_roles_pk", ["key_id", "role_id"])
    .execute();
  await db.schema.createIndex("key_roles_role").on("key_roles").column("role_id").execute();
}
