import { checkKeyFormat, hashKey } from "@keysmith/core";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import type { RootKeyRecord } from "../storage/records.js";
import { ClockCache } from "../verify/clock-cache.js";

/**
 * Authenticates management requests. Root keys are looked up by their SHA-256, never compared
 * as plaintext, so there is no secret comparison to time; the answer is cached and dropped
 * when a root key is revoked.
 */
export class RootAuth {
  private readonly cache = new ClockCache<RootKeyRecord | null>(10_000);
  private readonly lastUsed = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: { getRootKeyByHash(hash: string): Promise<RootKeyRecord | null> },
    private readonly clock: Clock,
    changes: ChangeFeed,
  ) {
    this.unsubscribe = changes.subscribe((change) => {
      if (change.type === "root_key.revoked") this.cache.clear();
    });
  }

  /** The root key for an `Authorization` header value, or null when it is not a live root key. */
  authenticate(header: string | undefined): RootKeyRecord | null | Promise<RootKeyRecord | null> {
    if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ")
      return null;
    const key = header.slice(7).trim();
    const typeStart = checkKeyFormat(key);
    if (typeStart < 0 || !key.startsWith("root_", typeStart)) return null;
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return this.check(cached);
    return this.store.getRootKeyByHash(hash).then((record) => {
      // Unknown hashes are not cached: anyone could fill the cache with made-up keys.
      if (record) this.cache.set(hash, record);
      return this.check(record);
    });
  }

  private check(record: RootKeyRecord | null): RootKeyRecord | null {
    if (record === null || record.revokedAt !== null) return null;
    const now = this.clock.now();
    if (record.expiresAt !== null && record.expiresAt <= now) return null;
    this.lastUsed.set(record.id, now);
    return record;
  }

  drainLastUsed(): Map<string, number> {
    const drained = new Map(this.lastUsed);
    this.lastUsed.clear();
    return drained;
  }

  close(): void {
    this.unsubscribe();
  }
}
