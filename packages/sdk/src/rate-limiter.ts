import { type Duration, parseDuration } from "./generated/duration.js";
import {
  fixedWindowStart,
  mostSpecificOverride,
  RATE_LIMIT_BATCH_LUA,
  RATE_LIMIT_BATCH_LUA_SHA,
  RATE_LIMIT_CLOCK_SKEW_GRACE_MS,
  RATE_LIMIT_MAX_WINDOW_MS,
  RATE_LIMIT_MIN_WINDOW_MS,
  RATELIMIT_IDENTIFIER_MAX,
  RATELIMIT_NAMESPACE_PATTERN,
  rateLimitKey,
  standaloneSubject,
  standaloneWindow,
} from "./generated/rate-limit.js";

/** The decision, shaped as `POST /v1/ratelimit` answers it. */
export interface RateLimitResult {
  /** True when the call fits in the window (and was counted). */
  success: boolean;
  /** The limit applied: the most specific override's, else the limiter's. */
  limit: number;
  remaining: number;
  /** When the current window ends, ISO 8601 (as the server's `reset`). */
  reset: string;
}

/**
 * The slice of a Redis client the limiter calls: an ioredis `Redis` or `Cluster` fits as is.
 * The SDK has no dependency on a Redis client; bring your own.
 */
export interface RateLimiterRedis {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RateLimitOverrideOption {
  /** An identifier, or a prefix ending in `*`; the most specific override wins. */
  identifier: string;
  limit: number;
  duration: Duration;
}

export interface RateLimiterOptions {
  /** What is limited, as the server's `namespace` (1–64 of A–Z a–z 0–9 _ . -). */
  namespace: string;
  /** Calls (or cost) per window. */
  limit: number;
  /** The window: `1s` to `31d` (`"30s"`, `"15m"`, `"1h"`) or milliseconds. */
  duration: Duration;
  /** Limits that replace `limit`/`duration` for some identifiers (`"user_*"` for a prefix). */
  overrides?: readonly RateLimitOverrideOption[];
  /**
   * Count in Redis rather than in this process: every process (and every keysmith node) using
   * the same Redis and `keyPrefix` shares the counters of a namespace and identifier.
   */
  redis?: RateLimiterRedis;
  /** Put before every Redis key; keysmith's default is `keysmith:` (`KEYSMITH_REDIS_KEY_PREFIX`). */
  keyPrefix?: string;
  /** When Redis fails: `"open"` admits the call, `"closed"` refuses it (default, as a limiter should be strict). */
  failureMode?: "open" | "closed";
  /** Where time comes from (default `Date.now`). */
  now?: () => number;
  /**
   * Redis: the most checks sent in one script call (default 16). Concurrent checks beyond that
   * go out as several calls in flight at once, so Redis works on one while this process reads
   * the answer of another. On a Redis Cluster (ioredis `Cluster`) every check goes alone.
   */
  maxBatch?: number;
}

interface Rule {
  identifier: string;
  limit: number;
  durationMs: number;
}

/** One identifier's counter in memory; `reset` is computed once per window. */
interface Counter {
  start: number;
  durationMs: number;
  used: number;
  reset: string;
}

interface Pending {
  key: string;
  cost: number;
  rule: Rule;
  start: number;
  resolve(result: RateLimitResult): void;
}

/** Every this many calls the memory store sweeps a slice of counters whose window ended. */
const SWEEP_EVERY_MASK = 1023;
const SWEEP_SLICE = 2048;
const DEFAULT_MAX_BATCH = 16;

function windowMs(duration: Duration, what: string): number {
  const ms = parseDuration(duration);
  if (ms === null || ms < RATE_LIMIT_MIN_WINDOW_MS || ms > RATE_LIMIT_MAX_WINDOW_MS) {
    throw new RangeError(`RateLimiter: ${what} must be a duration from 1s to 31d, got ${String(duration)}`);
  }
  return ms;
}

function checkLimit(limit: number, what: string): number {
  if (!(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new RangeError(`RateLimiter: ${what} must be a positive integer, got ${String(limit)}`);
  }
  return limit;
}

const NAMESPACE = new RegExp(RATELIMIT_NAMESPACE_PATTERN);

/**
 * keysmith's standalone rate limit in your process: the same fixed windows (aligned to the
 * epoch, all-or-nothing `cost`) and the same override rule as `POST /v1/ratelimit`, without a
 * network call. In memory it is exact for this process and answers in well under a microsecond;
 * with `redis` it counts with keysmith's own Lua script under keysmith's key layout, so it is
 * exact across processes and shares counters with keysmith nodes on that Redis. Concurrent
 * calls are sent to Redis together, one script call per batch.
 *
 * @example
 * const logins = new RateLimiter({ namespace: "login", limit: 5, duration: "1m" });
 * const { success, reset } = await logins.limit(request.ip);
 * if (!success) return reply.code(429).header("retry-after", secondsUntil(reset)).send();
 */
export class RateLimiter {
  readonly namespace: string;
  private readonly base: Rule;
  private readonly exact = new Map<string, Rule>();
  private readonly prefixes: Rule[] = [];
  private readonly redis: RateLimiterRedis | undefined;
  private readonly keyPrefix: string;
  private readonly failOpen: boolean;
  private readonly now: () => number;
  private readonly counters = new Map<string, Counter>();
  private calls = 0;
  private sweepCursor: MapIterator<[string, Counter]> | undefined;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** The last window end formatted, since most checks of a batch share it. */
  private resetAt = Number.NaN;
  private resetText = "";
  private scheduled = false;

  constructor(options: RateLimiterOptions) {
    if (typeof options?.namespace !== "string" || !NAMESPACE.test(options.namespace)) {
      throw new TypeError("RateLimiter: namespace must be 1–64 of A–Z a–z 0–9 _ . -");
    }
    this.namespace = options.namespace;
    this.base = {
      identifier: "",
      limit: checkLimit(options.limit, "limit"),
      durationMs: windowMs(options.duration, "duration"),
    };
    for (const o of options.overrides ?? []) {
      const rule = {
        identifier: o.identifier,
        limit: checkLimit(o.limit, `the limit of override ${o.identifier}`),
        durationMs: windowMs(o.duration, `the duration of override ${o.identifier}`),
      };
      if (o.identifier.endsWith("*")) this.prefixes.push(rule);
      else this.exact.set(o.identifier, rule);
    }
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix ?? "keysmith:";
    this.failOpen = options.failureMode === "open";
    this.now = options.now ?? Date.now;
    // On a Redis Cluster (ioredis `Cluster`) the counters of different identifiers live in
    // different slots, and one script call may only touch one slot: every check goes alone.
    const cluster = (options.redis as { isCluster?: unknown } | undefined)?.isCluster === true;
    this.maxBatch = cluster
      ? 1
      : Math.max(1, Math.min(1024, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH)));
  }

  /**
   * Counts one call (or `cost`; 0 reads without counting) against `identifier`. Over the limit
   * is an answer (`success: false`), not an error.
   */
  limit(identifier: string, options: { cost?: number } = {}): Promise<RateLimitResult> {
    const cost = options.cost ?? 1;
    if (this.redis === undefined) return Promise.resolve(this.decideInMemory(identifier, cost));
    return this.decideInRedis(identifier, cost);
  }

  /**
   * The in-memory decision without a promise, for hot paths. Throws when the limiter counts in
   * Redis.
   */
  limitSync(identifier: string, options: { cost?: number } = {}): RateLimitResult {
    if (this.redis !== undefined)
      throw new Error("RateLimiter: limitSync counts in memory; this limiter uses Redis");
    return this.decideInMemory(identifier, options.cost ?? 1);
  }

  /** Forgets every in-memory counter. */
  reset(): void {
    this.counters.clear();
    this.sweepCursor = undefined;
  }

  private ruleFor(identifier: string): Rule {
    if (
      typeof identifier !== "string" ||
      identifier.length === 0 ||
      identifier.length > RATELIMIT_IDENTIFIER_MAX
    ) {
      throw new TypeError(
        `RateLimiter: identifier must be a string of 1–${RATELIMIT_IDENTIFIER_MAX} characters`,
      );
    }
    const exact = this.exact.get(identifier);
    if (exact !== undefined) return exact;
    if (this.prefixes.length === 0) return this.base;
    return mostSpecificOverride(this.prefixes, identifier) ?? this.base;
  }

  private decideInMemory(identifier: string, cost: number): RateLimitResult {
    if (!(Number.isSafeInteger(cost) && cost >= 0)) {
      throw new RangeError(`RateLimiter: cost must be a non-negative integer, got ${cost}`);
    }
    const rule = this.ruleFor(identifier);
    const now = this.now();
    if ((++this.calls & SWEEP_EVERY_MASK) === 0) this.sweep(now);
    const start = now - (now % rule.durationMs);
    let counter = this.counters.get(identifier);
    if (counter === undefined || counter.durationMs !== rule.durationMs) {
      counter = {
        start,
        durationMs: rule.durationMs,
        used: 0,
        reset: this.resetOf(start + rule.durationMs),
      };
      this.counters.set(identifier, counter);
    } else if (start > counter.start) {
      // Windows only roll forward, as on the server.
      counter.start = start;
      counter.used = 0;
      counter.reset = this.resetOf(start + rule.durationMs);
    }
    const success = counter.used + cost <= rule.limit;
    if (success) counter.used += cost;
    const remaining = rule.limit - counter.used;
    return { success, limit: rule.limit, remaining: Math.max(remaining, 0), reset: counter.reset };
  }

  private sweep(now: number): void {
    const cursor = this.sweepCursor ?? this.counters.entries();
    for (let i = 0; i < SWEEP_SLICE; i++) {
      const next = cursor.next();
      if (next.done === true) {
        this.sweepCursor = undefined;
        return;
      }
      const [identifier, counter] = next.value;
      if (counter.start + counter.durationMs < now - RATE_LIMIT_CLOCK_SKEW_GRACE_MS)
        this.counters.delete(identifier);
    }
    this.sweepCursor = cursor;
  }

  private decideInRedis(identifier: string, cost: number): Promise<RateLimitResult> {
    if (!(Number.isSafeInteger(cost) && cost >= 0)) {
      return Promise.reject(new RangeError(`RateLimiter: cost must be a non-negative integer, got ${cost}`));
    }
    let rule: Rule;
    try {
      rule = this.ruleFor(identifier);
    } catch (error) {
      return Promise.reject(error);
    }
    const now = this.now();
    const start = fixedWindowStart(now, rule.durationMs);
    const key = rateLimitKey(
      this.keyPrefix,
      standaloneSubject(this.namespace, identifier),
      standaloneWindow(rule.durationMs),
      start,
    );
    return new Promise((resolve) => {
      this.queue.push({ key, cost, rule, start, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // Calls made while this turn of the event loop runs go to Redis together.
        setImmediateOrTimeout(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    const size = this.maxBatch;
    for (let i = 0; i < queue.length; i += size) void this.send(queue.slice(i, i + size));
  }

  private async send(batch: Pending[]): Promise<void> {
    const n = batch.length;
    const now = this.now();
    const first = batch[0] as Pending;
    const firstEnd = first.start + first.rule.durationMs;
    // Usually every check of a batch has the same cost, limit and window: then the script takes
    // those three once instead of three a check (RATE_LIMIT_BATCH_LUA's shared form).
    let shared = true;
    for (let i = 1; i < n && shared; i++) {
      const p = batch[i] as Pending;
      shared =
        p.cost === first.cost &&
        p.rule.limit === first.rule.limit &&
        p.start + p.rule.durationMs === firstEnd;
    }
    const args: (string | number)[] = new Array(shared ? n + 3 : 4 * n);
    for (let i = 0; i < n; i++) {
      const p = batch[i] as Pending;
      args[i] = p.key;
      if (shared) continue;
      args[n + 3 * i] = p.cost;
      args[n + 3 * i + 1] = p.rule.limit;
      args[n + 3 * i + 2] = Math.max(1, p.start + p.rule.durationMs - now + RATE_LIMIT_CLOCK_SKEW_GRACE_MS);
    }
    if (shared) {
      args[n] = first.cost;
      args[n + 1] = first.rule.limit;
      args[n + 2] = Math.max(1, firstEnd - now + RATE_LIMIT_CLOCK_SKEW_GRACE_MS);
    }
    let reply: unknown;
    try {
      reply = await this.runScript(n, args);
      if (!Array.isArray(reply) || reply.length !== 2 * n) throw new Error("unexpected reply from Redis");
    } catch {
      for (const p of batch) {
        p.resolve({
          success: this.failOpen,
          limit: p.rule.limit,
          remaining: this.failOpen ? p.rule.limit : 0,
          reset: this.resetOf(p.start + p.rule.durationMs),
        });
      }
      return;
    }
    const values = reply as unknown[];
    for (let i = 0; i < n; i++) {
      const p = batch[i] as Pending;
      const remaining = p.rule.limit - Number(values[2 * i + 1]);
      p.resolve({
        success: values[2 * i] === 1,
        limit: p.rule.limit,
        remaining: Math.max(remaining, 0),
        reset: this.resetOf(p.start + p.rule.durationMs),
      });
    }
  }

  private resetOf(at: number): string {
    if (at !== this.resetAt) {
      this.resetAt = at;
      this.resetText = new Date(at).toISOString();
    }
    return this.resetText;
  }

  private async runScript(n: number, args: (string | number)[]): Promise<unknown> {
    const redis = this.redis as RateLimiterRedis;
    try {
      return await redis.evalsha(RATE_LIMIT_BATCH_LUA_SHA, n, ...args);
    } catch (error) {
      // After a restart or SCRIPT FLUSH Redis no longer knows the script; EVAL caches it again.
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return redis.eval(RATE_LIMIT_BATCH_LUA, n, ...args);
      }
      throw error;
    }
  }
}

function setImmediateOrTimeout(run: () => void): void {
  const immediate = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate;
  if (immediate) immediate(run);
  else setTimeout(run, 0);
}
