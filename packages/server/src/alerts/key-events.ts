import type { ChangeFeed } from "../changes.js";
import type { KeyRecord } from "../domain/records.js";
import type { AlertService, RaiseAlertInput } from "./alerts.js";

export interface KeyEventDeps {
  changes: ChangeFeed;
  keys: { get(id: string): Promise<KeyRecord | null> };
  alerts: Pick<AlertService, "raiseLater">;
}

/**
 * Turns the change feed's `key.revoked` and `key.rolled` into alerts, so the key service needs
 * no knowledge of alerting. Only the node that made the change publishes it on the local feed;
 * the idempotency key keeps a cluster-wide feed from raising it twice. Returns the unsubscribe.
 */
export function raiseKeyEvents({ changes, keys, alerts }: KeyEventDeps): () => void {
  return changes.subscribe((change) => {
    if (change.type !== "key.revoked" && change.type !== "key.rolled") return;
    const type = change.type;
    alerts.raiseLater(keys.get(change.keyId).then((key) => (key ? keyAlert(type, key) : null)));
  });
}

function keyAlert(type: "key.revoked" | "key.rolled", key: KeyRecord): RaiseAlertInput {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const common = { keyId: key.id, ownerId: key.ownerId, name: key.name, start: key.start };
  return {
    type,
    projectId: key.projectId,
    keyId: key.id,
    data:
      type === "key.revoked"
        ? { ...common, revokedAt: iso(key.revokedAt) }
        : { ...common, successorId: key.rolledTo, expiresAt: iso(key.expiresAt) },
    idempotencyKey: `${type}:${key.id}`,
  };
}
