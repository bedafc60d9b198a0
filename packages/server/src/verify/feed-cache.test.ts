import { describe, expect, it } from "vitest";
import type { ChangeFeed, FeedStatus, KeyChange } from "../changes.js";
import type { RootKeyRecord } from "../domain/records.js";
import { RootAuth } from "../services/root-auth.js";
import { FeedCache, type FeedCacheEntry } from "./feed-cache.js";

/** A change feed the test drives: publish changes, take it down and up. */
class TestFeed implements ChangeFeed {
  connected = true;
  private readonly listeners = new Set<(change: KeyChange) => void>();
  private readonly statusListeners = new Set<(status: FeedStatus) => void>();
  async publish(change: KeyChange): Promise<void> {
    for (const listener of this.listeners) listener(change);
  }
  subscribe(listener: (change: KeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onStatus(listener: (status: FeedStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
  set(status: FeedStatus): void {
    this.connected = status === "up";
    for (const listener of this.statusListeners) listener(status);
  }
  async close(): Promise<void> {}
}

/** A read the test answers when it chooses, counting how often it was asked. */
function deferredReads<T>() {
  const pending: ((value: T) => void)[] = [];
  return {
    calls: 0,
    read(): Promise<T> {
      this.calls++;
      return new Promise<T>((resolve) => pending.push(resolve));
    },
    answer(value: T): void {
      (pending.shift() as (value: T) => void)(value);
    },
  };
}

interface Entry extends FeedCacheEntry {
  value: string;
}

const entry = (value: string, staleAt = Number.POSITIVE_INFINITY): Entry => ({
  value,
  staleAt,
  referenced: false,
});

describe("the change-fed cache", () => {
  it("caches what it reads, and reads each hash once at a time", async () => {
    const feed = new TestFeed();
    const cache = new FeedCache<Entry>({ capacity: 10, changes: feed, onChange: () => cache.clear() });
    const reads = deferredReads<Entry | null>();
    const first = cache.load("h", () => reads.read());
    const second = cache.load("h", () => reads.read());
    expect(reads.calls).toBe(1);
    reads.answer(entry("a"));
    expect((await first)?.value).toBe("a");
    expect((await second)?.value).toBe("a");
    expect(cache.fresh("h", 0)?.value).toBe("a");
  });

  it("answers a read that raced a change but does not cache it", async () => {
    const feed = new TestFeed();
    const cache = new FeedCache<Entry>({ capacity: 10, changes: feed, onChange: () => cache.clear() });
    const reads = deferredReads<Entry | null>();
    const loading = cache.load("h", () => reads.read());
    await feed.publish({ type: "root_key.revoked", rootKeyId: "root_x" });
    reads.answer(entry("read before the change"));
    expect((await loading)?.value).toBe("read before the change");
    expect(cache.fresh("h", 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("rereads after the TTL, and after a short one with a fresh start while the feed is down", async () => {
    const feed = new TestFeed();
    const cache = new FeedCache<Entry>({
      capacity: 10,
      changes: feed,
      ttlMs: 5000,
      fallbackTtlMs: 1000,
      onChange: () => {},
    });
    expect(cache.staleAt(100)).toBe(5100);
    await cache.load("h", async () => entry("a", cache.staleAt(100)));
    expect(cache.fresh("h", 5099)?.value).toBe("a");
    expect(cache.fresh("h", 5100)).toBeUndefined();
    feed.set("down");
    expect(cache.size).toBe(0);
    expect(cache.degraded).toBe(true);
    expect(cache.staleAt(100)).toBe(1100);
    feed.set("up");
    expect(cache.degraded).toBe(false);
    expect(cache.staleAt(100)).toBe(5100);
  });
});

describe("root-key authentication on the shared cache", () => {
  const live: RootKeyRecord = {
    id: "root_0000000000000000000001",
    projectId: null,
    name: null,
    hash: "",
    start: "ks_root_live_abcd",
    last4: "wxyz",
    scopes: ["admin"],
    environments: null,
    expiresAt: null,
    createdAt: 0,
    createdBy: null,
    revokedAt: null,
    lastUsedAt: null,
  };

  it("never caches a root key read while its revocation arrived: the next request reads it again", async () => {
    const { generateKey, ROOT_KEY_PREFIX } = await import("@keysmith/core");
    const key = generateKey({ prefix: ROOT_KEY_PREFIX, typeCode: "root", environment: "live" }).key;
    const feed = new TestFeed();
    const reads = deferredReads<RootKeyRecord | null>();
    const auth = new RootAuth({
      store: { rootKeys: { getByHash: () => reads.read() } },
      clock: { now: () => 1000 },
      changes: feed,
    });
    const first = auth.authenticate(`Bearer ${key}`);
    // The revocation commits and is published while the lookup is still on its way back.
    await feed.publish({ type: "root_key.revoked", rootKeyId: live.id });
    reads.answer(live);
    expect(await first).toMatchObject({ id: live.id });
    const second = auth.authenticate(`Bearer ${key}`);
    expect(second).toBeInstanceOf(Promise);
    expect(reads.calls).toBe(2);
    reads.answer({ ...live, revokedAt: 999 });
    expect(await second).toBeNull();
    auth.close();
  });
});
