import { SYSTEM } from "../domain/access.js";
import type { Store } from "../storage/store.js";
import { unitOfWork } from "../storage/unit-of-work.js";
import { rewrapWebhookKey } from "../webhooks/secret-key.js";
import { unwrapProjectKey, wrapProjectKey } from "./crypto.js";
import {
  checkMasterKey,
  keyMatchesStoredCheck,
  type MasterKeySource,
  prepareMasterKey,
  setCheck,
  setKdf,
  VAULT_TARGET,
} from "./master-key.js";

export interface RotationResult {
  /** Project keys re-wrapped under the new master key. */
  projectKeys: number;
}

/**
 * Replaces the master key: checks the old one, then in one unit of work re-wraps every project
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
  const oldKey = await checkMasterKey(store.meta, from);
  const fresh = await prepareMasterKey(to);
  const write = unitOfWork({ store, clock: { now: () => now } });
  return write(SYSTEM, async (tx) => {
    // Another rotation may have finished since the check above: then the old key is stale.
    if (!(await keyMatchesStoredCheck(tx.meta, oldKey))) {
      throw new Error("the master key changed while rotating; run the rotation again");
    }
    const keys = await tx.vault.listProjectKeys();
    for (const key of keys) {
      const projectKey = unwrapProjectKey(oldKey, key.projectId, {
        ciphertext: Buffer.from(key.wrappedKey, "base64"),
        nonce: Buffer.from(key.nonce, "base64"),
      });
      const wrapped = wrapProjectKey(fresh.key, key.projectId, projectKey);
      projectKey.fill(0);
      await tx.vault.rewrapProjectKey(
        key.projectId,
        { wrappedKey: wrapped.ciphertext.toString("base64"), nonce: wrapped.nonce.toString("base64") },
        tx.now,
      );
    }
    // The webhook key is wrapped under the master key too (when it is not under a local key
    // file). It stays in this transaction until the webhook key has a repository of its own.
    await rewrapWebhookKey(tx.webhooks, oldKey, fresh.key, tx.now);
    await setCheck(tx.meta, fresh.check, tx.now);
    await setKdf(tx.meta, fresh.kdf, tx.now);
    await tx.audit("vault.rotate_master", VAULT_TARGET, {
      projectKeys: keys.length,
      from: from.kind,
      to: to.kind,
    });
    return { projectKeys: keys.length };
  });
}
