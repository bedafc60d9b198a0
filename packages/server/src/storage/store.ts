import type { KeyEnvironment, KeyType } from "@keysmith/core";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { auditHash, GENESIS_HASH } from "../audit/audit-chain.js";
import type { Dialect } from "./connect.js";
import type {
  AuditEntry,
  AuditFilter,
  AuditInput,
  KeyFilter,
  KeyRecord,
  Page,
  ProjectRecord,
  RootKeyRecord,
} from "./records.js";
import type { Database, KeysTable, ProjectsTable, RootKeysTable } from "./schema.js";

type Executor = Kysely<Database> | Transaction<Database>;

// Any constant works: it names the lock that serialises audit appends across Postgres sessions.
const AUDIT_LOCK_ID = 0x6b73_6175; // "ksau"

/**
 * keysmith's data access, one class for both dialects. Reads go straight to the database;
 * writes that belong together run in `transaction`, which hands out a `Repo` bound to it, so an
 * action and its audit entry commit or fail as one.
 */
export class Repo {
  constructor(
    protected readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  // ── meta ────────────────────────────────────────────────────────────────────────────────
  async getMeta(name: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("keysmith_meta")
      .select("value")
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  /** Inserts unless present; true when this call wrote it. Safe against concurrent callers. */
  async claimMeta(name: string, value: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("keysmith_meta")
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  // ── projects ────────────────────────────────────────────────────────────────────────────
  async insertProject(project: ProjectRecord): Promise<void> {
    await this.db.insertInto("projects").values(projectRow(project)).execute();
  }

  async updateProject(project: ProjectRecord): Promise<void> {
    const { id, ...row } = projectRow(project);
    await this.db.updateTable("projects").set(row).where("id", "=", id).execute();
  }

  async getProject(id: string): Promise<ProjectRecord | null> {
    const row = await this.db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async getProjectByPrefix(prefix: string): Promise<ProjectRecord | null> {
    const row = await this.db
      .selectFrom("projects")
      .selectAll()
      .where("prefix", "=", prefix)
      .executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async listProjects(
    projectIds: string[] | null,
    after: string | null,
    limit: number,
  ): Promise<Page<ProjectRecord>> {
    let query = this.db
      .selectFrom("projects")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectIds) query = query.where("id", "in", projectIds.length ? projectIds : [""]);
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toProject), limit, (p) => p.id);
  }

  // ── keys ────────────────────────────────────────────────────────────────────────────────
  async insertKey(key: KeyRecord): Promise<void> {
    await this.db.insertInto("keys").values(keyRow(key)).execute();
  }

  async updateKey(key: KeyRecord): Promise<void> {
    const { id, hash: _hash, ...row } = keyRow(key);
    await this.db.updateTable("keys").set(row).where("id", "=", id).execute();
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    const row = await this.db.selectFrom("keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async getKeyByHash(hash: string): Promise<KeyRecord | null> {
    const row = await this.db.selectFrom("keys").selectAll().where("hash", "=", hash).executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async listKeys(filter: KeyFilter, after: string | null, limit: number): Promise<Page<KeyRecord>> {
    let query = this.db
      .selectFrom("keys")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (filter.projectIds)
      query = query.where("project_id", "in", filter.projectIds.length ? filter.projectIds : [""]);
    if (filter.ownerId !== undefined) query = query.where("owner_id", "=", filter.ownerId);
    if (filter.environment) query = query.where("environment", "=", filter.environment);
    if (filter.type) query = query.where("type", "=", filter.type);
    if (after) query = query.where("id", "<", after);
    const now = filter.now;
    switch (filter.status) {
      case "revoked":
        query = query.where("revoked_at", "is not", null);
        break;
      case "expired":
        query = query.where("revoked_at", "is", null).where("expires_at", "<=", now);
        break;
      case "disabled":
      case "active":
        query = query
          .where("revoked_at", "is", null)
          .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
          .where("enabled", "=", filter.status === "active" ? 1 : 0);
        break;
    }
    return page((await query.execute()).map(toKey), limit, (k) => k.id);
  }

  /** Records last-use times in one statement per key, never moving a time backwards. */
  async touchKeys(table: "keys" | "root_keys", lastUsed: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of lastUsed) {
      await this.db
        .updateTable(table)
        .set({ last_used_at: at })
        .where("id", "=", id)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
        .execute();
    }
  }

  // ── root keys ───────────────────────────────────────────────────────────────────────────
  async insertRootKey(root: RootKeyRecord): Promise<void> {
    await this.db.insertInto("root_keys").values(rootRow(root)).execute();
  }

  async revokeRootKey(id: string, at: number): Promise<void> {
    await this.db.updateTable("root_keys").set({ revoked_at: at }).where("id", "=", id).execute();
  }

  async getRootKey(id: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom("root_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRoot(row) : null;
  }

  async getRootKeyByHash(hash: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom("root_keys").selectAll().where("hash", "=", hash).executeTakeFirst();
    return row ? toRoot(row) : null;
  }

  async listRootKeys(
    projectId: string | null,
    after: string | null,
    limit: number,
  ): Promise<Page<RootKeyRecord>> {
    let query = this.db
      .selectFrom("root_keys")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectId) query = query.where("project_id", "=", projectId);
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toRoot), limit, (r) => r.id);
  }

  // ── audit log ───────────────────────────────────────────────────────────────────────────
  /**
   * Appends an entry chained to the previous one. Must run inside `transaction`: on Postgres an
   * advisory lock serialises appenders across nodes; SQLite allows one writer at a time anyway.
   */
  async appendAudit(input: AuditInput, id: string, at: number): Promise<AuditEntry> {
    if (this.dialect === "postgres")
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`.execute(this.db);
    const last = await this.db
      .selectFrom("audit_log")
      .select(["seq", "hash"])
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    const base = { ...input, seq: (last?.seq ?? 0) + 1, id, at, prevHash: last?.hash ?? GENESIS_HASH };
    const entry: AuditEntry = { ...base, hash: auditHash(base) };
    await this.db
      .insertInto("audit_log")
      .values({
        seq: entry.seq,
        id: entry.id,
        at: entry.at,
        actor_type: entry.actorType,
        actor_id: entry.actorId,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        project_id: entry.projectId,
        request_id: entry.requestId,
        source_ip: entry.sourceIp,
        details: JSON.stringify(entry.details),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute();
    return entry;
  }

  async listAudit(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<Page<AuditEntry>> {
    let query = this.db
      .selectFrom("audit_log")
      .selectAll()
      .orderBy("seq", "desc")
      .limit(limit + 1);
    if (filter.projectId) query = query.where("project_id", "=", filter.projectId);
    if (filter.action) query = query.where("action", "=", filter.action);
    if (filter.actorId) query = query.where("actor_id", "=", filter.actorId);
    if (filter.targetId) query = query.where("target_id", "=", filter.targetId);
    if (filter.from !== undefined) query = query.where("at", ">=", filter.from);
    if (filter.to !== undefined) query = query.where("at", "<", filter.to);
    if (beforeSeq !== null) query = query.where("seq", "<", beforeSeq);
    return page((await query.execute()).map(toAudit), limit, (e) => String(e.seq));
  }

  /** Entries in chain order, `limit` at a time after `afterSeq`: for verifying the chain. */
  async auditChainPage(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", afterSeq)
      .orderBy("seq", "asc")
      .limit(limit)
      .execute();
    return rows.map(toAudit);
  }
}

/** A `Repo` that owns its connection and can open transactions. */
export class Store extends Repo {
  constructor(
    private readonly kysely: Kysely<Database>,
    dialect: Dialect,
  ) {
    super(kysely, dialect);
  }

  /** Runs `work` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(work: (repo: Repo) => Promise<T>): Promise<T> {
    return this.kysely.transaction().execute((trx) => work(new Repo(trx, this.dialect)));
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.kysely);
      return true;
    } catch {
      return false;
    }
  }

  get database(): Kysely<Database> {
    return this.kysely;
  }

  close(): Promise<void> {
    return this.kysely.destroy();
  }
}

/** True for a unique-constraint violation on either dialect (a lost race on a unique value). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

function page<T>(rows: T[], limit: number, sortKey: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: sortKey(items[items.length - 1] as T) };
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

function projectRow(p: ProjectRecord): ProjectsTable {
  return {
    id: p.id,
    name: p.name,
    prefix: p.prefix,
    publishable_scopes: JSON.stringify(p.publishableScopes),
    settings: JSON.stringify(p.settings),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function toProject(row: Selectable<ProjectsTable>): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    publishableScopes: JSON.parse(row.publishable_scopes) as string[],
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function keyRow(k: KeyRecord): KeysTable {
  return {
    id: k.id,
    project_id: k.projectId,
    hash: k.hash,
    start: k.start,
    last4: k.last4,
    type: k.type,
    environment: k.environment,
    owner_id: k.ownerId,
    name: k.name,
    scopes: JSON.stringify(k.scopes),
    meta: jsonOrNull(k.meta),
    allowed_origins: jsonOrNull(k.allowedOrigins),
    allowed_ips: jsonOrNull(k.allowedIps),
    enabled: k.enabled ? 1 : 0,
    expires_at: k.expiresAt,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
    rolled_from: k.rolledFrom,
    rolled_to: k.rolledTo,
  };
}

function toKey(row: Selectable<KeysTable>): KeyRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    hash: row.hash,
    start: row.start,
    last4: row.last4,
    type: row.type as KeyType,
    environment: row.environment as KeyEnvironment,
    ownerId: row.owner_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    meta: parseJson(row.meta),
    allowedOrigins: parseJson(row.allowed_origins),
    allowedIps: parseJson(row.allowed_ips),
    enabled: Number(row.enabled) === 1,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rolledFrom: row.rolled_from,
    rolledTo: row.rolled_to,
  };
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
  };
}

function toAudit(row: Selectable<Database["audit_log"]>): AuditEntry {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorType: row.actor_type as AuditEntry["actorType"],
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    projectId: row.project_id,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
