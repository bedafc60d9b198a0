import { sql } from "kysely";
import type { Executor } from "./shared.js";

/** Tables that hold a credit balance in `credits_remaining` / `credits_refilled_at`. */
type CreditTable = "keys" | "identities";

/**
 * A credit balance changed only by single statements, shared by keys and identities' pools:
 * concurrent callers can never take more than there is, on one node or many. Each call refills
 * first when a new refill period has begun (`periodStart`, `refillAmount`).
 */
export class CreditBalance {
  constructor(
    private readonly db: Executor,
    // The two tables name their credit columns alike; the cast lets one query serve both.
    private readonly table: CreditTable,
  ) {}

  /** Takes `cost`; answers the balance after the call and whether it was taken, or null without a balance. */
  async consume(
    id: string,
    cost: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<{ taken: boolean; remaining: number } | null> {
    const current = balanceNow(periodStart, refillAmount);
    const taken = await this.db
      .updateTable(this.table as "keys")
      .set({ credits_remaining: sql<number>`${current} - ${cost}`, ...periodBegun(periodStart) })
      .where("id", "=", id)
      .where("credits_remaining", "is not", null)
      .where(current, ">=", cost)
      .returning("credits_remaining")
      .executeTakeFirst();
    if (taken) return { taken: true, remaining: Number(taken.credits_remaining) };
    const remaining = await this.peek(id, periodStart, refillAmount);
    return remaining === null ? null : { taken: false, remaining };
  }

  /**
   * Sets, adds to or takes from the balance (a decrement stops at zero). Answers the new
   * balance, or null when the row does not exist or, for increment and decrement, has none.
   */
  async adjust(
    id: string,
    op: "set" | "increment" | "decrement",
    amount: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<number | null> {
    const current = balanceNow(periodStart, refillAmount);
    const next =
      op === "set"
        ? sql<number>`${amount}`
        : op === "increment"
          ? sql<number>`${current} + ${amount}`
          : sql<number>`(case when ${current} > ${amount} then ${current} - ${amount} else 0 end)`;
    let query = this.db
      .updateTable(this.table as "keys")
      .set({ credits_remaining: next, ...periodBegun(periodStart) })
      .where("id", "=", id);
    if (op !== "set") query = query.where("credits_remaining", "is not", null);
    const row = await query.returning("credits_remaining").executeTakeFirst();
    return row ? Number(row.credits_remaining) : null;
  }

  /** The balance a consume would start from now (refilled if a new period began), or null. */
  async peek(id: string, periodStart: number | null, refillAmount: number | null): Promise<number | null> {
    const row = await this.db
      .selectFrom(this.table as "keys")
      .select(["credits_remaining", "credits_refilled_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row || row.credits_remaining === null) return null;
    const refilled =
      periodStart !== null && refillAmount !== null && Number(row.credits_refilled_at ?? 0) < periodStart;
    return refilled ? (refillAmount as number) : Number(row.credits_remaining);
  }

  /** Gives back credits taken by a call that was then refused. */
  async refund(id: string, cost: number): Promise<void> {
    await this.db
      .updateTable(this.table as "keys")
      .set({ credits_remaining: sql<number>`credits_remaining + ${cost}` })
      .where("id", "=", id)
      .where("credits_remaining", "is not", null)
      .execute();
  }
}

/** The balance this period starts from: the refill amount once a new period has begun. */
function balanceNow(periodStart: number | null, refillAmount: number | null) {
  return periodStart === null || refillAmount === null
    ? sql<number>`credits_remaining`
    : sql<number>`(case when coalesce(credits_refilled_at, 0) < ${periodStart} then ${refillAmount} else credits_remaining end)`;
}

/** Moves the refill mark to the current period when a new one has begun. */
function periodBegun(periodStart: number | null) {
  return periodStart === null
    ? {}
    : {
        credits_refilled_at: sql<number>`(case when coalesce(credits_refilled_at, 0) < ${periodStart} then ${periodStart} else credits_refilled_at end)`,
      };
}
