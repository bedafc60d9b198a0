import { checkKeyFormat, hashKey } from "@keysmith/core";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import type { RootKeyRecord } from "../domain/records.js";
import { FeedCache } from "../verify/feed-cache.js";

export interface RootAuthOptions {
  store: { rootKeys: { getByHash(hash: string): Promise<RootKeyRecord | null> } };
  clock: Clock;
  changes: ChangeFeed;
  /** Reread a cached root key after this long (0: only when the feed says it changed). */
  cacheTtlMs?: number;
  /** The TTL while the change feed is down. */
  fallbackTtlMs?: number;
  /** While the database is unreachable, a cached root key keeps working this long past its TTL. */
  staleIfErrorMs?: number;
}

/** `Bearer ` in any letter case, without allocating a lower-cased copy. */
function isBearer(header: string): boolean {
  if (header.length < 8 || header.charCodeAt(6) !== 32) return false;
  const word = "bearer";
  for (let i = 0; i < 6; i++) {
    if ((header.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

interface Cached {
  record: RootKeyRecord;
  staleAt: number;
  referenced: boolean;
}

/**
 * Authenticates management requests. Root keys are looked up by their SHA-256, never compared
 * as plaintext, so there is no secret comparison to time; the answer is cached (the same
 * change-fed cache as key verification) and dropped when a root key is revoked, on any node.
 */
export class RootAuth {
  private readonly cache: FeedCache<Cached>;
  private readonly lastUsed = new Map<string, number>();
  private readonly store: RootAuthOptions["store"];
  private readonly clock: Clock;

  constructor(options: RootAuthOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.cache = new FeedCache<Cached>({
      capacity: 10_000,
      changes: options.changes,
      ttlMs: options.cacheTtlMs,
      fallbackTtlMs: options.fallbackTtlMs,
      staleIfErrorMs: options.staleIfErrorMs,
      now: () => this.clock.now(),
      // A revocation may cascade to the keys it minted: drop them all (root keys are few).
      onChange: (change) => {
        if (change.type === "root_key.revoked") this.cache.clear();
      },
    });
  }

  /** The root key for an `Authorization` header value, or null when it is not a live root key. */
  authenticate(header: string | undefined): RootKeyRecord | null | Promise<RootKeyRecord | null> {
    if (header === undefined || !isBearer(header)) return null;
    let end = header.length;
    while (end > 7 && header.charCodeAt(end - 1) === 32) end--;
    let start = 7;
    while (start < end && header.charCodeAt(start) === 32) start++;
    const key = header.slice(start, end);
    if (key.length < 47 || key.length > 59) return null;
    const hash = hashKey(key);
    const now = this.clock.now();
    const cached = this.cache.fresh(hash, now);
    // Only real root keys enter the cache, so a hit needs no grammar or checksum check; every
    // other string is checked before the database is asked.
    if (cached !== undefined) return this.check(cached.record, now);
    const typeStart = checkKeyFormat(key);
    if (typeStart < 0 || !key.startsWith("root_", typeStart)) return null;
    // Unknown hashes are not cached: anyone could fill the cache with made-up keys.
    const read = async (): Promise<Cached | null> => {
      const record = await this.store.rootKeys.getByHash(hash);
      return record ? { record, staleAt: this.cache.staleAt(this.clock.now()), referenced: false } : null;
    };
    return this.cache.load(hash, read).then((loaded) => this.check(loaded?.record ?? null, this.clock.now()));
  }

  private check(record: RootKeyRecord | null, now: number): RootKeyRecord | null {
    if (record === null || record.revokedAt !== null) return null;
    if (record.expiresAt !== null && record.expiresAt <= now) return null;
    this.lastUsed.set(record.id, now);
    return record;
  }

  drainLastUsed(): Map<string, number> {
    const drained = new Map(this.lastUsed);
    this.lastUsed.clear();
    return drained;
  }

  /** Gives back uses from `drainLastUsed` whose write failed; the next drain includes them. */
  restoreLastUsed(used: ReadonlyMap<string, number>): void {
    for (const [id, at] of used) {
      if ((this.lastUsed.get(id) ?? 0) < at) this.lastUsed.set(id, at);
    }
  }

  /** Root-key checks answered from a stale cache entry because the database was unreachable. */
  get staleAnswers(): number {
    return this.cache.staleAnswers;
  }

  close(): void {
    this.cache.close();
  }
}
