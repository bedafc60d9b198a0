/**
 * Rate limiting: any number of named fixed windows per subject (a key id), checked together.
 * A window of `durationMs` starts at a multiple of `durationMs` since the epoch, so every node
 * and store agrees on where a window begins and `reset` is exact.
 */

export interface RateLimitWindow {
  name: string;
  limit: number;
  durationMs: number;
}

export interface WindowState {
  name: string;
  limit: number;
  /** What is left in the current window after this decision. */
  remaining: number;
  /** When the current window ends, in ms since the epoch. */
  resetAt: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** One entry per window, in the order given. */
  windows: WindowState[];
  /**
   * True when the store could not be asked (Redis down or slow) and `allowed` comes from the
   * failure mode: the windows' `remaining` then say nothing.
   */
  degraded?: boolean;
}

/**
 * Where counters live. `consume` is all-or-nothing: when every window has room for `cost` it
 * takes `cost` from all of them; otherwise it takes nothing and answers `allowed: false`.
 * The memory store answers synchronously (the verify hot path stays free of promises); the
 * Redis store answers with a promise.
 */
export interface RateLimitStore {
  consume(
    subject: string,
    windows: readonly RateLimitWindow[],
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  close(): Promise<void>;
}

/** The start of the fixed window containing `now`. */
export function windowStart(now: number, durationMs: number): number {
  return now - (now % durationMs);
}
