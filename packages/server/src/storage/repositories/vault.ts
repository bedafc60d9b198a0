import { type Selectable, sql } from "kysely";
import type { Page } from "../../domain/records.js";
import type {
  CurrentValueRecord,
  ProjectKeyRecord,
  SealedVersionRecord,
  SecretChanges,
  SecretFilter,
  SecretRecord,
  SecretVersionRecord,
} from "../../domain/vault.js";
import type { SecretsTable, SecretVersionsTable, VaultProjectKeysTable } from "../schema.js";
import { anyOf, type Executor, page } from "./shared.js";

/** What the store offers outside a unit of work. */
export type VaultReads = Omit<
  VaultRepository,
  "claimProjectKey" | "rewrapProjectKey" | "insertSecret" | "updateSecret" | "nextVersion" | "insertVersion"
>;

/** The vault: project keys (wrapped), secrets and their sealed versions. */
export class VaultRepository {
  constructor(private readonly db: Executor) {}

  // ── project keys ────────────────────────────────────────────────────────────────────────

  async getProjectKey(projectId: string): Promise<ProjectKeyRecord | null> {
    const row = await this.db
      .selectFrom("vault_project_keys")
      .selectAll()
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return row ? toProjectKey(row) : null;
  }

  /** Inserts unless the project has a key already; true when this call wrote it. */
  async claimProjectKey(key: ProjectKeyRecord): Promise<boolean> {
    const result = await this.db
      .insertInto("vault_project_keys")
      .values(projectKeyRow(key))
      .onConflict((oc) => oc.column("project_id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Every project key, by project id. */
  async listProjectKeys(): Promise<ProjectKeyRecord[]> {
    const rows = await this.db.selectFrom("vault_project_keys").selectAll().orderBy("project_id").execute();
    return rows.map(toProjectKey);
  }

  /** Replaces a project key's wrapping (a master key rotation). */
  async rewrapProjectKey(
    projectId: string,
    wrapped: { wrappedKey: string; nonce: string },
    at: number,
  ): Promise<void> {
    await this.db
      .updateTable("vault_project_keys")
      .set({ wrapped_key: wrapped.wrappedKey, nonce: wrapped.nonce, rewrapped_at: at })
      .where("project_id", "=", projectId)
      .execute();
  }

  // ── secrets ─────────────────────────────────────────────────────────────────────────────

  async getSecret(projectId: string, environment: string, name: string): Promise<SecretRecord | null> {
    const row = await this.db
      .selectFrom("secrets")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("environment", "=", environment)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? toSecret(row) : null;
  }

  async insertSecret(secret: SecretRecord): Promise<void> {
    await this.db.insertInto("secrets").values(secretRow(secret)).execute();
  }

  /** Changes only the fields given, so a concurrent writer's other fields survive. */
  async updateSecret(id: string, changes: SecretChanges): Promise<void> {
    const set: Partial<SecretsTable> = {};
    if (changes.currentVersion !== undefined) set.current_version = changes.currentVersion;
    if (changes.rotateEvery !== undefined) set.rotate_every = changes.rotateEvery;
    if (changes.rotateEveryMs !== undefined) set.rotate_every_ms = changes.rotateEveryMs;
    if (changes.rotatedAt !== undefined) set.rotated_at = changes.rotatedAt;
    if (changes.updatedAt !== undefined) set.updated_at = changes.updatedAt;
    if (changes.deletedAt !== undefined) set.deleted_at = changes.deletedAt;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable("secrets").set(set).where("id", "=", id).execute();
  }

  /** Takes the next version number in one statement: concurrent writers get distinct numbers. */
  async nextVersion(secretId: string): Promise<number> {
    const row = await this.db
      .updateTable("secrets")
      .set((eb) => ({ current_version: eb("current_version", "+", 1) }))
      .where("id", "=", secretId)
      .returning("current_version")
      .executeTakeFirstOrThrow();
    return Number(row.current_version);
  }

  async insertVersion(version: SealedVersionRecord): Promise<void> {
    await this.db.insertInto("secret_versions").values(versionRow(version)).execute();
  }

  async getVersion(secretId: string, version: number): Promise<SealedVersionRecord | null> {
    const row = await this.db
      .selectFrom("secret_versions")
      .selectAll()
      .where("secret_id", "=", secretId)
      .where("version", "=", version)
      .executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  /** Who wrote which version and when, newest first, below the `before` version; never a value. */
  async listVersions(
    secretId: string,
    before: number | null,
    limit: number,
  ): Promise<Page<SecretVersionRecord>> {
    let query = this.db
      .selectFrom("secret_versions")
      .select(["version", "created_at", "created_by"])
      .where("secret_id", "=", secretId)
      .orderBy("version", "desc")
      .limit(limit + 1);
    if (before !== null) query = query.where("version", "<", before);
    const rows = (await query.execute()).map((row) => ({
      version: Number(row.version),
      createdAt: Number(row.created_at),
      createdBy: row.created_by,
    }));
    return page(rows, limit, (v) => String(v.version));
  }

  /** Secrets by environment, then name, `limit` of them after the `(environment, name)` cursor. */
  async listSecrets(
    filter: SecretFilter,
    after: readonly [string, string] | null,
    limit: number,
  ): Promise<{ items: SecretRecord[]; next: [string, string] | null }> {
    let query = this.db
      .selectFrom("secrets")
      .selectAll()
      .where("project_id", "=", filter.projectId)
      .orderBy("environment")
      .orderBy("name")
      .limit(limit + 1);
    if (filter.environment !== undefined) query = query.where("environment", "=", filter.environment);
    if (filter.environments !== null) query = query.where("environment", "in", anyOf(filter.environments));
    if (!filter.includeDeleted) query = query.where("deleted_at", "is", null);
    if (after) {
      const [environment, name] = after;
      query = query.where((eb) =>
        eb.or([
          eb("environment", ">", environment),
          eb.and([eb("environment", "=", environment), eb("name", ">", name)]),
        ]),
      );
    }
    const rows = (await query.execute()).map(toSecret);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? [last.environment, last.name] : null };
  }

  /** The current version of every live secret in an environment, by name. */
  async currentValues(projectId: string, environment: string): Promise<CurrentValueRecord[]> {
    const rows = await this.db
      .selectFrom("secrets as s")
      .innerJoin("secret_versions as v", (join) =>
        join.onRef("v.secret_id", "=", "s.id").onRef("v.version", "=", "s.current_version"),
      )
      .select([
        "s.name",
        "v.secret_id",
        "v.version",
        "v.format",
        "v.ciphertext",
        "v.nonce",
        "v.wrapped_dek",
        "v.dek_nonce",
        "v.created_at",
        "v.created_by",
      ])
      .where("s.project_id", "=", projectId)
      .where("s.environment", "=", environment)
      .where("s.deleted_at", "is", null)
      .orderBy("s.name")
      .execute();
    return rows.map((row) => ({ ...toVersion(row), name: row.name }));
  }

  /**
   * Live secrets whose rotation is due at `now` (last rotation plus the period) and not yet
   * alerted for that due date (`secret.rotation_due:<id>:<due ms>`), oldest rotation first.
   */
  async rotationDue(now: number, limit: number): Promise<SecretRecord[]> {
    const dueAt = sql<number>`secrets.rotated_at + secrets.rotate_every_ms`;
    const idempotencyKey = sql<string>`${"secret.rotation_due:"} || secrets.id || ${":"} || cast(secrets.rotated_at + secrets.rotate_every_ms as text)`;
    const rows = await this.db
      .selectFrom("secrets")
      .selectAll()
      .where("deleted_at", "is", null)
      .where("rotate_every_ms", "is not", null)
      .where(dueAt, "<=", now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("alerts").select("alerts.id").where("alerts.idempotency_key", "=", idempotencyKey),
          ),
        ),
      )
      .orderBy("rotated_at")
      .limit(limit)
      .execute();
    return rows.map(toSecret);
  }
}

function projectKeyRow(k: ProjectKeyRecord): VaultProjectKeysTable {
  return {
    project_id: k.projectId,
    format: k.format,
    wrapped_key: k.wrappedKey,
    nonce: k.nonce,
    created_at: k.createdAt,
    rewrapped_at: k.rewrappedAt,
  };
}

function toProjectKey(row: Selectable<VaultProjectKeysTable>): ProjectKeyRecord {
  return {
    projectId: row.project_id,
    format: Number(row.format),
    wrappedKey: row.wrapped_key,
    nonce: row.nonce,
    createdAt: Number(row.created_at),
    rewrappedAt: row.rewrapped_at === null ? null : Number(row.rewrapped_at),
  };
}

function secretRow(s: SecretRecord): SecretsTable {
  return {
    id: s.id,
    project_id: s.projectId,
    environment: s.environment,
    name: s.name,
    current_version: s.currentVersion,
    rotate_every: s.rotateEvery,
    rotate_every_ms: s.rotateEveryMs,
    rotated_at: s.rotatedAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    deleted_at: s.deletedAt,
  };
}

function toSecret(row: Selectable<SecretsTable>): SecretRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    environment: row.environment,
    name: row.name,
    currentVersion: Number(row.current_version),
    rotateEvery: row.rotate_every,
    rotateEveryMs: row.rotate_every_ms === null ? null : Number(row.rotate_every_ms),
    rotatedAt: Number(row.rotated_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

function versionRow(v: SealedVersionRecord): SecretVersionsTable {
  return {
    secret_id: v.secretId,
    version: v.version,
    format: v.format,
    ciphertext: v.ciphertext,
    nonce: v.nonce,
    wrapped_dek: v.wrappedDek,
    dek_nonce: v.dekNonce,
    created_at: v.createdAt,
    created_by: v.createdBy,
  };
}

function toVersion(row: Selectable<SecretVersionsTable>): SealedVersionRecord {
  return {
    secretId: row.secret_id,
    version: Number(row.version),
    format: Number(row.format),
    ciphertext: row.ciphertext,
    nonce: row.nonce,
    wrappedDek: row.wrapped_dek,
    dekNonce: row.dek_nonce,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  };
}
