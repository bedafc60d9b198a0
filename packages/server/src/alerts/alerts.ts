import { ALERT_EVENTS, type AlertEvent, encodeBase62, newId, randomBase62 } from "@keysmith/core";
import type { FastifyBaseLogger } from "fastify";
import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../clock.js";
import { type ActionContext, decodeCursor, ID_CURSOR, requireScope } from "../domain/access.js";
import type { Page } from "../domain/records.js";
import type { AlertsTable, Database } from "../storage/schema.js";

/** Every event an alert can be, and so every event a webhook endpoint can subscribe to (SPEC §6). */
export { ALERT_EVENTS, type AlertEvent };

export interface RaiseAlertInput {
  type: AlertEvent;
  projectId: string | null;
  keyId: string | null;
  /** Event details, delivered as the webhook body's `data` (with `projectId` and `keyId`). */
  data: Record<string, unknown>;
  /**
   * Names the occurrence, e.g. `budget.threshold:key:<id>:<periodStart>:0.8`. A second raise
   * with the same key does nothing, on any node and after any restart.
   */
  idempotencyKey: string;
}

export interface AlertRecord {
  id: string;
  type: AlertEvent;
  projectId: string | null;
  keyId: string | null;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface AlertQuery {
  projectId?: string | undefined;
  type?: AlertEvent | undefined;
  keyId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface AlertServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Pick<FastifyBaseLogger, "warn">;
  /** Called after an alert was stored with deliveries to send (the dispatcher's nudge). */
  onRaised?: () => void;
}

/**
 * Alerts and their fan-out to webhook endpoints. An alert and its pending deliveries are written
 * in one transaction, so a stored alert always reaches every endpoint subscribed at that moment.
 */
export class AlertService {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: AlertServiceDeps) {}

  /**
   * Stores the alert once per idempotency key and queues one delivery per live endpoint that
   * subscribes to its type and matches its project (an endpoint without a project matches all).
   * Answers false when the idempotency key was seen before.
   *
   * @example
   * await alerts.raise({ type: "key.revoked", projectId, keyId, data: {}, idempotencyKey: `key.revoked:${keyId}` });
   */
  raise(input: RaiseAlertInput): Promise<boolean> {
    // Tracked like raiseLater, so `drain()` (shutdown, tests) also waits for direct raises.
    const raising = this.store(input);
    this.pending.add(raising);
    raising.then(
      () => this.pending.delete(raising),
      () => this.pending.delete(raising),
    );
    return raising;
  }

  private async store(input: RaiseAlertInput): Promise<boolean> {
    if (!(ALERT_EVENTS as readonly string[]).includes(input.type)) {
      throw new Error(`unknown alert type ${String(input.type)}`);
    }
    const now = this.deps.clock.now();
    const id = newId("evt", now);
    const queued = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto("alerts")
        .values({
          id,
          type: input.type,
          project_id: input.projectId,
          key_id: input.keyId,
          data: JSON.stringify(input.data),
          idempotency_key: input.idempotencyKey,
          created_at: now,
        })
        // A conflict, not a check-then-insert: two nodes raising the same alert at once store one.
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      let endpoints = trx.selectFrom("webhooks").select(["id", "events"]).where("deleted_at", "is", null);
      const projectId = input.projectId;
      endpoints =
        projectId === null
          ? endpoints.where("project_id", "is", null)
          : endpoints.where((eb) => eb.or([eb("project_id", "is", null), eb("project_id", "=", projectId)]));
      const subscribed = (await endpoints.execute()).filter((endpoint) =>
        (JSON.parse(endpoint.events) as string[]).includes(input.type),
      );
      if (subscribed.length) {
        await trx
          .insertInto("webhook_deliveries")
          .values(
            subscribed.map((endpoint) => ({
              id: newDeliveryId(now),
              webhook_id: endpoint.id,
              alert_id: id,
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
      }
      return subscribed.length;
    });
    if (queued === null) return false;
    if (queued > 0) this.deps.onRaised?.();
    return true;
  }

  /**
   * Raises without waiting, for hot paths (verification) and event listeners: a failure is
   * logged, never thrown. Takes the input or a promise of it (null: nothing to raise).
   * `drain()` waits for what is still in flight.
   */
  raiseLater(input: RaiseAlertInput | Promise<RaiseAlertInput | null>): void {
    const raising = Promise.resolve(input)
      .then((resolved) => (resolved === null ? false : this.raise(resolved)))
      .catch((err: unknown) => {
        this.deps.logger.warn({ err }, "alert failed");
      });
    this.pending.add(raising);
    void raising.finally(() => this.pending.delete(raising));
  }

  /** Resolves when every alert raised so far has been stored (or failed). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Alerts newest first. A root key bound to a project sees only that project's alerts. */
  async list(ctx: ActionContext, query: AlertQuery): Promise<Page<AlertRecord>> {
    requireScope(ctx.actor, "usage:read");
    const bound = ctx.actor.projectId;
    // Another project's id answers an empty list, as if it did not exist.
    const projectId =
      bound !== null && query.projectId && query.projectId !== bound ? "-" : (bound ?? query.projectId);
    const after = decodeCursor(query.cursor, ID_CURSOR);
    let select = this.deps.db
      .selectFrom("alerts")
      .selectAll()
      .orderBy("id", "desc")
      .limit(query.limit + 1);
    if (projectId) select = select.where("project_id", "=", projectId);
    if (query.type) select = select.where("type", "=", query.type);
    if (query.keyId) select = select.where("key_id", "=", query.keyId);
    if (after) select = select.where("id", "<", after);
    const rows = (await select.execute()).map(toAlert);
    if (rows.length <= query.limit) return { items: rows, next: null };
    const items = rows.slice(0, query.limit);
    return { items, next: items[items.length - 1]?.id ?? null };
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
