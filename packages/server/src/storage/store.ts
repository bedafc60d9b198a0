import { type KeyEnvironment, type KeyType, newId } from "@keysmith/core";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { auditHash, GENESIS_HASH } from "../audit/audit-chain.js";
import type { KeyChange } from "../changes.js";
import type { SpendRow } from "../metering/budgets.js";
import type { UsageRow } from "../metering/usage.js";
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

export interface ChangeRecord {
  seq: number;
  at: number;
  type: string;
  keyId: string | null;
  projectId: string | null;
  rootKeyId: string | null;
}

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

  /**
   * Writes a key's settings. Never the credit balance: metering changes that atomically, and a
   * read-modify-write here would undo verifications that ran in between (see `setCredits`).
   */
  async updateKey(key: KeyRecord): Promise<void> {
    const { id, hash: _hash, credits_remaining: _c, credits_refilled_at: _r, ...row } = keyRow(key);
    await this.db.updateTable("keys").set(row).where("id", "=", id).execute();
  }

  /** Sets a key's credit balance (PATCH), starting a new refill period at `now`. */
  async setCredits(id: string, remaining: number | null, refilledAt: number | null): Promise<void> {
    await this.db
      .updateTable("keys")
      .set({ credits_remaining: remaining, credits_refilled_at: refilledAt })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Takes `cost` credits in one statement, refilling first when a new refill period has begun.
   * Answers the balance after the call, and whether it was taken: concurrent callers can never
   * take more than there is, on one node or many.
   */
  async consumeCredits(
    id: string,
    cost: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<{ taken: boolean; remaining: number } | null> {
    // The balance this period starts from: the refill amount once a new period has begun.
    const current =
      periodStart === null || refillAmount === null
        ? sql<number>`credits_remaining`
        : sql<number>`(case when coalesce(credits_refilled_at, 0) < ${periodStart} then ${refillAmount} else credits_remaining end)`;
    const taken = await this.db
      .updateTable("keys")
      .set({
        credits_remaining: sql<number>`${current} - ${cost}`,
        ...(periodStart === null
          ? {}
          : {
              credits_refilled_at: sql<number>`(case when coalesce(credits_refilled_at, 0) < ${periodStart} then ${periodStart} else credits_refilled_at end)`,
            }),
      })
      .where("id", "=", id)
      .where("credits_remaining", "is not", null)
      .where(current, ">=", cost)
      .returning("credits_remaining")
      .executeTakeFirst();
    if (taken) return { taken: true, remaining: Number(taken.credits_remaining) };
    const remaining = await this.peekCredits(id, periodStart, refillAmount);
    return remaining === null ? null : { taken: false, remaining };
  }

  /** The balance a consume would start from now (refilled if a new period began), or null. */
  async peekCredits(
    id: string,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<number | null> {
    const row = await this.db
      .selectFrom("keys")
      .select(["credits_remaining", "credits_refilled_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row || row.credits_remaining === null) return null;
    const refilled =
      periodStart !== null && refillAmount !== null && (row.credits_refilled_at ?? 0) < periodStart;
    return refilled ? (refillAmount as number) : Number(row.credits_remaining);
  }

  /** Gives back credits taken by a call that was then refused. */
  async refundCredits(id: string, cost: number): Promise<void> {
    await this.db
      .updateTable("keys")
      .set({ credits_remaining: sql<number>`credits_remaining + ${cost}` })
      .where("id", "=", id)
      .where("credits_remaining", "is not", null)
      .execute();
  }

  // ── usage and spend ─────────────────────────────────────────────────────────────────────
  /** Adds counted usage: one upsert per row, in one transaction per batch. */
  async addUsage(input: readonly UsageRow[]): Promise<void> {
    // One row per (key, minute, code): Postgres refuses to upsert the same row twice in a statement.
    const merged = new Map<string, UsageRow>();
    for (const row of input) {
      const id = `${row.keyId} ${row.minute} ${row.code}`;
      const seen = merged.get(id);
      if (seen) merged.set(id, { ...seen, count: seen.count + row.count, spend: seen.spend + row.spend });
      else merged.set(id, row);
    }
    const rows = [...merged.values()];
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      await this.db
        .insertInto("usage_minutes")
        .values(
          chunk.map((r) => ({
            key_id: r.keyId,
            minute: r.minute,
            code: r.code,
            project_id: r.projectId,
            owner_id: r.ownerId,
            count: r.count,
            spend: r.spend,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["key_id", "minute", "code"]).doUpdateSet({
            count: sql<number>`usage_minutes.count + excluded.count`,
            spend: sql<number>`usage_minutes.spend + excluded.spend`,
          }),
        )
        .execute();
    }
  }

  async usageRows(filter: {
    keyId?: string | undefined;
    projectIds?: string[] | null | undefined;
    ownerId?: string | undefined;
    from: number;
    to: number;
  }): Promise<{ minute: number; code: string; count: number; spend: number }[]> {
    let query = this.db
      .selectFrom("usage_minutes")
      .select(["minute", "code", "count", "spend"])
      .where("minute", ">=", filter.from)
      .where("minute", "<", filter.to)
      .orderBy("minute");
    if (filter.keyId) query = query.where("key_id", "=", filter.keyId);
    if (filter.projectIds)
      query = query.where("project_id", "in", filter.projectIds.length ? filter.projectIds : [""]);
    if (filter.ownerId) query = query.where("owner_id", "=", filter.ownerId);
    const rows = await query.execute();
    return rows.map((r) => ({
      minute: r.minute,
      code: r.code,
      count: Number(r.count),
      spend: Number(r.spend),
    }));
  }

  async getSpend(subject: string, periodStart: number): Promise<number> {
    const row = await this.db
      .selectFrom("budget_spend")
      .select("spent")
      .where("subject", "=", subject)
      .where("period_start", "=", periodStart)
      .executeTakeFirst();
    return row ? Number(row.spent) : 0;
  }

  async addSpend(
    rows: readonly { subject: string; periodStart: number; amount: number }[],
  ): Promise<SpendRow[]> {
    if (rows.length === 0) return [];
    const totals = await this.db
      .insertInto("budget_spend")
      .values(rows.map((r) => ({ subject: r.subject, period_start: r.periodStart, spent: r.amount })))
      .onConflict((oc) =>
        oc
          .columns(["subject", "period_start"])
          .doUpdateSet({ spent: sql<number>`budget_spend.spent + excluded.spent` }),
      )
      .returning(["subject", "period_start", "spent"])
      .execute();
    return totals.map((t) => ({
      subject: t.subject,
      periodStart: Number(t.period_start),
      amount: Number(t.spent),
    }));
  }

  async getSpends(keys: readonly { subject: string; periodStart: number }[]): Promise<SpendRow[]> {
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectFrom("budget_spend")
      .select(["subject", "period_start", "spent"])
      .where(
        "subject",
        "in",
        keys.map((k) => k.subject),
      )
      .execute();
    const wanted = new Set(keys.map((k) => `${k.subject}@${k.periodStart}`));
    return rows
      .filter((r) => wanted.has(`${r.subject}@${Number(r.period_start)}`))
      .map((r) => ({ subject: r.subject, periodStart: Number(r.period_start), amount: Number(r.spent) }));
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

  /** The live root keys that any of `creatorIds` created (one level of the tree). */
  async liveRootKeysCreatedBy(creatorIds: readonly string[]): Promise<RootKeyRecord[]> {
    if (creatorIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("root_keys")
      .selectAll()
      .where("created_by", "in", creatorIds)
      .where("revoked_at", "is", null)
      .execute();
    return rows.map(toRoot);
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

  // ── change log ──────────────────────────────────────────────────────────────────────────
  /** Numbers a change; call it in the transaction that makes the change. */
  async recordChange(change: KeyChange, at: number): Promise<void> {
    await this.db
      .insertInto("key_changes")
      .values({
        at,
        type: change.type,
        key_id: "keyId" in change ? change.keyId : null,
        project_id: "projectId" in change ? change.projectId : null,
        root_key_id: "rootKeyId" in change ? change.rootKeyId : null,
      })
      .execute();
  }

  /** Changes after `seq`, oldest first, optionally only one project's (and global ones). */
  async changesSince(seq: number, projectId: string | null, limit: number): Promise<ChangeRecord[]> {
    let query = this.db
      .selectFrom("key_changes")
      .selectAll()
      .where("seq", ">", seq)
      .orderBy("seq")
      .limit(limit);
    if (projectId)
      query = query.where((eb) => eb.or([eb("project_id", "=", projectId), eb("project_id", "is", null)]));
    const rows = await query.execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      type: r.type,
      keyId: r.key_id,
      projectId: r.project_id,
      rootKeyId: r.root_key_id,
    }));
  }

  async latestChange(): Promise<number> {
    const row = await this.db
      .selectFrom("key_changes")
      .select("seq")
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : 0;
  }

  // ── audit log ───────────────────────────────────────────────────────────────────────────
  /**
   * Appends an entry chained to the previous one. Must run inside `transaction`: on Postgres an
   * advisory lock serialises appenders across nodes; SQLite allows one writer at a time anyway.
   */
  async appendAudit(input: AuditInput, at: number): Promise<AuditEntry> {
    const id = newId("aud", at);
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
    ratelimits: jsonOrNull(k.ratelimits),
    credits_remaining: k.credits?.remaining ?? null,
    credits_refill: jsonOrNull(k.credits?.refill ?? null),
    credits_refilled_at: k.credits?.refilledAt ?? null,
    budget: jsonOrNull(k.budget),
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
    ratelimits: parseJson(row.ratelimits),
    credits:
      row.credits_remaining === null
        ? null
        : {
            remaining: Number(row.credits_remaining),
            refill: parseJson(row.credits_refill),
            refilledAt: row.credits_refilled_at,
          },
    budget: parseJson(row.budget),
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
