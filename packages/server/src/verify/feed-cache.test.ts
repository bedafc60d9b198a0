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

describe("stale-if-error", () => {
  const refused = () =>
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  const setup = (staleIfErrorMs = 60_000) => {
    const feed = new TestFeed();
    let now = 0;
    const cache = new FeedCache<Entry>({
      capacity: 10,
      changes: feed,
      ttlMs: 1000,
      staleIfErrorMs,
      outageRetryMs: 500,
      now: () => now,
      onChange: (change) => {
        if (change.type === "key.revoked") cache.delete("h");
      },
    });
    return { feed, cache, at: (ms: number) => (now = ms) };
  };

  it("answers an entry past its TTL while the database is unreachable, for the configured bound", async () => {
    const { cache, at } = setup();
    await cache.load("h", async () => entry("a", cache.staleAt(0)));
    at(5_000);
    expect(cache.fresh("h", 5_000)).toBeUndefined();
    expect((await cache.load("h", () => Promise.reject(refused())))?.value).toBe("a");
    expect(cache.staleAnswers).toBe(1);
    expect(cache.outage).toBe(true);
    // Right after a failed read the stale entry is answered without trying the database again.
    expect(cache.fresh("h", 5_100)?.value).toBe("a");
    // Past the bound (60 s after it went stale at 1 s) the outage shows.
    at(61_000);
    await expect(cache.load("h", () => Promise.reject(refused()))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    expect(cache.fresh("h", 61_100)).toBeUndefined();
  });

  it("rereads as soon as the short retry pause ends, and forgets the outage when a read succeeds", async () => {
    const { cache, at } = setup();
    await cache.load("h", async () => entry("a", cache.staleAt(0)));
    at(2_000);
    await cache.load("h", () => Promise.reject(refused()));
    expect(cache.fresh("h", 2_499)?.value).toBe("a");
    expect(cache.fresh("h", 2_500)).toBeUndefined();
    at(2_500);
    expect((await cache.load("h", async () => entry("b", cache.staleAt(2_500))))?.value).toBe("b");
    expect(cache.outage).toBe(false);
  });

  it("fails as before for errors that are not an outage, and when it is off", async () => {
    const { cache, at } = setup();
    await cache.load("h", async () => entry("a", cache.staleAt(0)));
    at(2_000);
    await expect(cache.load("h", () => Promise.reject(new Error("syntax error")))).rejects.toThrow(
      "syntax error",
    );
    const off = setup(0);
    await off.cache.load("h", async () => entry("a", off.cache.staleAt(0)));
    off.at(2_000);
    await expect(off.cache.load("h", () => Promise.reject(refused()))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });

  it("never answers an entry a change dropped, nor any while the change feed is down", async () => {
    const { feed, cache, at } = setup();
    await cache.load("h", async () => entry("a", cache.staleAt(0)));
    at(2_000);
    await feed.publish({ type: "key.revoked", keyId: "key_1", projectId: "proj_1" });
    await expect(cache.load("h", () => Promise.reject(refused()))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });

    const down = setup();
    await down.cache.load("h", async () => entry("a", down.cache.staleAt(0)));
    down.feed.connected = false; // changes from other nodes may be missed: nothing stale is trusted
    down.at(2_000);
    await expect(down.cache.load("h", () => Promise.reject(refused()))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
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
