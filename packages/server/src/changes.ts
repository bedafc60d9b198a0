import type { KeyChange } from "./domain/changes.js";

export type { KeyChange };

/** The feed's own news: `down` when changes may be missed, `up` when they flow again. */
export type FeedStatus = "up" | "down";

export interface ChangeFeed {
  /**
   * Tells every node. This node's caches hear it at once; the promise settles when the other
   * nodes' copy is on its way (it never rejects: a failure is reported through the feed).
   */
  publish(change: KeyChange): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (change: KeyChange) => void): () => void;
  /** Hears when the feed goes down or comes back; returns the unsubscribe function. */
  onStatus(listener: (status: FeedStatus) => void): () => void;
  /** True while changes from every node arrive. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * The in-process feed: a single node tells its own caches. The cluster feed (Redis) implements
 * the same interface so that the services never know which one they talk to.
 */
export class LocalChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(change: KeyChange) => void>();
  readonly connected = true;

  publish(change: KeyChange): Promise<void> {
    for (const listener of this.listeners) listener(change);
    return Promise.resolve();
  }

  subscribe(listener: (change: KeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
