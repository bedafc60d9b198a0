/** A change that affects how keys verify. Caches drop what it names. */
export type KeyChange =
  | { type: "key.updated" | "key.revoked" | "key.rolled"; keyId: string; projectId: string }
  | { type: "project.updated"; projectId: string }
  | { type: "root_key.revoked"; rootKeyId: string };

export interface ChangeFeed {
  publish(change: KeyChange): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (change: KeyChange) => void): () => void;
}

/**
 * The in-process feed: a single node tells its own caches. The cluster feed (Redis) implements
 * the same interface so that the services never know which one they talk to.
 */
export class LocalChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(change: KeyChange) => void>();

  publish(change: KeyChange): void {
    for (const listener of this.listeners) listener(change);
  }

  subscribe(listener: (change: KeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
