import type { Selectable } from "kysely";
import type { RoleRecord } from "../../domain/identities.js";
import type { Page } from "../../domain/records.js";
import type { RolesTable } from "../schema.js";
import { anyOf, type Executor, page } from "./shared.js";

/** What the store offers outside a unit of work: reads only. */
export type RoleReads = Omit<RoleRepository, "insert" | "update" | "delete" | "setKeyRoles">;

/**
 * Roles, and which keys hold them. Links are rows of `key_roles` by role id, so a renamed role
 * stays attached and a deleted one takes its links with it.
 */
export class RoleRepository {
  constructor(private readonly db: Executor) {}

  async insert(role: RoleRecord): Promise<void> {
    await this.db.insertInto("roles").values(roleRow(role)).execute();
  }

  async update(role: RoleRecord): Promise<void> {
    const { id, project_id: _p, created_at: _c, ...row } = roleRow(role);
    await this.db.updateTable("roles").set(row).where("id", "=", id).execute();
  }

  /** Deletes a role and every key's hold on it. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("key_roles").where("role_id", "=", id).execute();
    await this.db.deleteFrom("roles").where("id", "=", id).execute();
  }

  async get(id: string): Promise<RoleRecord | null> {
    const row = await this.db.selectFrom("roles").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRole(row) : null;
  }

  /** The project's roles with these names (those that exist), by name. */
  async getByNames(projectId: string, names: readonly string[]): Promise<RoleRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.db
      .selectFrom("roles")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("name", "in", names)
      .orderBy("name")
      .execute();
    return rows.map(toRole);
  }

  /** Newest first, within `projectIds` (null: every project). */
  async list(projectIds: string[] | null, after: string | null, limit: number): Promise<Page<RoleRecord>> {
    let query = this.db
      .selectFrom("roles")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectIds) query = query.where("project_id", "in", anyOf(projectIds));
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toRole), limit, (r) => r.id);
  }

  /** Makes `roleIds` the key's roles, exactly. */
  async setKeyRoles(keyId: string, roleIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom("key_roles").where("key_id", "=", keyId).execute();
    if (roleIds.length === 0) return;
    await this.db
      .insertInto("key_roles")
      .values([...new Set(roleIds)].map((roleId) => ({ key_id: keyId, role_id: roleId })))
      .execute();
  }

  /** The roles a key holds, by name. */
  async ofKey(keyId: string): Promise<RoleRecord[]> {
    const rows = await this.db
      .selectFrom("key_roles")
      .innerJoin("roles", "roles.id", "key_roles.role_id")
      .selectAll("roles")
      .where("key_roles.key_id", "=", keyId)
      .orderBy("roles.name")
      .execute();
    return rows.map(toRole);
  }

  /** The role names of each of these keys (keys without roles are left out), for key lists. */
  async namesOfKeys(keyIds: readonly string[]): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>();
    if (keyIds.length === 0) return names;
    const rows = await this.db
      .selectFrom("key_roles")
      .innerJoin("roles", "roles.id", "key_roles.role_id")
      .select(["key_roles.key_id as keyId", "roles.name as name"])
      .where("key_roles.key_id", "in", keyIds)
      .orderBy("roles.name")
      .execute();
    for (const row of rows) {
      const list = names.get(row.keyId);
      if (list) list.push(row.name);
      else names.set(row.keyId, [row.name]);
    }
    return names;
  }
}

function roleRow(r: RoleRecord): RolesTable {
  return {
    id: r.id,
    project_id: r.projectId,
    name: r.name,
    scopes: JSON.stringify(r.scopes),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function toRole(row: Selectable<RolesTable>): RoleRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
