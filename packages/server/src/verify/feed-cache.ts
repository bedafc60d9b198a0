import type { ChangeFeed, KeyChange } from "../changes.js";
import { unreachable } from "../storage/faults.js";
import { ClockCache, type ClockEntry } from "./clock-cache.js";

/** What the cache needs of a value: CLOCK's flag, and when it must be reread. */
export interface FeedCacheEntry extends ClockEntry {
  /** When this entry must be reread (Infinity without a TTL). */
  staleAt: number;
}

export interface FeedCacheOptions<V extends FeedCacheEntry> {
  /** How many entries the cache holds (CLOCK eviction past that). */
  capacity: number;
  changes: ChangeFeed;
  /** Reread an entry after this many ms; 0 keeps it until a change drops it. */
  ttlMs?: number | undefined;
  /** The TTL while the change feed is down and changes from other nodes may be missed. */
  fallbackTtlMs?: number | undefined;
  /**
   * Stale-if-error: while the database is unreachable, an entry past its TTL is still answered
   * for this many ms after it went stale (0: never). Only while the change feed is up — a
   * change made elsewhere then still evicts the entry — and never for an entry a change dropped.
   */
  staleIfErrorMs?: number | undefined;
  /** After a read fails for an outage, stale entries are answered without a read for this long. */
  outageRetryMs?: number | undefined;
  /** The time, for stale-if-error (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Drops whatever the change makes stale (`delete`, `clear`). */
  onChange(change: KeyChange): void;
  /** Told when an entry leaves by eviction, so an owner can drop its own indexes. */
  onEvict?: ((hash: string, value: V) => void) | undefined;
  /** Told when every entry leaves (`clear`, and when the feed goes up or down). */
  onClear?: (() => void) | undefined;
}

/**
 * Hash-keyed records cached until the change feed says they changed: the one cache behind key
 * verification and root-key authentication. It owns what both need to get right:
 *
 * - the TTL (the configured one while the feed is up; a short one, and a fresh start, while it
 *   is down, when changes from other nodes may be missed);
 * - one database read per hash at a time;
 * - no stale write-back: a read that was in flight when a change arrived is answered but not
 *   cached (a revoke racing a lookup would otherwise leave the revoked record cached);
 * - stale-if-error: while the database is unreachable (`storage/faults.ts`), an entry past its
 *   TTL keeps being answered for a bounded time, rather than every caller getting a 503.
 *
 * @example
 * const cache = new FeedCache<Entry>({ capacity: 10_000, changes, onChange: () => cache.clear() });
 * const entry = cache.fresh(hash, now) ?? (await cache.load(hash, () => readEntry(hash)));
 */
export class FeedCache<V extends FeedCacheEntry> {
  private readonly entries: ClockCache<V>;
  private readonly inflight = new Map<string, Promise<V | null>>();
  private readonly configuredTtl: number;
  private readonly fallbackTtl: number;
  private ttl: number;
  /** Bumped by every change, so a load that raced one does not cache what it read. */
  private generation = 0;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeStatus: () => void;
  private readonly onClear: (() => void) | undefined;
  private readonly staleIfError: number;
  private readonly outageRetry: number;
  private readonly now: () => number;
  private readonly feed: ChangeFeed;
  /** Until when stale entries are answered without trying the database again. */
  private outageUntil = 0;
  /** Answers given from a stale entry because the database was unreachable. */
  staleAnswers = 0;

  constructor(options: FeedCacheOptions<V>) {
    this.onClear = options.onClear;
    this.staleIfError = options.staleIfErrorMs ?? 0;
    this.outageRetry = options.outageRetryMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.feed = options.changes;
    this.entries = new ClockCache(options.capacity, options.onEvict);
    this.configuredTtl = options.ttlMs ?? 0;
    this.fallbackTtl = options.fallbackTtlMs ?? 1000;
    this.ttl = options.changes.connected ? this.configuredTtl : this.fallbackTtl;
    this.unsubscribe = options.changes.subscribe((change) => {
      this.generation++;
      this.inflight.clear();
      options.onChange(change);
    });
    // Whatever happened while the feed was down is unknown: start from the database again.
    this.unsubscribeStatus = options.changes.onStatus((status) => {
      this.ttl = status === "up" ? this.configuredTtl : this.fallbackTtl;
      this.clear();
    });
  }

  /**
   * The cached entry while it is fresh — or stale within the stale-if-error bound, shortly
   * after a read failed for an outage — else undefined. The hot path: no allocation.
   */
  fresh(hash: string, now: number): V | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.staleAt > now) return entry;
    return now < this.outageUntil && this.usableStale(entry, now) ? this.servedStale(entry) : undefined;
  }

  /** True while the last read failed for an outage and stale entries stand in. */
  get outage(): boolean {
    return this.outageUntil > this.now();
  }

  private usableStale(entry: V, now: number): boolean {
    return this.staleIfError > 0 && this.feed.connected && now - entry.staleAt < this.staleIfError;
  }

  private servedStale(entry: V): V {
    this.staleAnswers++;
    return entry;
  }

  /** When an entry read at `now` must be reread. */
  staleAt(now: number): number {
    return this.ttl > 0 ? now + this.ttl : Number.POSITIVE_INFINITY;
  }

  /**
   * Reads an entry through `read`, once per hash at a time, and caches it unless a change came
   * in meanwhile; `stored` is told of each entry that enters the cache.
   */
  load(hash: string, read: () => Promise<V | null>, stored?: (value: V) => void): Promise<V | null> {
    const pending = this.inflight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const promise = read().then(
      (entry) => {
        if (this.inflight.get(hash) === promise) this.inflight.delete(hash);
        this.outageUntil = 0;
        if (entry !== null && generation === this.generation) {
          this.entries.set(hash, entry);
          stored?.(entry);
        }
        return entry;
      },
      (error: unknown) => {
        if (this.inflight.get(hash) === promise) this.inflight.delete(hash);
        if (unreachable(error) !== "store") throw error;
        const now = this.now();
        this.outageUntil = now + this.outageRetry;
        // Whatever a change dropped meanwhile is gone from `entries`, so it is never answered.
        const stale = this.entries.get(hash);
        if (stale !== undefined && this.usableStale(stale, now)) return this.servedStale(stale);
        throw error;
      },
    );
    this.inflight.set(hash, promise);
    return promise;
  }

  delete(hash: string): void {
    this.generation++;
    this.inflight.clear();
    this.entries.delete(hash);
  }

  /** Drops every entry. */
  clear(): void {
    this.generation++;
    this.inflight.clear();
    this.entries.clear();
    this.onClear?.();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /** True while entries are answered from the short TTL because the change feed is down. */
  get degraded(): boolean {
    return this.ttl !== this.configuredTtl;
  }

  close(): void {
    this.unsubscribe();
    this.unsubscribeStatus();
  }
}
