import { type AlertEvent, encodeBase62, randomBase62 } from "@keysmith/core";
import { type Selectable, sql } from "kysely";
import type { AlertFilter, AlertRecord, Page } from "../../domain/records.js";
import type { AlertsTable } from "../schema.js";
import { type Executor, page } from "./shared.js";

/** A live key about to expire, as the `key.expiring` check reads it. */
export interface ExpiringKey {
  id: string;
  projectId: string;
  ownerId: string | null;
  name: string | null;
  expiresAt: number;
}

/**
 * The idempotency key of a `key.expiring` alert: one per key, threshold and expiry, so moving
 * the expiry arms the warning again.
 */
export const expiringAlertKey = (keyId: string, threshold: string, expiresAt: number): string =>
  `key.expiring:${keyId}:${threshold}:${expiresAt}`;

/** Alerts, raised once per idempotency key, and the outbox rows they fan out to. Nothing here is audited. */
export class AlertRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores an alert unless its idempotency key was seen before, and in the same transaction
   * queues one pending delivery per live endpoint that subscribes to its type and matches its
   * project (an endpoint without a project matches all). Answers how many deliveries it
   * queued, or null for a repeat. Two nodes raising the same alert at once store it once.
   */
  async raise(alert: AlertRecord, idempotencyKey: string): Promise<number | null> {
    const work = async (db: Executor): Promise<number | null> => {
      const inserted = await db
        .insertInto("alerts")
        .values({
          id: alert.id,
          type: alert.type,
          project_id: alert.projectId,
          key_id: alert.keyId,
          data: JSON.stringify(alert.data),
          idempotency_key: idempotencyKey,
          created_at: alert.createdAt,
        })
        // A conflict, not a check-then-insert: a concurrent raise of the same key does nothing.
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      const projectId = alert.projectId;
      let endpoints = db.selectFrom("webhooks").select(["id", "events"]).where("deleted_at", "is", null);
      endpoints =
        projectId === null
          ? endpoints.where("project_id", "is", null)
          : endpoints.where((eb) => eb.or([eb("project_id", "is", null), eb("project_id", "=", projectId)]));
      const subscribed = (await endpoints.execute()).filter((endpoint) =>
        (JSON.parse(endpoint.events) as string[]).includes(alert.type),
      );
      if (!subscribed.length) return 0;
      const now = alert.createdAt;
      await db
        .insertInto("webhook_deliveries")
        .values(
          subscribed.map((endpoint) => ({
            id: newDeliveryId(now),
            webhook_id: endpoint.id,
            alert_id: alert.id,
            status: "pending",
            attempts: 0,
            next_attempt_at: now,
            locked_until: null,
            last_attempt_at: null,
            response_status: null,
            error: null,
            created_at: now,
            delivered_at: null,
          })),
        )
        .execute();
      return subscribed.length;
    };
    // Inside a unit of work the transaction is already there; on the pool, open one.
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  /** Alerts newest first, filtered. */
  async list(filter: AlertFilter, after: string | null, limit: number): Promise<Page<AlertRecord>> {
    let query = this.db
      .selectFrom("alerts")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (filter.projectId) query = query.where("project_id", "=", filter.projectId);
    if (filter.type) query = query.where("type", "=", filter.type);
    if (filter.keyId) query = query.where("key_id", "=", filter.keyId);
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toAlert), limit, (a) => a.id);
  }

  /**
   * Live keys (not revoked, not the old key of a roll) expiring in (`after`, `until`] with no
   * `key.expiring` alert for `threshold` yet (`expiringAlertKey`), soonest first, `limit` at most.
   * One indexed lookup per key in the window.
   */
  async keysExpiring(after: number, until: number, threshold: string, limit: number): Promise<ExpiringKey[]> {
    const alertKey = sql<string>`${"key.expiring:"} || keys.id || ${`:${threshold}:`} || cast(keys.expires_at as text)`;
    const rows = await this.db
      .selectFrom("keys")
      .select(["id", "project_id", "owner_id", "name", "expires_at"])
      .where("revoked_at", "is", null)
      .where("rolled_to", "is", null)
      .where("expires_at", ">", after)
      .where("expires_at", "<=", until)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("alerts").select("alerts.id").where("alerts.idempotency_key", "=", alertKey))),
      )
      .orderBy("expires_at")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      projectId: row.project_id,
      ownerId: row.owner_id,
      name: row.name,
      expiresAt: row.expires_at as number,
    }));
  }
}

/** Delivery ids sort by creation time like every other id (`dlv_` + time + random). */
function newDeliveryId(now: number): string {
  return `dlv_${encodeBase62(now, 8)}${randomBase62(14)}`;
}

function toAlert(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    type: row.type as AlertEvent,
    projectId: row.project_id,
    keyId: row.key_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}
