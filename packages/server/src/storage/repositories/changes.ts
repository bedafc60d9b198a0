import type { KeyChange } from "../../domain/changes.js";
import type { ChangeRecord } from "../../domain/records.js";
import type { Executor } from "./shared.js";

/** What the store offers outside a unit of work: the change log is written only with its audit entry. */
export type ChangeLogReads = Omit<ChangeLogRepository, "record">;

/** The numbered log of changes that affect verification, replayed by `GET /v1/keys/changes`. */
export class ChangeLogRepository {
  constructor(private readonly db: Executor) {}

  /** Numbers a change; call it in the transaction that makes the change. */
  async record(change: KeyChange, at: number): Promise<void> {
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
  async since(seq: number, projectId: string | null, limit: number): Promise<ChangeRecord[]> {
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

  async latest(): Promise<number> {
    const row = await this.db
      .selectFrom("key_changes")
      .select("seq")
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : 0;
  }
}
