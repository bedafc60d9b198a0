import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * The vault: a wrapped key per project, secrets per project and environment, and their
 * versions (ciphertexts only; no value is ever stored in plaintext). Root keys gain an optional
 * list of the vault environments they may touch.
 */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("vault_project_keys")
    .addColumn("project_id", idType, (c) => c.primaryKey().references("projects.id"))
    .addColumn("format", "integer", (c) => c.notNull())
    .addColumn("wrapped_key", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("rewrapped_at", "bigint")
    .execute();

  await db.schema
    .createTable("secrets")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.notNull().references("projects.id"))
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("current_version", "integer", (c) => c.notNull())
    .addColumn("rotate_every", "text")
    .addColumn("rotate_every_ms", "bigint")
    .addColumn("rotated_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  // One secret per name and environment in a project; a deleted one keeps its name (restore).
  await db.schema
    .createIndex("secrets_project_environment_name")
    .on("secrets")
    .columns(["project_id", "environment", "name"])
    .unique()
    .execute();
  // The rotation reminder looks up secrets with a period.
  await db.schema
    .createIndex("secrets_rotate")
    .on("secrets")
    .columns(["rotate_every_ms", "rotated_at"])
    .execute();

  await db.schema
    .createTable("secret_versions")
    .addColumn("secret_id", idType, (c) => c.notNull().references("secrets.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("format", "integer", (c) => c.notNull())
    .addColumn("ciphertext", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("wrapped_dek", "text", (c) => c.notNull())
    .addColumn("dek_nonce", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addPrimaryKeyConstraint("secret_versions_pk", ["secret_id", "version"])
    .execute();

  await db.schema.alterTable("root_keys").addColumn("environments", "text").execute();
}
