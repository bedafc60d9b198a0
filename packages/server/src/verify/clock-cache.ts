/** What the cache needs of a value: a flag it may set on a hit. */
export interface ClockEntry {
  referenced: boolean;
}

/**
 * A bounded map with CLOCK (second-chance) eviction, an approximation of LRU. A hit only sets
 * a flag on the value itself, where a true LRU reorders a list on every read: `lru-cache`
 * measures ≈ 640 ns a hit on this machine against ≈ 310 ns for a `Map`, and the verify path
 * cannot afford the difference. Eviction walks from the oldest insertion, giving referenced
 * entries another round and removing the first unreferenced one.
 */
export class ClockCache<V extends ClockEntry> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxSize: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {
    if (!(maxSize >= 1)) throw new RangeError("maxSize must be at least 1");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) value.referenced = true;
    return value;
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxSize) this.evictOne();
    value.referenced = false;
    this.entries.set(key, value);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  private evictOne(): void {
    // Each pass clears at most `size` flags, so two passes always find a victim.
    for (let budget = this.entries.size * 2 + 1; budget > 0; budget--) {
      const oldest = this.entries.entries().next();
      if (oldest.done) return;
      const [key, value] = oldest.value;
      this.entries.delete(key);
      if (value.referenced) {
        value.referenced = false;
        this.entries.set(key, value);
      } else {
        this.onEvict?.(key, value);
        return;
      }
    }
  }
}
