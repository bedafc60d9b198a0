import type { FastifyBaseLogger } from "fastify";
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from "kysely";
import type { Clock } from "../clock.js";
import type { Dialect } from "../storage/connect.js";
import type { Database } from "../storage/schema.js";
import { VERSION } from "../version.js";
import { webhookHeaders } from "./signing.js";

/** Waits before each retry: attempt 1 failed → 5 s, … attempt 8 failed → 24 h; attempt 9 failing gives up. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000, 43_200_000, 86_400_000,
];
/** Jitter adds up to this share of the delay, so endpoints that failed together do not retry together. */
const JITTER = 0.2;
/** A claim outlives the request timeout by this much; a node that dies mid-send frees it then. */
const LEASE_MARGIN_MS = 30_000;
const MAX_ERROR_LENGTH = 200;

export type DeliveryStatus = "pending" | "delivered" | "failed" | "cancelled";

export interface WebhookDispatcherOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  logger: Pick<FastifyBaseLogger, "warn">;
  /** Injectable for tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** Per request; a slower endpoint counts as a failed attempt. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries claimed per pass. Default 50. */
  batchSize?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  /** Periodic work run at the start of every pass (e.g. the key.expiring check). */
  jobs?: ReadonlyArray<(now: number) => Promise<unknown>>;
}

/** The delay before the retry after `attempts` failed attempts, or null when it is time to give up. */
export function retryDelay(attempts: number, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1];
  return base === undefined ? null : base + Math.floor(base * JITTER * random());
}

type DueFilter = (eb: ExpressionBuilder<Database, "webhook_deliveries">) => Expression<SqlBool>;

/**
 * Sends the outbox. Each pass claims due deliveries with one UPDATE that sets `locked_until`,
 * so nodes sharing a database never send the same delivery at the same time; sends them signed;
 * records the outcome and schedules retries with backoff. Everything lives in rows, so a restart
 * picks up where the last process stopped. Runs beside request handling, never inside it.
 *
 * @example
 * const dispatcher = new WebhookDispatcher({ db, dialect, clock, logger });
 * dispatcher.start(1000);
 * await dispatcher.stop();
 */
export class WebhookDispatcher {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  private nudged = false;
  private intervalMs = 1000;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 8;
    this.random = options.random ?? Math.random;
  }

  /**
   * One pass: runs the jobs, then claims and sends every due delivery (up to the batch size).
   * Answers how many deliveries it attempted. Passes never overlap: a call made during one
   * starts after it.
   */
  runOnce(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const run = previous.catch(() => 0).then(() => this.pass());
    this.running = run;
    void run
      .catch(() => 0)
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    return run;
  }

  /** Runs a pass every `intervalMs`, and at once after `nudge()` or a full batch. */
  start(intervalMs = 1000): void {
    if (this.active) return;
    this.active = true;
    this.intervalMs = intervalMs;
    this.schedule(0);
  }

  /** Asks for a pass soon, e.g. right after an alert was raised. No effect unless started. */
  nudge(): void {
    if (!this.active) return;
    this.nudged = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /** Stops the loop and waits for a pass in flight to finish. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => 0);
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nudged = false;
      this.runOnce().then(
        (attempted) => {
          if (this.active) this.schedule(attempted >= this.batchSize || this.nudged ? 0 : this.intervalMs);
        },
        (err: unknown) => {
          this.options.logger.warn({ err }, "webhook dispatch failed");
          if (this.active) this.schedule(this.intervalMs);
        },
      );
    }, delay);
    this.timer.unref();
  }

  private async pass(): Promise<number> {
    const now = this.options.clock.now();
    for (const job of this.options.jobs ?? []) {
      try {
        await job(now);
      } catch (err) {
        this.options.logger.warn({ err }, "alert job failed");
      }
    }
    const lease = now + this.timeoutMs + LEASE_MARGIN_MS;
    const claimed = await this.claim(now, lease);
    if (!claimed.length) return 0;
    const deliveries = await this.options.db
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
        "w.url",
        "w.secret",
        "w.deleted_at as deletedAt",
      ])
      .where("d.id", "in", claimed)
      .execute();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++];
        if (delivery) await this.deliver(delivery, lease);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, deliveries.length) }, worker));
    return deliveries.length;
  }

  /** Claims due, unclaimed deliveries; the WHERE is repeated on the UPDATE so a lost race claims nothing. */
  private async claim(now: number, lease: number): Promise<string[]> {
    const { db, dialect } = this.options;
    const due: DueFilter = (eb) =>
      eb.and([
        eb("status", "=", "pending"),
        eb("next_attempt_at", "<=", now),
        eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]),
      ]);
    let candidates = db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where(due)
      .orderBy("next_attempt_at")
      .limit(this.batchSize);
    // Postgres: skip rows another node is claiming instead of queueing behind its lock.
    if (dialect === "postgres") candidates = candidates.forUpdate().skipLocked();
    const rows = await db
      .updateTable("webhook_deliveries")
      .set({ locked_until: lease })
      .where("id", "in", candidates)
      .where(due)
      .returning("id")
      .execute();
    return rows.map((row) => row.id);
  }

  private async deliver(delivery: ClaimedDelivery, lease: number): Promise<void> {
    const { db, clock } = this.options;
    if (delivery.deletedAt !== null) {
      await db
        .updateTable("webhook_deliveries")
        .set({ status: "cancelled", locked_until: null, next_attempt_at: clock.now() })
        .where("id", "=", delivery.id)
        .where("status", "=", "pending")
        .execute();
      return;
    }
    const body = JSON.stringify({
      type: delivery.type,
      timestamp: new Date(delivery.createdAt).toISOString(),
      data: { projectId: delivery.projectId, keyId: delivery.keyId, ...JSON.parse(delivery.data) },
    });
    const sentAt = clock.now();
    // webhook-id is the alert id: a retry carries the same id, so receivers can drop repeats.
    const headers = {
      "content-type": "application/json",
      "user-agent": `keysmith-webhooks/${VERSION}`,
      ...webhookHeaders(delivery.secret, delivery.alertId, Math.floor(sentAt / 1000), body),
    };
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.fetch(delivery.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      responseStatus = response.status;
      await response.body?.cancel().catch(() => {});
      if (responseStatus < 200 || responseStatus > 299) error = `HTTP ${responseStatus}`;
    } catch (err) {
      error = describeFailure(err, this.timeoutMs);
    }
    const attempts = delivery.attempts + 1;
    const finishedAt = clock.now();
    const delay = error === null ? null : retryDelay(attempts, this.random);
    const status: DeliveryStatus = error === null ? "delivered" : delay === null ? "failed" : "pending";
    const result = await db
      .updateTable("webhook_deliveries")
      .set({
        status,
        attempts,
        last_attempt_at: sentAt,
        response_status: responseStatus,
        error,
        locked_until: null,
        next_attempt_at: delay === null ? finishedAt : finishedAt + delay,
        delivered_at: error === null ? finishedAt : null,
      })
      // Only while the claim is still ours: a lapsed lease or a cancellation wins.
      .where("id", "=", delivery.id)
      .where("status", "=", "pending")
      .where("locked_until", "=", lease)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      this.options.logger.warn(
        { deliveryId: delivery.id },
        "webhook delivery outcome not recorded: claim lost",
      );
    }
  }
}

interface ClaimedDelivery {
  id: string;
  attempts: number;
  alertId: string;
  type: string;
  projectId: string | null;
  keyId: string | null;
  data: string;
  createdAt: number;
  url: string;
  secret: string;
  deletedAt: number | null;
}

/** A short, secret-free reason for the delivery log. */
function describeFailure(err: unknown, timeoutMs: number): string {
  const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error?.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  const cause = error?.cause?.code ?? error?.cause?.message;
  const text = cause ? `${error.message ?? "request failed"}: ${cause}` : (error?.message ?? String(err));
  return text.slice(0, MAX_ERROR_LENGTH);
}
