import type {
  RateLimitDecision,
  RateLimitStore,
  RateLimitWindow,
  WindowState,
} from "../domain/rate-limit.js";

/** One fixed window's counter for one subject. Reused across windows: only `start`/`used` move. */
interface Counter {
  name: string;
  durationMs: number;
  start: number;
  used: number;
}

interface SubjectState {
  subject: string;
  /** Kept in the order of the last call's windows, so the next call finds each at its index. */
  counters: Counter[];
}

/** Every this many calls, `consume` sweeps a bounded slice of subjects (power of two minus one). */
const SWEEP_EVERY_MASK = 63;
/** Subjects visited per sweep slice: twice the calls in between, so sweeping outpaces growth. */
const SWEEP_SLICE = 128;
/**
 * A subject is dropped this long after its last window ended, so a call holding a `now` read a
 * moment earlier (before an await) still finds its counters rather than starting a fresh window.
 */
const SWEEP_GRACE_MS = 1_000;

/**
 * Rate-limit counters in this process's memory: exact on one node, synchronous, and cheap enough
 * for the verify hot path (one `Map` lookup per call, no promise, no closure).
 *
 * Memory stays bounded by the subjects whose windows are still open: a counter whose window has
 * ended is reset in place on its next use, and every 64 calls a slice of 128 subjects is swept
 * for windows that have all ended (a second ago), so forgotten subjects are dropped without a
 * timer.
 *
 * @example
 * const store = new MemoryRateLimitStore();
 * const decision = store.consume("key_123", [{ name: "burst", limit: 50, durationMs: 1000 }], 1, Date.now());
 * if (!decision.allowed) reply429(decision.windows);
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly subjects = new Map<string, SubjectState>();
  private calls = 0;
  private cursor: MapIterator<SubjectState> | undefined;

  /** How many subjects hold counters (for metrics and tests). */
  get size(): number {
    return this.subjects.size;
  }

  consume(
    subject: string,
    windows: readonly RateLimitWindow[],
    cost: number,
    now: number,
  ): RateLimitDecision {
    if (!(Number.isSafeInteger(cost) && cost >= 0)) {
      throw new RangeError(`rate-limit cost must be a non-negative integer, got ${cost}`);
    }
    if ((++this.calls & SWEEP_EVERY_MASK) === 0) this.sweepSlice(now, SWEEP_SLICE);

    let state = this.subjects.get(subject);
    if (state === undefined) {
      state = { subject, counters: [] };
      this.subjects.set(subject, state);
    }
    const counters = state.counters;
    const n = windows.length;

    // First pass: line counters up with the windows, roll ended windows over, and decide.
    let allowed = true;
    for (let i = 0; i < n; i++) {
      const window = windows[i] as RateLimitWindow;
      const counter = counterAt(counters, i, window);
      const start = now - (now % window.durationMs);
      // Windows only roll forward: a call whose `now` was read before a concurrent call's (and
      // so falls in the window before) counts against the newer window instead of wiping it.
      if (start > counter.start) {
        counter.start = start;
        counter.used = 0;
      }
      if (counter.used + cost > window.limit) allowed = false;
    }

    // Second pass: all-or-nothing, so take `cost` only once every window has room.
    const states: WindowState[] = [];
    for (let i = 0; i < n; i++) {
      const window = windows[i] as RateLimitWindow;
      const counter = counters[i] as Counter;
      if (allowed) counter.used += cost;
      const remaining = window.limit - counter.used;
      states.push({
        name: window.name,
        limit: window.limit,
        remaining: Math.max(remaining, 0),
        resetAt: counter.start + window.durationMs,
      });
    }
    return { allowed, windows: states };
  }

  /**
   * Drops every subject whose windows all ended at least a second before `now`, and returns how
   * many were dropped.
   * `consume` already sweeps incrementally; call this for a full pass (e.g. from a shutdown hook).
   */
  sweep(now: number): number {
    const before = this.subjects.size;
    this.cursor = undefined;
    this.sweepSlice(now, Number.POSITIVE_INFINITY);
    return before - this.subjects.size;
  }

  async close(): Promise<void> {
    this.subjects.clear();
    this.cursor = undefined;
  }

  private sweepSlice(now: number, budget: number): void {
    // A Map iterator stays valid while entries are added and deleted, so each slice resumes
    // where the last one stopped; at the end of a lap the next slice starts a new one.
    const cursor = this.cursor ?? this.subjects.values();
    for (let visited = 0; visited < budget; visited++) {
      const next = cursor.next();
      if (next.done === true) {
        this.cursor = undefined;
        return;
      }
      const state = next.value;
      if (pruneEnded(state.counters, now - SWEEP_GRACE_MS)) this.subjects.delete(state.subject);
    }
    this.cursor = cursor;
  }
}

/**
 * The counter for `window`, moved to index `i`. Counters before `i` belong to earlier windows of
 * this call, so the search starts at `i`; a window new to this subject gets a fresh counter.
 */
function counterAt(counters: Counter[], i: number, window: RateLimitWindow): Counter {
  const here = counters[i];
  if (here !== undefined && here.name === window.name && here.durationMs === window.durationMs) return here;
  for (let j = i + 1; j < counters.length; j++) {
    const other = counters[j] as Counter;
    if (other.name === window.name && other.durationMs === window.durationMs) {
      counters[j] = here as Counter;
      counters[i] = other;
      return other;
    }
  }
  const fresh: Counter = {
    name: window.name,
    durationMs: window.durationMs,
    start: Number.NEGATIVE_INFINITY,
    used: 0,
  };
  if (here === undefined) counters.push(fresh);
  else {
    counters.push(here);
    counters[i] = fresh;
  }
  return fresh;
}

/** Removes counters whose window ended by `now`; true when none is left. */
function pruneEnded(counters: Counter[], now: number): boolean {
  let kept = 0;
  for (let i = 0; i < counters.length; i++) {
    const counter = counters[i] as Counter;
    if (counter.start + counter.durationMs > now) counters[kept++] = counter;
  }
  counters.length = kept;
  return kept === 0;
}
