import type { AlertEvent } from "@keysmith/core";
import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql } from "kysely";
import type {
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryRecord,
  DeliveryStatus,
  Page,
  WebhookRecord,
} from "../../domain/records.js";
import type { Database, WebhooksTable } from "../schema.js";
import { type Executor, page, type RepositoryScope } from "./shared.js";

/** The `keysmith_meta` row holding the webhook key, wrapped (webhooks/secret-key.ts). */
const SIGNING_KEY = "webhooks.key";

/**
 * What the store offers outside a unit of work: reads, and the outbox and key upkeep the
 * dispatcher and the starting server do. Creating and deleting an endpoint are audited, so only
 * a unit of work does them.
 */
export type WebhookReads = Omit<WebhookRepository, "insert" | "remove">;

export interface ClaimOptions {
  now: number;
  /** Until when the claim holds; a node that dies mid-send frees the delivery then. */
  lease: number;
  /** Deliveries claimed at most. */
  limit: number;
  /** Deliveries of one endpoint claimed at most, so a long backlog cannot fill the batch. */
  perEndpoint: number;
  /** Endpoints to leave alone (this node is still sending to them). */
  skipEndpoints: readonly string[];
}

type DueFilter = (eb: ExpressionBuilder<Database, "webhook_deliveries">) => Expression<SqlBool>;

/** Webhook endpoints, their delivery outbox, and the key their signing secrets are sealed under. */
export class WebhookRepository {
  private readonly db: Executor;
  private readonly dialect: RepositoryScope["dialect"];

  constructor(scope: RepositoryScope) {
    this.db = scope.db;
    this.dialect = scope.dialect;
  }

  /** Stores an endpoint with its signing secret, already sealed. */
  async insert(webhook: WebhookRecord, sealedSecret: string): Promise<void> {
    await this.db
      .insertInto("webhooks")
      .values({
        id: webhook.id,
        project_id: webhook.projectId,
        url: webhook.url,
        events: JSON.stringify(webhook.events),
        secret: sealedSecret,
        description: webhook.description,
        created_at: webhook.createdAt,
        deleted_at: webhook.deletedAt,
      })
      .execute();
  }

  /**
   * Deletes an endpoint softly (its delivery log stays readable) and cancels its pending
   * deliveries. Two statements: call it in a unit of work, which makes them one.
   */
  async remove(id: string, at: number): Promise<void> {
    await this.db.updateTable("webhooks").set({ deleted_at: at }).where("id", "=", id).execute();
    await this.db
      .updateTable("webhook_deliveries")
      .set({ status: "cancelled", locked_until: null })
      .where("webhook_id", "=", id)
      .where("status", "=", "pending")
      .execute();
  }

  /** An endpoint by id, deleted or not. */
  async get(id: string): Promise<WebhookRecord | null> {
    const row = await this.db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toWebhook(row) : null;
  }

  /** Live endpoints, newest first; `projectId` undefined for all. */
  async list(
    projectId: string | undefined,
    after: string | null,
    limit: number,
  ): Promise<Page<WebhookRecord>> {
    let query = this.db
      .selectFrom("webhooks")
      .selectAll()
      .where("deleted_at", "is", null)
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectId) query = query.where("project_id", "=", projectId);
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toWebhook), limit, (w) => w.id);
  }

  /** An endpoint's delivery log, newest first. */
  async deliveries(
    webhookId: string,
    status: DeliveryStatus | undefined,
    after: string | null,
    limit: number,
  ): Promise<Page<DeliveryRecord>> {
    let query = this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("alerts as a", "a.id", "d.alert_id")
      .selectAll("d")
      .select("a.type")
      .where("d.webhook_id", "=", webhookId)
      .orderBy("d.id", "desc")
      .limit(limit + 1);
    if (status) query = query.where("d.status", "=", status);
    if (after) query = query.where("d.id", "<", after);
    const rows = await query.execute();
    const records = rows.map(
      (row): DeliveryRecord => ({
        id: row.id,
        webhookId: row.webhook_id,
        alertId: row.alert_id,
        eventType: row.type,
        status: row.status as DeliveryStatus,
        attempts: row.attempts,
        responseStatus: row.response_status,
        error: row.error,
        createdAt: row.created_at,
        lastAttemptAt: row.last_attempt_at,
        deliveredAt: row.delivered_at,
        nextAttemptAt: row.status === "pending" ? row.next_attempt_at : null,
      }),
    );
    return page(records, limit, (d) => d.id);
  }

  /**
   * Claims due, unclaimed deliveries for `lease`, oldest first, and answers them with their alert
   * and endpoint. The claim is one UPDATE that repeats its WHERE, so of nodes racing for a row
   * exactly one claims it.
   */
  async claimDue(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    const { now, lease } = options;
    const due: DueFilter = (eb) =>
      eb.and([
        eb("status", "=", "pending"),
        eb("next_attempt_at", "<=", now),
        eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]),
      ]);
    let ranked = this.db
      .selectFrom("webhook_deliveries")
      .select([
        "id",
        "next_attempt_at",
        sql<number>`row_number() over (partition by webhook_id order by next_attempt_at, id)`.as("rank"),
      ])
      .where(due);
    if (options.skipEndpoints.length) ranked = ranked.where("webhook_id", "not in", options.skipEndpoints);
    const candidates = this.db
      .selectFrom(ranked.as("r"))
      .select("r.id")
      .where("r.rank", "<=", options.perEndpoint)
      .orderBy("r.next_attempt_at")
      .limit(options.limit);
    const claimed = await this.db
      .updateTable("webhook_deliveries")
      .set({ locked_until: lease })
      .where("id", "in", candidates)
      .where(due)
      .returning("id")
      .execute();
    if (!claimed.length) return [];
    const rows = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("alerts as a", "a.id", "d.alert_id")
      .innerJoin("webhooks as w", "w.id", "d.webhook_id")
      .select([
        "d.id",
        "d.attempts",
        "a.id as alertId",
        "a.type",
        "a.project_id as projectId",
        "a.key_id as keyId",
        "a.data",
        "a.created_at as createdAt",
        "w.id as webhookId",
        "w.url",
        "w.secret",
        "w.deleted_at as deletedAt",
      ])
      .where(
        "d.id",
        "in",
        claimed.map((row) => row.id),
      )
      .execute();
    return rows.map((row) => ({
      id: row.id,
      attempts: row.attempts,
      alert: {
        id: row.alertId,
        type: row.type as AlertEvent,
        projectId: row.projectId,
        keyId: row.keyId,
        data: JSON.parse(row.data) as Record<string, unknown>,
        createdAt: row.createdAt,
      },
      webhook: { id: row.webhookId, url: row.url, secret: row.secret, deletedAt: row.deletedAt },
    }));
  }

  /**
   * Records how an attempt ended, only while the claim made with `lease` still holds: a lapsed
   * lease or a cancellation wins. Answers false when it did not.
   */
  async recordAttempt(id: string, lease: number, attempt: DeliveryAttempt): Promise<boolean> {
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: attempt.status,
        attempts: attempt.attempts,
        last_attempt_at: attempt.lastAttemptAt,
        response_status: attempt.responseStatus,
        error: attempt.error,
        locked_until: null,
        next_attempt_at: attempt.nextAttemptAt,
        delivered_at: attempt.deliveredAt,
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .where("locked_until", "=", lease)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Cancels a pending delivery (its endpoint was deleted after it was queued). */
  async cancelDelivery(id: string, at: number): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set({ status: "cancelled", locked_until: null, next_attempt_at: at })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  }

  /** Every endpoint's stored signing secret (deleted ones too), for sealing those still in plaintext. */
  async secrets(): Promise<{ id: string; secret: string }[]> {
    return this.db.selectFrom("webhooks").select(["id", "secret"]).orderBy("id").execute();
  }

  /**
   * Replaces stored signing secrets, each only if it is still `from`. On SQLite the old pages are
   * overwritten (secure_delete) and the WAL is checkpointed, so what was replaced does not linger
   * in free pages or the log. Answers how many rows changed.
   */
  async replaceSecrets(changes: readonly { id: string; from: string; to: string }[]): Promise<number> {
    if (!changes.length) return 0;
    const sqlite = this.dialect === "sqlite";
    if (sqlite) await sql`pragma secure_delete = on`.execute(this.db);
    let replaced = 0;
    try {
      for (const change of changes) {
        const result = await this.db
          .updateTable("webhooks")
          .set({ secret: change.to })
          .where("id", "=", change.id)
          .where("secret", "=", change.from)
          .executeTakeFirst();
        replaced += Number(result.numUpdatedRows);
      }
      if (sqlite) await sql`pragma wal_checkpoint(truncate)`.execute(this.db);
    } finally {
      if (sqlite) await sql`pragma secure_delete = off`.execute(this.db);
    }
    return replaced;
  }

  /** The webhook key as stored (wrapped, JSON), or null before the first start made one. */
  async signingKey(): Promise<string | null> {
    const row = await this.db
      .selectFrom("keysmith_meta")
      .select("value")
      .where("name", "=", SIGNING_KEY)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  /** Stores the webhook key unless one is stored; true when this call stored it. Safe against concurrent starts. */
  async claimSigningKey(wrapped: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("keysmith_meta")
      .values({ name: SIGNING_KEY, value: wrapped, updated_at: now })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Replaces the stored webhook key (re-wrapped), only if it is still `expected` when given, so
   * two nodes re-wrapping at once cannot undo each other. True when it was replaced.
   */
  async replaceSigningKey(wrapped: string, now: number, expected?: string): Promise<boolean> {
    let query = this.db
      .updateTable("keysmith_meta")
      .set({ value: wrapped, updated_at: now })
      .where("name", "=", SIGNING_KEY);
    if (expected !== undefined) query = query.where("value", "=", expected);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toWebhook(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    events: JSON.parse(row.events) as AlertEvent[],
    description: row.description,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
  };
}
