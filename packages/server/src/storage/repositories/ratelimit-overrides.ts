import type { Selectable } from "kysely";
import type { Page, RateLimitOverrideRecord } from "../../domain/records.js";
import type { RatelimitOverridesTable } from "../schema.js";
import { type Executor, page } from "./shared.js";

/** What the store offers outside a unit of work. */
export type RateLimitOverrideReads = Omit<RateLimitOverrideRepository, "upsert" | "delete">;

/** Overrides of standalone rate limits, per namespace and identifier (or identifier prefix). */
export class RateLimitOverrideRepository {
  constructor(private readonly db: Executor) {}

  /** Creates the override, or replaces the limit and duration of the one with its namespace and identifier (keeping `createdAt`). */
  async upsert(override: RateLimitOverrideRecord): Promise<void> {
    const row = overrideRow(override);
    await this.db
      .insertInto("ratelimit_overrides")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["namespace", "identifier"]).doUpdateSet({
          request_limit: row.request_limit,
          duration: row.duration,
          duration_ms: row.duration_ms,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Deletes one override; true when there was one. */
  async delete(namespace: string, identifier: string): Promise<boolean> {
    const rows = await this.db
      .deleteFrom("ratelimit_overrides")
      .where("namespace", "=", namespace)
      .where("identifier", "=", identifier)
      .returning("identifier")
      .execute();
    return rows.length > 0;
  }

  async get(namespace: string, identifier: string): Promise<RateLimitOverrideRecord | null> {
    const row = await this.db
      .selectFrom("ratelimit_overrides")
      .selectAll()
      .where("namespace", "=", namespace)
      .where("identifier", "=", identifier)
      .executeTakeFirst();
    return row ? toOverride(row) : null;
  }

  /** One namespace's overrides by identifier, in pages after the identifier `after`. */
  async list(namespace: string, after: string | null, limit: number): Promise<Page<RateLimitOverrideRecord>> {
    let query = this.db
      .selectFrom("ratelimit_overrides")
      .selectAll()
      .where("namespace", "=", namespace)
      .orderBy("identifier")
      .limit(limit + 1);
    if (after !== null) query = query.where("identifier", ">", after);
    return page((await query.execute()).map(toOverride), limit, (o) => o.identifier);
  }

  /** Every override of a namespace (what a node caches), at most `max`. */
  async all(namespace: string, max: number): Promise<RateLimitOverrideRecord[]> {
    const rows = await this.db
      .selectFrom("ratelimit_overrides")
      .selectAll()
      .where("namespace", "=", namespace)
      .orderBy("identifier")
      .limit(max)
      .execute();
    return rows.map(toOverride);
  }

  /** How many overrides a namespace has. */
  async count(namespace: string): Promise<number> {
    const row = await this.db
      .selectFrom("ratelimit_overrides")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("namespace", "=", namespace)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

function overrideRow(o: RateLimitOverrideRecord): RatelimitOverridesTable {
  return {
    namespace: o.namespace,
    identifier: o.identifier,
    request_limit: o.limit,
    duration: JSON.stringify(o.duration),
    duration_ms: o.durationMs,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

function toOverride(row: Selectable<RatelimitOverridesTable>): RateLimitOverrideRecord {
  return {
    namespace: row.namespace,
    identifier: row.identifier,
    limit: Number(row.request_limit),
    duration: JSON.parse(row.duration) as string | number,
    durationMs: Number(row.duration_ms),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
