import type { AlertService } from "../alerts/alerts.js";
import type { VaultReads } from "../storage/repositories/vault.js";

/** Secrets examined per pass; the rest wait for the next one. */
const BATCH = 500;

export interface RotationDueDeps {
  vault: Pick<VaultReads, "rotationDue">;
  alerts: Pick<AlertService, "raise">;
}

/**
 * Raises `secret.rotation_due` for every live secret whose current version is older than its
 * `rotateEvery`. The due date is the last rotation plus the period, and it is part of the
 * idempotency key (`secret.rotation_due:<secretId>:<dueAt ms>`): one alert per due date, across
 * nodes and restarts; a new version moves the date and arms the next one. Secrets already
 * alerted are skipped in the query. Answers how many alerts it raised.
 *
 * @example await checkRotationDue({ vault: store.vault, alerts }, clock.now());
 */
export async function checkRotationDue(deps: RotationDueDeps, now: number): Promise<number> {
  const due = await deps.vault.rotationDue(now, BATCH);
  let raised = 0;
  for (const secret of due) {
    const dueAtMs = secret.rotatedAt + (secret.rotateEveryMs as number);
    const fired = await deps.alerts.raise({
      type: "secret.rotation_due",
      projectId: secret.projectId,
      keyId: null,
      data: {
        secretId: secret.id,
        name: secret.name,
        environment: secret.environment,
        rotateEvery: secret.rotateEvery,
        lastRotatedAt: new Date(secret.rotatedAt).toISOString(),
        dueAt: new Date(dueAtMs).toISOString(),
      },
      idempotencyKey: `secret.rotation_due:${secret.id}:${dueAtMs}`,
    });
    if (fired) raised++;
  }
  return raised;
}

/** The check as a dispatcher job, at most once per `everyMs` of the injected clock. */
export function rotationDueJob(deps: RotationDueDeps, everyMs = 60_000): (now: number) => Promise<number> {
  let last: number | null = null;
  return async (now) => {
    if (last !== null && now - last < everyMs) return 0;
    last = now;
    return checkRotationDue(deps, now);
  };
}
