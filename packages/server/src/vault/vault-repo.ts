import type { Kysely, Selectable, Transaction } from "kysely";
import type { Dialect } from "../storage/connect.js";
import type {
  Database,
  SecretsTable,
  SecretVersionsTable,
  VaultProjectKeysTable,
} from "../storage/schema.js";
import { Repo } from "../storage/store.js";

export type SecretRow = Selectable<SecretsTable>;
export type SecretVersionRow = Selectable<SecretVersionsTable>;
export type ProjectKeyRow = Selectable<VaultProjectKeysTable>;

/** A secret's current version joined with its name, for export. */
export interface CurrentValueRow extends SecretVersionRow {
  name: string;
}

export interface SecretListFilter {
  projectId: string;
  environment?: string | undefined;
  /** Only these environments (a root key's restriction); null for all. */
  environments: string[] | null;
  includeDeleted: boolean;
}

/**
 * The vault's queries. A `Repo` too, so a vault action and its audit entry share one
 * transaction (`VaultRepo.transaction`).
 */
export class VaultRepo extends Repo {
  /** Runs `work` in one transaction on `db`, with a `VaultRepo` bound to it. */
  static transaction<T>(
    db: Kysely<Database>,
    dialect: Dialect,
    work: (repo: VaultRepo) => Promise<T>,
  ): Promise<T> {
    return db.transaction().execute((trx: Transaction<Database>) => work(new VaultRepo(trx, dialect)));
  }

  /** The connection or transaction this repo runs on, for the vault's meta rows. */
  get executor(): Kysely<Database> | Transaction<Database> {
    return this.db;
  }

  // ── project keys ────────────────────────────────────────────────────────────────────────
  async getProjectKey(projectId: string): Promise<ProjectKeyRow | null> {
    const row = await this.db
      .selectFrom("vault_project_keys")
      .selectAll()
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Inserts unless the project has a key already; true when this call wrote it. */
  async claimProjectKey(row: ProjectKeyRow): Promise<boolean> {
    const result = await this.db
      .insertInto("vault_project_keys")
      .values(row)
      .onConflict((oc) => oc.column("project_id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async allProjectKeys(): Promise<ProjectKeyRow[]> {
    return this.db.selectFrom("vault_project_keys").selectAll().orderBy("project_id").execute();
  }

  async rewrapProjectKey(projectId: string, wrappedKey: string, nonce: string, now: number): Promise<void> {
    await this.db
      .updateTable("vault_project_keys")
      .set({ wrapped_key: wrappedKey, nonce, rewrapped_at: now })
      .where("project_id", "=", projectId)
      .execute();
  }

  // ── secrets ─────────────────────────────────────────────────────────────────────────────
  async getSecret(projectId: string, environment: string, name: string): Promise<SecretRow | null> {
    const row = await this.db
      .selectFrom("secrets")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("environment", "=", environment)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ?? null;
  }

  async insertSecret(row: SecretRow): Promise<void> {
    await this.db.insertInto("secrets").values(row).execute();
  }

  async updateSecret(
    id: string,
    fields: Partial<Omit<SecretRow, "id" | "project_id" | "environment" | "name">>,
  ): Promise<void> {
    await this.db.updateTable("secrets").set(fields).where("id", "=", id).execute();
  }

  /** Takes the next version number in one statement: concurrent writers get distinct numbers. */
  async nextVersion(id: string): Promise<number> {
    const row = await this.db
      .updateTable("secrets")
      .set((eb) => ({ current_version: eb("current_version", "+", 1) }))
      .where("id", "=", id)
      .returning("current_version")
      .executeTakeFirstOrThrow();
    return Number(row.current_version);
  }

  async insertVersion(row: SecretVersionRow): Promise<void> {
    await this.db.insertInto("secret_versions").values(row).execute();
  }

  async getVersion(secretId: string, version: number): Promise<SecretVersionRow | null> {
    const row = await this.db
      .selectFrom("secret_versions")
      .selectAll()
      .where("secret_id", "=", secretId)
      .where("version", "=", version)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Versions newest first, `limit` of them below `beforeVersion`. */
  async listVersions(
    secretId: string,
    beforeVersion: number | null,
    limit: number,
  ): Promise<SecretVersionRow[]> {
    let query = this.db
      .selectFrom("secret_versions")
      .selectAll()
      .where("secret_id", "=", secretId)
      .orderBy("version", "desc")
      .limit(limit);
    if (beforeVersion !== null) query = query.where("version", "<", beforeVersion);
    return query.execute();
  }

  /** Secrets by environment, then name, `limit` of them after the `(environment, name)` cursor. */
  async listSecrets(
    filter: SecretListFilter,
    after: [string, string] | null,
    limit: number,
  ): Promise<SecretRow[]> {
    let query = this.db
      .selectFrom("secrets")
      .selectAll()
      .where("project_id", "=", filter.projectId)
      .orderBy("environment")
      .orderBy("name")
      .limit(limit);
    if (filter.environment !== undefined) query = query.where("environment", "=", filter.environment);
    if (filter.environments !== null)
      query = query.where("environment", "in", filter.environments.length ? filter.environments : [""]);
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
    return query.execute();
  }

  /** The current version of every live secret in an environment, by name. */
  async currentValues(projectId: string, environment: string): Promise<CurrentValueRow[]> {
    return this.db
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
  }
}
