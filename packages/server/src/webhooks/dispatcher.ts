import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../clock.js";
import type { ClaimedDelivery, DeliveryStatus } from "../domain/records.js";
import type { Store } from "../storage/store.js";
import { VERSION } from "../version.js";
import type { WebhookSecretBox } from "./secret-box.js";
import {
  type FailureClass,
  MAX_RESPONSE_BYTES,
  type Resolver,
  type SendResult,
  sendWebhook,
} from "./send.js";
import { webhookHeaders } from "./signing.js";
import { PUBLIC_ONLY, type TargetPolicy } from "./target-policy.js";

/** Waits before each retry: attempt 1 failed → 5 s, … attempt 8 failed → 24 h; attempt 9 failing gives up. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000, 43_200_000, 86_400_000,
];
/** Jitter adds up to this share of the delay, so endpoints that failed together do not retry together. */
const JITTER = 0.2;
/** A claim outlives the request timeout by this much; a node that dies mid-send frees it then. */
const LEASE_MARGIN_MS = 30_000;

export type { DeliveryStatus };

export interface WebhookDispatcherOptions {
  /** The outbox: `store.webhooks`. */
  store: Pick<Store, "webhooks">;
  clock: Clock;
  logger: Pick<FastifyBaseLogger, "warn">;
  /** Per attempt (lookup, connect, request, response); a slower endpoint counts as `timeout`. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries claimed per pass. Default 50. */
  batchSize?: number;
  /** Requests in flight at once on this node, over all endpoints. Default 64. */
  concurrency?: number;
  /** Requests in flight at once to one endpoint. Default 4. */
  perEndpoint?: number;
  /** Which addresses deliveries may connect to. Default: public addresses only. */
  policy?: TargetPolicy;
  /** Response bytes read at most (default 64 KiB); more is `response_too_large`. */
  maxResponseBytes?: number;
  /** Opens the endpoints' signing secrets; a locked box sends nothing (another node may hold the key). */
  secrets: WebhookSecretBox;
  /** Host name resolution; the system's by default (tests inject one to play DNS rebinding). */
  resolve?: Resolver;
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

/**
 * Sends the outbox. Each pass claims due deliveries with one UPDATE that sets `locked_until`,
 * so nodes sharing a database never send the same delivery at the same time; sends them signed;
 * records the outcome (a failure as a class) and schedules retries with backoff. Everything
 * lives in rows, so a restart picks up where the last process stopped. Runs beside request
 * handling, never inside it.
 *
 * Endpoints are isolated: a pass takes at most `perEndpoint` deliveries of one endpoint and
 * none of an endpoint this node is still sending to, and the loop does not wait for a pass's
 * sends before the next pass — so an endpoint that never answers holds only its own deliveries
 * (until the timeout), never another endpoint's.
 *
 * @example
 * const dispatcher = new WebhookDispatcher({ store, clock, logger, secrets });
 * dispatcher.start(1000);
 * await dispatcher.stop();
 */
export class WebhookDispatcher {
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly perEndpoint: number;
  private readonly random: () => number;
  private readonly policy: TargetPolicy;
  private readonly maxResponseBytes: number;
  /** The claim step of the latest pass; claims never overlap, deliveries do. */
  private claiming: Promise<unknown> = Promise.resolve();
  /** Deliveries in flight on this node, by endpoint id. */
  private readonly busy = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  private nudged = false;
  private intervalMs = 1000;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 64;
    this.perEndpoint = options.perEndpoint ?? 4;
    this.random = options.random ?? Math.random;
    this.policy = options.policy ?? PUBLIC_ONLY;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  /**
   * One pass: runs the jobs, then claims due deliveries (up to the batch size, at most
   * `perEndpoint` per endpoint, none of an endpoint this node is still sending to) and sends
   * them. Answers how many deliveries it attempted, once they are done. Claim steps never
   * overlap; a call made during one claims after it.
   */
  async runOnce(): Promise<number> {
    const { attempted, done } = await this.claimAndSend();
    await done;
    return attempted;
  }

  /** Runs a pass every `intervalMs`, and at once after `nudge()`, a full batch or a finished endpoint. */
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

  /** Stops the loop and waits for the deliveries in flight to finish. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.claiming.catch(() => 0);
    await Promise.all(this.inFlight);
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nudged = false;
      // The loop waits for the claim step only: a slow endpoint's delivery goes on in the
      // background while the next pass serves every other endpoint.
      this.claimAndSend().then(
        ({ attempted }) => {
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

  private claimAndSend(): Promise<{ attempted: number; done: Promise<unknown> }> {
    const step = this.claiming.catch(() => 0).then(() => this.pass());
    this.claiming = step;
    return step;
  }

  private async pass(): Promise<{ attempted: number; done: Promise<unknown> }> {
    const now = this.options.clock.now();
    for (const job of this.options.jobs ?? []) {
      try {
        await job(now);
      } catch (err) {
        this.options.logger.warn({ err }, "alert job failed");
      }
    }
    const room = Math.min(this.batchSize, this.concurrency - this.inFlight.size);
    const none = { attempted: 0, done: Promise.resolve() };
    if (room <= 0 || this.options.secrets.locked) return none;
    const lease = now + this.timeoutMs + LEASE_MARGIN_MS;
    // At most `perEndpoint` per endpoint, none of an endpoint this node is still sending to.
    const claimed = await this.options.store.webhooks.claimDue({
      now,
      lease,
      limit: room,
      perEndpoint: this.perEndpoint,
      skipEndpoints: [...this.busy.keys()],
    });
    const sends = claimed.map((delivery) => this.track(delivery, lease));
    return { attempted: claimed.length, done: Promise.all(sends) };
  }

  /** Sends one delivery, counting it against its endpoint while in flight. Never rejects. */
  private track(delivery: ClaimedDelivery, lease: number): Promise<void> {
    const endpoint = delivery.webhook.id;
    this.busy.set(endpoint, (this.busy.get(endpoint) ?? 0) + 1);
    const sending: Promise<void> = this.deliver(delivery, lease)
      .catch((err: unknown) => this.options.logger.warn({ err }, "webhook delivery failed"))
      .finally(() => {
        const left = (this.busy.get(endpoint) ?? 1) - 1;
        this.inFlight.delete(sending);
        if (left > 0) {
          this.busy.set(endpoint, left);
          return;
        }
        this.busy.delete(endpoint);
        // The endpoint is free again: its next due delivery need not wait for the interval.
        this.nudge();
      });
    this.inFlight.add(sending);
    return sending;
  }

  private async deliver(delivery: ClaimedDelivery, lease: number): Promise<void> {
    const { store, clock } = this.options;
    const { alert, webhook } = delivery;
    if (webhook.deletedAt !== null) {
      await store.webhooks.cancelDelivery(delivery.id, clock.now());
      return;
    }
    const body = JSON.stringify({
      type: alert.type,
      timestamp: new Date(alert.createdAt).toISOString(),
      data: { projectId: alert.projectId, keyId: alert.keyId, ...alert.data },
    });
    const sentAt = clock.now();
    const secret = this.options.secrets.open(webhook.id, webhook.secret);
    let outcome: SendResult;
    if (secret === null) {
      // Sealed under another key, or the row was changed: nothing unsigned is ever sent.
      outcome = { ok: false, failure: "secret_unavailable", status: null };
    } else {
      // webhook-id is the alert id: a retry carries the same id, so receivers can drop repeats.
      const headers = {
        "content-type": "application/json",
        "user-agent": `keysmith-webhooks/${VERSION}`,
        ...webhookHeaders(secret, alert.id, Math.floor(sentAt / 1000), body),
      };
      outcome = await sendWebhook(webhook.url, {
        headers,
        body,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        policy: this.policy,
        ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
      });
    }
    const responseStatus = outcome.status;
    const error: FailureClass | null = outcome.ok ? null : outcome.failure;
    const attempts = delivery.attempts + 1;
    const finishedAt = clock.now();
    const delay = error === null ? null : retryDelay(attempts, this.random);
    const status: DeliveryStatus = error === null ? "delivered" : delay === null ? "failed" : "pending";
    // Only while the claim is still ours: a lapsed lease or a cancellation wins.
    const recorded = await store.webhooks.recordAttempt(delivery.id, lease, {
      status,
      attempts,
      lastAttemptAt: sentAt,
      responseStatus,
      error,
      nextAttemptAt: delay === null ? finishedAt : finishedAt + delay,
      deliveredAt: error === null ? finishedAt : null,
    });
    if (!recorded) {
      this.options.logger.warn(
        { deliveryId: delivery.id },
        "webhook delivery outcome not recorded: claim lost",
      );
    }
  }
}
