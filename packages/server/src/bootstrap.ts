import type { Clock } from "./clock.js";
import { issueRootKey } from "./services/root-keys.js";
import type { Store } from "./storage/store.js";

/**
 * Creates the first admin root key, once per database, however many nodes start at the same
 * time: the claim on the meta row decides. Returns the plaintext to show once, or null when
 * the database was set up before.
 */
export async function bootstrapRootKey(store: Store, clock: Clock): Promise<string | null> {
  const now = clock.now();
  return store.transaction(async (repo) => {
    const issued = issueRootKey(
      { projectId: null, scopes: ["admin"], name: "bootstrap", expiresAt: null, createdBy: null },
      now,
    );
    if (!(await repo.claimMeta("bootstrap", issued.record.id, now))) return null;
    await repo.insertRootKey(issued.record);
    await repo.appendAudit(
      {
        actorType: "system",
        actorId: null,
        action: "root_key.create",
        targetType: "root_key",
        targetId: issued.record.id,
        projectId: null,
        requestId: null,
        sourceIp: null,
        details: { scopes: ["admin"], start: issued.record.start, reason: "bootstrap" },
      },
      now,
    );
    return issued.plaintext;
  });
}
