import type { FastifyBaseLogger } from "fastify";
import type { Store } from "../storage/store.js";
import { masterKeySource, unlockVault } from "./master-key.js";

/**
 * The vault's master key for a starting server, checked against the database, or null when
 * none is configured: keys work, the vault answers VAULT_LOCKED, and one log line says so.
 * Throws a one-line Error for a wrong or malformed key, so the server refuses to start.
 */
export async function openVault(
  store: Store,
  settings: { masterKey: string; masterPassphrase: string },
  logger: Pick<FastifyBaseLogger, "info" | "warn">,
  now: number = Date.now(),
): Promise<Buffer | null> {
  const source = masterKeySource(settings);
  if (source === null) {
    logger.warn(
      "vault is off: set KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE to store secrets (/v1/secrets answers VAULT_LOCKED)",
    );
    return null;
  }
  const key = await unlockVault(store, source, now);
  logger.info(`vault is on: master key from ${source.variable}`);
  return key;
}
