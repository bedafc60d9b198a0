import type { Store } from "../storage/store.js";
import { rewrapWebhookKey } from "../webhooks/secret-key.js";
import { unwrapProjectKey, wrapProjectKey } from "./crypto.js";
import {
  checkMasterKey,
  keyMatchesStoredCheck,
  type MasterKeySource,
  prepareMasterKey,
  setCheck,
  setKdf,
} from "./master-key.js";
import { VaultRepo } from "./vault-repo.js";

export interface RotationResult {
  /** Project keys re-wrapped under the new master key. */
  projectKeys: number;
}

/**
 * Replaces the master key: checks the old one, then in one transaction re-wraps every project
 * key under the new one and replaces the check value (and the scrypt parameters). No secret
 * value is decrypted: values are sealed under data keys, which are sealed under project keys,
 * which do not change. Audited as `vault.rotate_master`. Servers must restart with the new key.
 *
 * @example await rotateMasterKey(store, oldSource, newSource, Date.now());
 */
export async function rotateMasterKey(
  store: Store,
  from: MasterKeySource,
  to: MasterKeySource,
  now: number,
): Promise<RotationResult> {
  const oldKey = await checkMasterKey(store.database, from);
  const fresh = await prepareMasterKey(to);
  return VaultRepo.transaction(store.database, store.dialect, async (repo) => {
    // Another rotation may have finished since the check above: then the old key is stale.
    if (!(await keyMatchesStoredCheck(repo.executor, oldKey))) {
      throw new Error("the master key changed while rotating; run the rotation again");
    }
    const rows = await repo.allProjectKeys();
    for (const row of rows) {
      const projectKey = unwrapProjectKey(oldKey, row.project_id, {
        ciphertext: Buffer.from(row.wrapped_key, "base64"),
        nonce: Buffer.from(row.nonce, "base64"),
      });
      const wrapped = wrapProjectKey(fresh.key, row.project_id, projectKey);
      projectKey.fill(0);
      await repo.rewrapProjectKey(
        row.project_id,
        wrapped.ciphertext.toString("base64"),
        wrapped.nonce.toString("base64"),
        now,
      );
    }
    // The webhook key is wrapped under the master key too (when it is not under a local key file).
    await rewrapWebhookKey(repo.executor, oldKey, fresh.key, now);
    await setCheck(repo.executor, fresh.check, now);
    await setKdf(repo.executor, fresh.kdf, now);
    await repo.appendAudit(
      {
        actorType: "system",
        actorId: null,
        action: "vault.rotate_master",
        targetType: "vault",
        targetId: null,
        projectId: null,
        requestId: null,
        sourceIp: null,
        details: { projectKeys: rows.length, from: from.kind, to: to.kind },
      },
      now,
    );
    return { projectKeys: rows.length };
  });
}
