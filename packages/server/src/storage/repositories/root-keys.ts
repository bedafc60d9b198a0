import type { Selectable } from "kysely";
import type { Page, RootKeyRecord } from "../../domain/records.js";
import type { RootKeysTable } from "../schema.js";
import { type Executor, jsonOrNull, page, parseJson, touchLastUsed } from "./shared.js";

/** What the store offers outside a unit of work. */
export type RootKeyReads = Omit<RootKeyRepository, "insert" | "revoke">;

/** Root keys: the management credentials, and the tree of who created whom. */
export class RootKeyRepository {
  constructor(private readonly db: Executor) {}

  async insert(root: RootKeyRecord): Promise<void> {
    await this.db.insertInto("root_keys").values(rootRow(root)).execute();
  }

  async revoke(id: string, at: number): Promise<void> {
    await this.db.updateTable("root_keys").set({ revoked_at: at }).where("id", "=", id).execute();
  }

  /** The live root keys that any of `creatorIds` created (one level of the tree). */
  async liveCreatedBy(creatorIds: readonly string[]): Promise<RootKeyRecord[]> {
    if (creatorIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("root_keys")
      .selectAll()
      .where("created_by", "in", creatorIds)
      .where("revoked_at", "is", null)
      .execute();
    return rows.map(toRoot);
  }

  async get(id: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom("root_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRoot(row) : null;
  }

  async getByHash(hash: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom("root_keys").selectAll().where("hash", "=", hash).executeTakeFirst();
    return row ? toRoot(row) : null;
  }

  async list(projectId: string | null, after: string | null, limit: number): Promise<Page<RootKeyRecord>> {
    let query = this.db
      .selectFrom("root_keys")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectId) query = query.where("project_id", "=", projectId);
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toRoot), limit, (r) => r.id);
  }

  /** Records last-use times, never moving one backwards. */
  touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    return touchLastUsed(this.db, "root_keys", lastUsed);
  }
}

function rootRow(r: RootKeyRecord): RootKeysTable {
  return {
    id: r.id,
    project_id: r.projectId,
    hash: r.hash,
    start: r.start,
    last4: r.last4,
    name: r.name,
    scopes: JSON.stringify(r.scopes),
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    created_by: r.createdBy,
    revoked_at: r.revokedAt,
    last_used_at: r.lastUsedAt,
    environments: jsonOrNull(r.environments),
  };
}

function toRoot(row: Selectable<RootKeysTable>): RootKeyRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    hash: row.hash,
    start: row.start,
    last4: row.last4,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    environments: parseJson(row.environments),
  };
}
