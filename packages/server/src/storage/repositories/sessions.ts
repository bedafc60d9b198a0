import type { Selectable } from "kysely";
import type { SessionRecord } from "../../domain/records.js";
import type { SessionsTable } from "../schema.js";
import type { Executor } from "./shared.js";

/**
 * What the store offers outside a unit of work: reads, and the upkeep that needs no audit entry
 * (moving the idle deadline, dropping sessions that ended on their own). Opening and signing out
 * are audited, so only a unit of work inserts and deletes a session.
 */
export type SessionReads = Omit<SessionRepository, "insert" | "delete">;

/** Dashboard sessions, looked up by the hash of their id. */
export class SessionRepository {
  constructor(private readonly db: Executor) {}

  async insert(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id_hash: session.idHash,
        root_key_id: session.rootKeyId,
        csrf_hash: session.csrfHash,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        max_expires_at: session.maxExpiresAt,
      })
      .execute();
  }

  /** Ends one session (sign-out). */
  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
  }

  async get(idHash: string): Promise<SessionRecord | null> {
    const row = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("id_hash", "=", idHash)
      .executeTakeFirst();
    return row ? toSession(row) : null;
  }

  /** Moves a session's idle deadline to `expiresAt`, only ever forward. */
  async extend(idHash: string, expiresAt: number): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ expires_at: expiresAt })
      .where("id_hash", "=", idHash)
      .where("expires_at", "<", expiresAt)
      .execute();
  }

  /** Deletes every session idle past its deadline at `now`; answers how many. */
  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Ends every session of a root key (it was revoked or expired). */
  async deleteForRootKey(rootKeyId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("root_key_id", "=", rootKeyId).execute();
  }
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: row.id_hash,
    rootKeyId: row.root_key_id,
    csrfHash: row.csrf_hash,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    maxExpiresAt: Number(row.max_expires_at),
  };
}
