import { expiringAlertKey } from "../storage/repositories/alerts.js";
import type { Store } from "../storage/store.js";
import type { AlertService } from "./alerts.js";

const DAY = 86_400_000;

/** Warnings before a key expires, tightest first. A key is warned for the tightest one it is within. */
export const EXPIRY_THRESHOLDS = [
  { name: "1d", ms: DAY },
  { name: "7d", ms: 7 * DAY },
] as const;

/** Keys examined per threshold and pass; the rest wait for the next pass. */
const BATCH = 500;

export interface ExpiringKeysDeps {
  store: Pick<Store, "alerts">;
  alerts: Pick<AlertService, "raise">;
}

/**
 * Raises `key.expiring` for live keys that expire within 7 days, and again within 1 day. The
 * idempotency key (`key.expiring:<keyId>:<threshold>:<expiresAt>`) makes each fire once across
 * nodes and restarts, and again if the expiry is moved. Keys already alerted are skipped in the
 * query, so a pass costs one indexed lookup per key in the window. The old key of a roll is
 * skipped: its expiry is the grace period the caller asked for. Answers how many alerts it raised.
 *
 * @example await checkExpiringKeys({ store, alerts }, clock.now());
 */
export async function checkExpiringKeys(deps: ExpiringKeysDeps, now: number): Promise<number> {
  let raised = 0;
  let lower = 0;
  for (const threshold of EXPIRY_THRESHOLDS) {
    const keys = await deps.store.alerts.keysExpiring(now + lower, now + threshold.ms, threshold.name, BATCH);
    for (const key of keys) {
      const { expiresAt } = key;
      const fired = await deps.alerts.raise({
        type: "key.expiring",
        projectId: key.projectId,
        keyId: key.id,
        data: {
          keyId: key.id,
          ownerId: key.ownerId,
          name: key.name,
          expiresAt: new Date(expiresAt).toISOString(),
          within: threshold.name,
        },
        idempotencyKey: expiringAlertKey(key.id, threshold.name, expiresAt),
      });
      if (fired) raised++;
    }
    lower = threshold.ms;
  }
  return raised;
}

/**
 * The check as a dispatcher job: at most once per `everyMs` of the injected clock, since the
 * dispatcher passes far more often than expiries need looking at.
 */
export function expiringKeysJob(deps: ExpiringKeysDeps, everyMs = 60_000): (now: number) => Promise<number> {
  let last: number | null = null;
  return async (now) => {
    if (last !== null && now - last < everyMs) return 0;
    last = now;
    return checkExpiringKeys(deps, now);
  };
}
