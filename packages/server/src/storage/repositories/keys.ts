import type { KeyEnvironment, KeyType } from "@keysmith/core";
import type { Selectable } from "kysely";
import type { KeyFilter, KeyRecord, Page } from "../../domain/records.js";
import type { KeysTable } from "../schema.js";
import { CreditBalance } from "./credits.js";
import { anyOf, type Executor, jsonOrNull, page, parseJson, touchLastUsed } from "./shared.js";

/** Rows a statement inserts: 1000 × 29 columns stays under SQLite's 32,766 and Postgres' 65,535 parameters. */
const INSERT_BATCH = 1000;

/** What the store offers outside a unit of work: reads, and the counters metering changes atomically. */
export type KeyReads = Omit<
  KeyRepository,
  "insert" | "insertMany" | "update" | "setCredits" | "adjustCredits"
>;

/** Project keys: their settings, their credit balance and their last use. */
export class KeyRepository {
  private readonly credits: CreditBalance;

  constructor(private readonly db: Executor) {
    this.credits = new CreditBalance(db, "keys");
  }

  async insert(key: KeyRecord): Promise<void> {
    await this.db.insertInto("keys").values(keyRow(key)).execute();
  }

  /**
   * Writes a key's settings. Never the credit balance: metering changes that atomically, and a
   * read-modify-write here would undo verifications that ran in between (see `setCredits`).
   */
  async update(key: KeyRecord): Promise<void> {
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
  consumeCredits(
    id: string,
    cost: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<{ taken: boolean; remaining: number } | null> {
    return this.credits.consume(id, cost, periodStart, refillAmount);
  }

  /**
   * Sets, adds to or takes from the balance in one statement, after the refill a new period
   * brings; a decrement stops at zero. Atomic with concurrent verifications. Answers the new
   * balance, or null when the key does not exist or, for increment and decrement, has no
   * credit limit.
   */
  adjustCredits(
    id: string,
    op: "set" | "increment" | "decrement",
    amount: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<number | null> {
    return this.credits.adjust(id, op, amount, periodStart, refillAmount);
  }

  /** The balance a consume would start from now (refilled if a new period began), or null. */
  peekCredits(id: string, periodStart: number | null, refillAmount: number | null): Promise<number | null> {
    return this.credits.peek(id, periodStart, refillAmount);
  }

  /** Gives back credits taken by a call that was then refused. */
  refundCredits(id: string, cost: number): Promise<void> {
    return this.credits.refund(id, cost);
  }

  /** Inserts many keys, 200 a statement. */
  async insertMany(keys: readonly KeyRecord[]): Promise<void> {
    for (let i = 0; i < keys.length; i += INSERT_BATCH) {
      await this.db
        .insertInto("keys")
        .values(keys.slice(i, i + INSERT_BATCH).map(keyRow))
        .execute();
    }
  }

  /** The keys with these hashes (any project), in no particular order. */
  async getByHashes(hashes: readonly string[]): Promise<KeyRecord[]> {
    const found: KeyRecord[] = [];
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await this.db
        .selectFrom("keys")
        .selectAll()
        .where("hash", "in", hashes.slice(i, i + 500))
        .execute();
      for (const row of rows) found.push(toKey(row));
    }
    return found;
  }

  /** The projects that hold at least one imported key. */
  async projectsWithImports(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("keys")
      .select("project_id")
      .distinct()
      .where("imported", "=", 1)
      .execute();
    return rows.map((r) => r.project_id);
  }

  async get(id: string): Promise<KeyRecord | null> {
    const row = await this.db.selectFrom("keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async getByHash(hash: string): Promise<KeyRecord | null> {
    const row = await this.db.selectFrom("keys").selectAll().where("hash", "=", hash).executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async list(filter: KeyFilter, after: string | null, limit: number): Promise<Page<KeyRecord>> {
    let query = this.db
      .selectFrom("keys")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (filter.projectIds) query = query.where("project_id", "in", anyOf(filter.projectIds));
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

  /** Records last-use times, never moving one backwards. */
  touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    return touchLastUsed(this.db, "keys", lastUsed);
  }
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
    imported: k.imported ? 1 : 0,
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
    imported: Number(row.imported) === 1,
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
