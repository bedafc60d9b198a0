import { newId } from "@keysmith/core";
import { type Selectable, sql } from "kysely";
import { auditHash, GENESIS_HASH } from "../../domain/audit-chain.js";
import type { AuditEntry, AuditFilter, AuditInput, Page } from "../../domain/records.js";
import type { Database } from "../schema.js";
import { page, type RepositoryScope } from "./shared.js";

// Any constant works: it names the lock that serialises audit appends across Postgres sessions.
const AUDIT_LOCK_ID = 0x6b73_6175; // "ksau"

/** What the store offers outside a unit of work: the log is appended only by one. */
export type AuditReads = Omit<AuditRepository, "append">;

/** The append-only, hash-chained audit log. */
export class AuditRepository {
  private readonly db: RepositoryScope["db"];
  private readonly dialect: RepositoryScope["dialect"];

  constructor(scope: RepositoryScope) {
    this.db = scope.db;
    this.dialect = scope.dialect;
  }

  /**
   * Appends an entry chained to the previous one. Runs inside a unit of work: on Postgres an
   * advisory lock serialises appenders across nodes; SQLite allows one writer at a time anyway.
   */
  async append(input: AuditInput, at: number): Promise<AuditEntry> {
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

  async list(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<Page<AuditEntry>> {
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
  async chainPage(afterSeq: number, limit: number): Promise<AuditEntry[]> {
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
