import { sql } from "kysely";
import type { SpendRow, UsageRow } from "../../domain/records.js";
import type { Executor } from "./shared.js";

/** Usage counts per key, minute and code, and spend per budget subject and period. */
export class UsageRepository {
  constructor(private readonly db: Executor) {}

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

  async rows(filter: {
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
}
