import type { Kysely } from "kysely";
import type { MigrationContext } from "./context.js";

/** Alerts (once per idempotency key), webhook endpoints and the delivery outbox. */
export async function up(db: Kysely<unknown>, { idType }: MigrationContext): Promise<void> {
  await db.schema
    .createTable("alerts")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("project_id", idType)
    .addColumn("key_id", idType)
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  // The unique index is what makes an alert fire once, across nodes and restarts.
  await db.schema
    .createIndex("alerts_idempotency_key")
    .on("alerts")
    .column("idempotency_key")
    .unique()
    .execute();
  await db.schema.createIndex("alerts_project").on("alerts").columns(["project_id", "id"]).execute();
  await db.schema.createIndex("alerts_key").on("alerts").columns(["key_id", "id"]).execute();

  await db.schema
    .createTable("webhooks")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("project_id", idType, (c) => c.references("projects.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  await db.schema.createIndex("webhooks_project").on("webhooks").columns(["project_id", "id"]).execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", idType, (c) => c.primaryKey())
    .addColumn("webhook_id", idType, (c) => c.notNull().references("webhooks.id"))
    .addColumn("alert_id", idType, (c) => c.notNull().references("alerts.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("locked_until", "bigint")
    .addColumn("last_attempt_at", "bigint")
    .addColumn("response_status", "integer")
    .addColumn("error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_webhook_alert")
    .on("webhook_deliveries")
    .columns(["webhook_id", "alert_id"])
    .unique()
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_log")
    .on("webhook_deliveries")
    .columns(["webhook_id", "id"])
    .execute();

  // The key.expiring check looks up keys by expiry; without this it scans every key.
  await db.schema.createIndex("keys_expires_at").on("keys").column("expires_at").execute();
}
