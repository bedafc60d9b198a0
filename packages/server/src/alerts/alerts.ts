import { ALERT_EVENTS, type AlertEvent, newId } from "@keysmith/core";
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../clock.js";
import { type ActionContext, decodeCursor, ID_CURSOR, requireScope } from "../domain/access.js";
import type { AlertRecord, Page } from "../domain/records.js";
import type { Store } from "../storage/store.js";

/** Every event an alert can be, and so every event a webhook endpoint can subscribe to (SPEC §6). */
export { ALERT_EVENTS, type AlertEvent, type AlertRecord };

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

export interface AlertQuery {
  projectId?: string | undefined;
  type?: AlertEvent | undefined;
  keyId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface AlertServiceDeps {
  store: Pick<Store, "alerts">;
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
    const raising = this.persist(input);
    this.pending.add(raising);
    raising.then(
      () => this.pending.delete(raising),
      () => this.pending.delete(raising),
    );
    return raising;
  }

  private async persist(input: RaiseAlertInput): Promise<boolean> {
    if (!(ALERT_EVENTS as readonly string[]).includes(input.type)) {
      throw new Error(`unknown alert type ${String(input.type)}`);
    }
    const now = this.deps.clock.now();
    const alert: AlertRecord = {
      id: newId("evt", now),
      type: input.type,
      projectId: input.projectId,
      keyId: input.keyId,
      data: input.data,
      createdAt: now,
    };
    const queued = await this.deps.store.alerts.raise(alert, input.idempotencyKey);
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
    return this.deps.store.alerts.list(
      { projectId, type: query.type, keyId: query.keyId },
      after,
      query.limit,
    );
  }
}
