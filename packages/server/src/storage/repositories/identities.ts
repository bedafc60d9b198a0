import type { Selectable } from "kysely";
import type { IdentityRecord } from "../../domain/identities.js";
import type { Page } from "../../domain/records.js";
import type { IdentitiesTable } from "../schema.js";
import { CreditBalance } from "./credits.js";
import { anyOf, type Executor, jsonOrNull, page, parseJson } from "./shared.js";

/** What the store offers outside a unit of work: reads, and the credit pool metering changes atomically. */
export type IdentityReads = Omit<IdentityRepository, "insert" | "update" | "setCredits" | "delete">;

/** Identities: the customer behind keys, with shared rate limits and a credit pool. */
export class IdentityRepository {
  private readonly credits: CreditBalance;

  constructor(private readonly db: Executor) {
    this.credits = new CreditBalance(db, "identities");
  }

  async insert(identity: IdentityRecord): Promise<void> {
    await this.db.insertInto("identities").values(identityRow(identity)).execute();
  }

  /** Writes an identity's settings, never its credit balance (see `setCredits`). */
  async update(identity: IdentityRecord): Promise<void> {
    const {
      id,
      project_id: _p,
      credits_remaining: _c,
      credits_refilled_at: _r,
      created_at: _a,
      ...row
    } = identityRow(identity);
    await this.db.updateTable("identities").set(row).where("id", "=", id).execute();
  }

  /** Sets the pool's balance (create or PATCH), starting a new refill period at `refilledAt`. */
  async setCredits(id: string, remaining: number | null, refilledAt: number | null): Promise<void> {
    await this.db
      .updateTable("identities")
      .set({ credits_remaining: remaining, credits_refilled_at: refilledAt })
      .where("id", "=", id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("identities").where("id", "=", id).execute();
  }

  async get(id: string): Promise<IdentityRecord | null> {
    const row = await this.db.selectFrom("identities").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toIdentity(row) : null;
  }

  /** The identity a key with this `ownerId` belongs to, or null. */
  async getByExternalId(projectId: string, externalId: string): Promise<IdentityRecord | null> {
    const row = await this.db
      .selectFrom("identities")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    return row ? toIdentity(row) : null;
  }

  /** Newest first, within `projectIds` (null: every project). */
  async list(
    projectIds: string[] | null,
    after: string | null,
    limit: number,
  ): Promise<Page<IdentityRecord>> {
    let query = this.db
      .selectFrom("identities")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectIds) query = query.where("project_id", "in", anyOf(projectIds));
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toIdentity), limit, (i) => i.id);
  }

  /**
   * Takes `cost` from the pool in one statement, refilling first when a new refill period has
   * begun; concurrent callers on any node never take more than there is (as `KeyRepository`).
   */
  consumeCredits(
    id: string,
    cost: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<{ taken: boolean; remaining: number } | null> {
    return this.credits.consume(id, cost, periodStart, refillAmount);
  }

  /** The balance a consume would start from now (refilled if a new period began), or null. */
  peekCredits(id: string, periodStart: number | null, refillAmount: number | null): Promise<number | null> {
    return this.credits.peek(id, periodStart, refillAmount);
  }

  /** Gives back credits taken by a call that was then refused. */
  refundCredits(id: string, cost: number): Promise<void> {
    return this.credits.refund(id, cost);
  }
}

function identityRow(i: IdentityRecord): IdentitiesTable {
  return {
    id: i.id,
    project_id: i.projectId,
    external_id: i.externalId,
    meta: jsonOrNull(i.meta),
    ratelimits: jsonOrNull(i.ratelimits),
    credits_remaining: i.credits?.remaining ?? null,
    credits_refill: jsonOrNull(i.credits?.refill ?? null),
    credits_refilled_at: i.credits?.refilledAt ?? null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

function toIdentity(row: Selectable<IdentitiesTable>): IdentityRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    externalId: row.external_id,
    meta: parseJson(row.meta),
    ratelimits: parseJson(row.ratelimits),
    credits:
      row.credits_remaining === null
        ? null
        : {
            remaining: Number(row.credits_remaining),
            refill: parseJson(row.credits_refill),
            refilledAt: row.credits_refilled_at === null ? null : Number(row.credits_refilled_at),
          },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
