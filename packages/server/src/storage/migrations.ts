import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import type { Dialect } from "./connect.js";
import * as foundation from "./migrations/0001-foundation.js";
import * as metering from "./migrations/0002-metering.js";
import * as alertsWebhooks from "./migrations/0003-alerts-webhooks.js";
import * as vault from "./migrations/0004-vault.js";
import * as changeLog from "./migrations/0005-change-log.js";
import * as sessions from "./migrations/0006-sessions.js";
import * as webhookSecrets from "./migrations/0007-webhook-secrets.js";
import * as sessionHashes from "./migrations/0008-session-hashes.js";
import * as ratelimitOverrides from "./migrations/0009-ratelimit-overrides.js";
import * as identitiesRoles from "./migrations/0010-identities-roles.js";
import * as usageTags from "./migrations/0011-usage-tags.js";
import * as importedKeys from "./migrations/0012-imported-keys.js";
import * as usageBatches from "./migrations/0013-usage-batches.js";
import { type MigrationContext, migrationContext } from "./migrations/context.js";

type Step = { up(db: Kysely<unknown>, context: MigrationContext): Promise<void> };

/** Every migration, applied in name order. Add a file per step; never edit a released one. */
const STEPS: Record<string, Step> = {
  "0001_foundation": foundation,
  "0002_metering": metering,
  "0003_alerts_webhooks": alertsWebhooks,
  "0004_vault": vault,
  "0005_change_log": changeLog,
  "0006_sessions": sessions,
  "0008_session_hashes": sessionHashes,
  "0007_webhook_secrets": webhookSecrets,
  "0011_usage_tags": usageTags,
  "0012_imported_keys": importedKeys,
  "0009_ratelimit_overrides": ratelimitOverrides,
  "0010_identities_roles": identitiesRoles,
  "0013_usage_batches": usageBatches,
};

function migrations(dialect: Dialect): Record<string, Migration> {
  const context = migrationContext(dialect);
  return Object.fromEntries(
    Object.entries(STEPS).map(([name, step]) => [
      name,
      { up: (db: Kysely<unknown>) => step.up(db, context) },
    ]),
  );
}

/**
 * Brings the schema up to date. Returns Kysely's result set instead of throwing, so callers
 * (the server, `keysmith migrate`) decide how to report a failure.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: "keysmith_migrations",
    migrationLockTableName: "keysmith_migrations_lock",
    // Steps written in parallel branches may land out of name order; apply whatever is missing.
    allowUnorderedMigrations: true,
  });
  return migrator.migrateToLatest();
}
