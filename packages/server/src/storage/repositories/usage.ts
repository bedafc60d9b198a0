import { sql } from "kysely";
import { type SpendRow, type TagUsageRow, type UsageRow, usageRowId } from "../../domain/records.js";
import { anyOf, type Executor } from "./shared.js";

/** How long a written batch's id is kept: far longer than any retry of it can take. */
const BATCH_IDS_KEPT_MS = 24 * 60 * 60 * 1000;

/** Usage counts per key, minute and code, and spend per budget subject and period. */
export class UsageRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Adds counted usage: one upsert per row, 200 rows a statement, all in one transaction. Rows
   * with a `tag` count in the tag split (`usage_tags`); the verification itself is counted once,
   * in a row without one. With a `batchId`, a batch already written under that id is skipped:
   * the caller sends a batch again, as it was, when it cannot know whether the first try
   * committed (the reply was lost), and it is counted once.
   */
  async addUsage(input: readonly (UsageRow | TagUsageRow)[], batchId?: string): Promise<void> {
    if (!this.db.isTransaction) {
      await this.db.transaction().execute((trx) => new UsageRepository(trx).addUsage(input, batchId));
      return;
    }
    if (batchId !== undefined) {
      const now = Date.now();
      const claimed = await this.db
        .insertInto("usage_batches")
        .values({ id: batchId, applied_at: now })
        .onConflict((oc) => oc.column("id").doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) return;
      await this.db
        .deleteFrom("usage_batches")
        .where("applied_at", "<", now - BATCH_IDS_KEPT_MS)
        .execute();
    }
    // One row per primary key: Postgres refuses to upsert the same row twice in a statement.
    const merged = new Map<string, UsageRow | TagUsageRow>();
    for (const row of input) {
      const id = usageRowId(row);
      const seen = merged.get(id);
      merged.set(id, seen ? { ...seen, count: seen.count + row.count, spend: seen.spend + row.spend } : row);
    }
    const plain: UsageRow[] = [];
    const tagged: TagUsageRow[] = [];
    for (const row of merged.values()) ("tag" in row ? tagged : plain).push(row as TagUsageRow);
    for (let i = 0; i < plain.length; i += 200) {
      await this.db
        .insertInto("usage_minutes")
        .values(plain.slice(i, i + 200).map(usageRow))
        .onConflict((oc) =>
          oc.columns(["key_id", "minute", "code"]).doUpdateSet({
            count: sql<number>`usage_minutes.count + excluded.count`,
            spend: sql<number>`usage_minutes.spend + excluded.spend`,
          }),
        )
        .execute();
    }
    for (let i = 0; i < tagged.length; i += 200) {
      await this.db
        .insertInto("usage_tags")
        .values(tagged.slice(i, i + 200).map((r) => ({ ...usageRow(r), tag: r.tag })))
        .onConflict((oc) =>
          oc.columns(["key_id", "minute", "code", "tag"]).doUpdateSet({
            count: sql<number>`usage_tags.count + excluded.count`,
            spend: sql<number>`usage_tags.spend + excluded.spend`,
          }),
        )
        .execute();
    }
  }

  /** Minute rows in `[from, to)`, oldest first; with `tag`, only verifications that carried it. */
  async rows(filter: {
    keyId?: string | undefined;
    projectIds?: string[] | null | undefined;
    ownerId?: string | undefined;
    tag?: string | undefined;
    from: number;
    to: number;
  }): Promise<{ minute: number; code: string; count: number; spend: number }[]> {
    // The two tables share their columns; the tag split only adds `tag`.
    const table = filter.tag === undefined ? "usage_minutes" : "usage_tags";
    let query = this.db
      .selectFrom(table as "usage_minutes")
      .select(["minute", "code", "count", "spend"])
      .where("minute", ">=", filter.from)
      .where("minute", "<", filter.to)
      .orderBy("minute");
    if (filter.tag !== undefined) query = query.where(sql.ref("tag"), "=", filter.tag);
    if (filter.keyId) query = query.where("key_id", "=", filter.keyId);
    if (filter.projectIds) query = query.where("project_id", "in", anyOf(filter.projectIds));
    if (filter.ownerId) query = query.where("owner_id", "=", filter.ownerId);
    const rows = await query.execute();
    return rows.map((r) => ({
      minute: Number(r.minute),
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
}

function usageRow(r: UsageRow) {
  return {
    key_id: r.keyId,
    minute: r.minute,
    code: r.code,
    project_id: r.projectId,
    owner_id: r.ownerId,
    count: r.count,
    spend: r.spend,
  };
}
