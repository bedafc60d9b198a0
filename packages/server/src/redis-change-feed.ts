import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { ChangeFeed, FeedStatus, KeyChange } from "./changes.js";

export interface RedisChangeFeedOptions {
  url: string;
  /** Prefix of the channel name, shared by every node of one cluster. */
  keyPrefix: string;
  onError?: (error: unknown) => void;
}

/**
 * The cluster's change feed on Redis pub/sub. Chosen over Postgres LISTEN/NOTIFY because Redis
 * is already the cluster's shared fast path (rate limits), a node holds one subscriber
 * connection instead of a pinned database session, and delivery is sub-millisecond on a LAN.
 * Pub/sub keeps nothing: a node that was disconnected may have missed changes, so the feed
 * reports `down`, and the verifier then answers from a short cache TTL until it is `up` again
 * (and drops its whole cache on reconnect). A node applies its own changes at once, without
 * waiting for the round trip.
 */
export class RedisChangeFeed implements ChangeFeed {
  private readonly node = randomUUID();
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(change: KeyChange) => void>();
  private readonly statusListeners = new Set<(status: FeedStatus) => void>();
  private up = false;

  constructor(private readonly options: RedisChangeFeedOptions) {
    this.channel = `${options.keyPrefix}changes`;
    const common = { lazyConnect: false, maxRetriesPerRequest: 1, enableAutoPipelining: false } as const;
    this.publisher = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, common);
    const report = (error: unknown) => options.onError?.(error);
    this.publisher.on("error", report);
    this.subscriber.on("error", report);
    // `ready` fires on the first connection and on every reconnection, after which the
    // subscription must be made again (ioredis also resubscribes; asking twice is harmless).
    this.subscriber.on("ready", () => {
      this.subscriber.subscribe(this.channel).then(() => this.setStatus("up"), report);
    });
    this.subscriber.on("close", () => this.setStatus("down"));
    this.subscriber.on("message", (_channel: string, message: string) => this.receive(message));
  }

  get connected(): boolean {
    return this.up;
  }

  /** Resolves once subscribed, or rejects after `timeoutMs`. */
  ready(timeoutMs = 5000): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`could not subscribe to Redis within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onStatus((status) => {
        if (status !== "up") return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  publish(change: KeyChange): Promise<void> {
    for (const listener of this.listeners) listener(change);
    return this.publisher.publish(this.channel, JSON.stringify({ node: this.node, change })).then(
      () => {},
      (error: unknown) => this.options.onError?.(error),
    );
  }

  subscribe(listener: (change: KeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: FeedStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private receive(message: string): void {
    let parsed: { node?: string; change?: KeyChange };
    try {
      parsed = JSON.parse(message) as { node?: string; change?: KeyChange };
    } catch {
      return;
    }
    if (parsed.node === this.node || !parsed.change) return;
    for (const listener of this.listeners) listener(parsed.change);
  }

  private setStatus(status: FeedStatus): void {
    const up = status === "up";
    if (up === this.up) return;
    this.up = up;
    for (const listener of this.statusListeners) listener(status);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.statusListeners.clear();
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
  }
}
