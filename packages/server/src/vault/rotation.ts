import { type Kysely, sql } from "kysely";
import type { AlertService } from "../alerts/alerts.js";
import type { Database } from "../storage/schema.js";

/** Secrets examined per pass; the rest wait for the next one. */
const BATCH = 500;

export interface RotationDueDeps {
  db: Kysely<Database>;
  alerts: Pick<AlertService, "raise">;
}

/**
 * Raises `secret.rotation_due` for every live secret whose current version is older than its
 * `rotateEvery`. The due date is the last rotation plus the period, and it is part of the
 * idempotency key (`secret.rotation_due:<secretId>:<dueAt ms>`): one alert per due date, across
 * nodes and restarts; a new version moves the date and arms the next one. Secrets already
 * alerted are skipped in the query. Answers how many alerts it raised.
 *
 * @example await checkRotationDue({ db: store.database, alerts }, clock.now());
 */
export async function checkRotationDue(deps: RotationDueDeps, now: number): Promise<number> {
  const dueAt = sql<number>`secrets.rotated_at + secrets.rotate_every_ms`;
  const idempotencyKey = sql<string>`${"secret.rotation_due:"} || secrets.id || ${":"} || cast(secrets.rotated_at + secrets.rotate_every_ms as text)`;
  const due = await deps.db
    .selectFrom("secrets")
    .select(["id", "project_id", "environment", "name", "rotated_at", "rotate_every_ms", "rotate_every"])
    .where("deleted_at", "is", null)
    .where("rotate_every_ms", "is not", null)
    .where(dueAt, "<=", now)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom("alerts").select("alerts.id").where("alerts.idempotency_key", "=", idempotencyKey)),
      ),
    )
    .orderBy("rotated_at")
    .limit(BATCH)
    .execute();
  let raised = 0;
  for (const secret of due) {
    const dueAtMs = Number(secret.rotated_at) + Number(secret.rotate_every_ms);
    const fired = await deps.alerts.raise({
      type: "secret.rotation_due",
      projectId: secret.project_id,
      keyId: null,
      data: {
        secretId: secret.id,
        name: secret.name,
        environment: secret.environment,
        rotateEvery: secret.rotate_every,
        lastRotatedAt: new Date(Number(secret.rotated_at)).toISOString(),
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
