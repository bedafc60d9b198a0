import type { Clock } from "./clock.js";
import { SYSTEM } from "./domain/access.js";
import { issueRootKey } from "./services/root-keys.js";
import type { Store } from "./storage/store.js";
import { unitOfWork } from "./storage/unit-of-work.js";

/**
 * Creates the first admin root key, once per database, however many nodes start at the same
 * time: the claim on the meta row decides. Returns the plaintext to show once, or null when
 * the database was set up before.
 */
export async function bootstrapRootKey(store: Store, clock: Clock): Promise<string | null> {
  const write = unitOfWork({ store, clock });
  return write(SYSTEM, async (tx) => {
    const issued = issueRootKey(
      { projectId: null, scopes: ["admin"], name: "bootstrap", expiresAt: null, createdBy: null },
      tx.now,
    );
    if (!(await tx.meta.claim("bootstrap", issued.record.id, tx.now))) return null;
    await tx.rootKeys.insert(issued.record);
    await tx.audit(
      "root_key.create",
      { type: "root_key", id: issued.record.id, projectId: null },
      { scopes: ["admin"], start: issued.record.start, reason: "bootstrap" },
    );
    return issued.plaintext;
  });
}
