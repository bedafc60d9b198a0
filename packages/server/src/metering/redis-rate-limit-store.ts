import {
  RATE_LIMIT_BATCH_LUA,
  RATE_LIMIT_BATCH_LUA_SHA,
  RATE_LIMIT_CHECKS_LUA,
  RATE_LIMIT_CHECKS_LUA_SHA,
  RATE_LIMIT_CLOCK_SKEW_GRACE_MS,
  RATE_LIMIT_LUA,
  rateLimitKey,
} from "@keysmith/core";
import { Redis } from "ioredis";
import type {
  RateLimitDecision,
  RateLimitStore,
  RateLimitWindow,
  WindowState,
} from "../domain/rate-limit.js";

// The scripts and key layout live in @keysmith/core (the SDK counts with the same ones).
export { RATE_LIMIT_LUA };

const CLOCK_SKEW_GRACE_MS = RATE_LIMIT_CLOCK_SKEW_GRACE_MS;

const DEFAULT_TIMEOUT_MS = 100;
/** Checks sent in one script call; more in one turn go out as several calls in flight at once. */
const DEFAULT_MAX_BATCH = 16;

/** A check waiting for the next script call. */
interface PendingCheck {
  subject: string;
  windows: readonly RateLimitWindow[];
  cost: number;
  now: number;
  resolve(decision: RateLimitDecision): void;
}

/** The slice of an ioredis client this store calls; a `Redis` or a `Cluster` fits. */
export interface RedisScriptClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

interface RedisRateLimitStoreCommonOptions {
  /** Put before every key, e.g. `keysmith:`; lets several deployments share one Redis. */
  keyPrefix: string;
  /**
   * What a check answers when Redis fails or is slower than `timeoutMs`: `"open"` allows the call,
   * `"closed"` refuses it; either way the decision is marked `degraded` (the verify answer then
   * shows `remaining: null`: nothing was counted).
   */
  failureMode: "open" | "closed";
  /** The longest a check waits for Redis before answering by `failureMode`. Default 100 ms. */
  timeoutMs?: number;
  /** Told about each check answered by `failureMode` (count it in metrics, log it). */
  onError?: (error: Error) => void;
  /**
   * The most checks sent in one script call (default 16). On a Redis Cluster (ioredis `Cluster`)
   * every check goes alone, as keys of different subjects live in different slots.
   */
  maxBatch?: number;
}

export type RedisRateLimitStoreOptions = RedisRateLimitStoreCommonOptions &
  (
    | {
        /**
         * A client the caller owns: `close()` leaves it open. Leave `enableAutoPipelining` off;
         * `enableOfflineQueue: false` keeps an outage from queueing every check.
         */
        redis: RedisScriptClient;
        url?: never;
      }
    | {
        /** A Redis URL (`redis://` or `rediss://`); the store owns that client and quits it on `close()`. */
        url: string;
        redis?: never;
      }
  );

/**
 * Rate-limit counters in Redis, shared by every node, all-or-nothing across a check's windows.
 * The checks made in one turn of the event loop go to Redis together, one Lua script call
 * (`RATE_LIMIT_CHECKS_LUA`, EVALSHA with a fall back to EVAL when Redis has lost the script)
 * per batch of up to `maxBatch`, which decides them one after the other exactly as separate
 * calls in that order would: batching saves round trips and per-command work in both processes
 * (a check costs about a third of the client CPU of an EVALSHA each), never changes a decision.
 * Keys carry the subject as a hash tag so a Redis Cluster keeps one subject's windows in one slot.
 *
 * @example
 * const store = new RedisRateLimitStore({ url: "redis://127.0.0.1:6379", keyPrefix: "keysmith:",
 *   failureMode: "open", onError: () => metrics.rateLimitStoreErrors.inc() });
 * const decision = await store.consume("key_123", [{ name: "burst", limit: 50, durationMs: 1000 }], 1, Date.now());
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: RedisScriptClient;
  private readonly owned: Redis | undefined;
  private readonly keyPrefix: string;
  private readonly failOpen: boolean;
  private readonly timeoutMs: number;
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly maxBatch: number;
  private queue: PendingCheck[] = [];
  private scheduled = false;

  constructor(options: RedisRateLimitStoreOptions) {
    this.keyPrefix = options.keyPrefix;
    this.failOpen = options.failureMode === "open";
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onError = options.onError;
    if (options.redis !== undefined) {
      this.redis = options.redis;
      this.owned = undefined;
    } else {
      const owned = new Redis(options.url, {
        // Auto-pipelining halved EVALSHA throughput here (PERFORMANCE.md); keep it off.
        enableAutoPipelining: false,
        // While Redis is away a check answers by `failureMode` at once instead of queueing: an
        // offline queue would grow by every check until the next reconnect attempt.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2_000,
      });
      // Connection errors surface as failed checks (and so through `onError`); without a listener
      // ioredis would print each reconnect attempt.
      owned.on("error", () => {});
      this.redis = owned;
      this.owned = owned;
    }
    const cluster = (this.redis as { isCluster?: unknown }).isCluster === true;
    this.maxBatch = cluster
      ? 1
      : Math.max(1, Math.min(1024, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH)));
  }

  consume(
    subject: string,
    windows: readonly RateLimitWindow[],
    cost: number,
    now: number,
  ): Promise<RateLimitDecision> {
    if (!(Number.isSafeInteger(cost) && cost >= 0)) {
      return Promise.reject(new RangeError(`rate-limit cost must be a non-negative integer, got ${cost}`));
    }
    if (windows.length === 0) return Promise.resolve({ allowed: true, windows: [] });
    return new Promise((resolve) => {
      this.queue.push({ subject, windows, cost, now, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // Checks made while this turn of the event loop runs (the requests of one read from
        // the sockets) go to Redis together.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    const size = this.maxBatch;
    if (queue.length <= size) void this.send(queue);
    else for (let i = 0; i < queue.length; i += size) void this.send(queue.slice(i, i + size));
  }

  /** One script call for `batch`; every check is answered, by `failureMode` when the call fails. */
  private async send(batch: PendingCheck[]): Promise<void> {
    let keyCount = 0;
    for (const check of batch) keyCount += check.windows.length;
    const shared = sharedSingleWindow(batch);
    let args: (string | number)[];
    if (shared !== null) {
      // The usual batch of `POST /v1/ratelimit`: one window each, one cost, limit and window
      // end. RATE_LIMIT_BATCH_LUA's shared form takes those three once (its reply per check,
      // allowed then count, is the same as RATE_LIMIT_CHECKS_LUA's for one window).
      args = new Array(keyCount + 3);
      for (let i = 0; i < batch.length; i++) {
        const { subject, windows } = batch[i] as PendingCheck;
        const window = windows[0] as RateLimitWindow;
        args[i] = rateLimitKey(this.keyPrefix, subject, window.name, shared.end - window.durationMs);
      }
      args[keyCount] = shared.cost;
      args[keyCount + 1] = shared.limit;
      args[keyCount + 2] = shared.ttl;
    } else {
      // KEYS then ARGV in one array, in the layout RATE_LIMIT_CHECKS_LUA documents.
      args = new Array(keyCount + 2 * batch.length + 2 * keyCount);
      let k = 0;
      let a = keyCount;
      for (const { subject, windows, cost, now } of batch) {
        const n = windows.length;
        args[a] = n;
        args[a + 1] = cost;
        for (let i = 0; i < n; i++) {
          const window = windows[i] as RateLimitWindow;
          const start = now - (now % window.durationMs);
          args[k++] = rateLimitKey(this.keyPrefix, subject, window.name, start);
          args[a + 2 + i] = window.limit;
          args[a + 2 + n + i] = start + window.durationMs - now + CLOCK_SKEW_GRACE_MS;
        }
        a += 2 + 2 * n;
      }
    }

    let reply: unknown;
    try {
      reply = await this.withTimeout(
        shared !== null
          ? this.runScript(RATE_LIMIT_BATCH_LUA_SHA, RATE_LIMIT_BATCH_LUA, keyCount, args)
          : this.runScript(RATE_LIMIT_CHECKS_LUA_SHA, RATE_LIMIT_CHECKS_LUA, keyCount, args),
      );
      if (!Array.isArray(reply) || reply.length !== keyCount + batch.length) {
        throw new Error("rate-limit store: unexpected reply from the Redis script");
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const check of batch) {
        this.onError?.(failure);
        check.resolve(this.failureDecision(check.windows, check.now));
      }
      return;
    }
    const values = reply as unknown[];
    let r = 0;
    for (const { windows, now, resolve } of batch) {
      const n = windows.length;
      const states: WindowState[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const window = windows[i] as RateLimitWindow;
        const remaining = window.limit - Number(values[r + 1 + i]);
        states[i] = {
          name: window.name,
          limit: window.limit,
          remaining: Math.max(remaining, 0),
          resetAt: now - (now % window.durationMs) + window.durationMs,
        };
      }
      resolve({ allowed: values[r] === 1, windows: states });
      r += 1 + n;
    }
  }

  /**
   * Resolves once the client this store created from a URL is connected (at once for a
   * caller-owned client), or rejects after `waitMs`. Checks made before answer by `failureMode`,
   * so awaiting this at boot is optional.
   */
  async ready(waitMs = 5_000): Promise<void> {
    const owned = this.owned;
    if (owned === undefined || owned.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        owned.off("ready", onReady);
        reject(new Error(`rate-limit store: Redis not connected within ${waitMs} ms`));
      }, waitMs);
      owned.once("ready", onReady);
    });
  }

  /** Quits the client this store created from a URL; a caller-owned client stays open. */
  async close(): Promise<void> {
    const owned = this.owned;
    if (owned === undefined) return;
    if (owned.status === "ready") {
      await owned.quit().catch(() => owned.disconnect());
    } else {
      owned.disconnect();
    }
  }

  private async runScript(
    sha: string,
    script: string,
    keyCount: number,
    args: (string | number)[],
  ): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keyCount, ...args);
    } catch (error) {
      // After a restart or SCRIPT FLUSH Redis no longer knows the script; EVAL also caches it again.
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return this.redis.eval(script, keyCount, ...args);
      }
      throw error;
    }
  }

  private withTimeout(pending: Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`rate-limit store: Redis did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private failureDecision(windows: readonly RateLimitWindow[], now: number): RateLimitDecision {
    const states: WindowState[] = [];
    for (const window of windows) {
      states.push({
        name: window.name,
        limit: window.limit,
        remaining: this.failOpen ? window.limit : 0,
        resetAt: now - (now % window.durationMs) + window.durationMs,
      });
    }
    return { allowed: this.failOpen, windows: states, degraded: true };
  }
}

/**
 * The cost, limit, window end and key lifetime shared by every check of `batch` when each has
 * exactly one window and they agree on all but the subject, else null. The lifetime counts from
 * the earliest check's clock, so no key expires before any of its checks' window ends (plus grace).
 */
function sharedSingleWindow(
  batch: readonly PendingCheck[],
): { cost: number; limit: number; end: number; ttl: number } | null {
  const first = batch[0] as PendingCheck;
  if (first.windows.length !== 1) return null;
  const window = first.windows[0] as RateLimitWindow;
  const end = first.now - (first.now % window.durationMs) + window.durationMs;
  let earliest = first.now;
  for (let i = 1; i < batch.length; i++) {
    const check = batch[i] as PendingCheck;
    if (check.windows.length !== 1 || check.cost !== first.cost) return null;
    const other = check.windows[0] as RateLimitWindow;
    if (
      other.limit !== window.limit ||
      other.name !== window.name ||
      other.durationMs !== window.durationMs ||
      check.now - (check.now % other.durationMs) + other.durationMs !== end
    ) {
      return null;
    }
    if (check.now < earliest) earliest = check.now;
  }
  return { cost: first.cost, limit: window.limit, end, ttl: end - earliest + CLOCK_SKEW_GRACE_MS };
}
