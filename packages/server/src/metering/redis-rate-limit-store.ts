import { createHash } from "node:crypto";
import { RATE_LIMIT_CLOCK_SKEW_GRACE_MS, RATE_LIMIT_LUA, rateLimitKey } from "@keysmith/core";
import { Redis } from "ioredis";
import type {
  RateLimitDecision,
  RateLimitStore,
  RateLimitWindow,
  WindowState,
} from "../domain/rate-limit.js";

// The script and key layout live in @keysmith/core (the SDK counts with the same ones).
export { RATE_LIMIT_LUA };

const RATE_LIMIT_SHA = createHash("sha1").update(RATE_LIMIT_LUA).digest("hex");

const CLOCK_SKEW_GRACE_MS = RATE_LIMIT_CLOCK_SKEW_GRACE_MS;

const DEFAULT_TIMEOUT_MS = 100;

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
 * Rate-limit counters in Redis, shared by every node: one Lua script per check (EVALSHA, with a
 * fall back to EVAL when Redis has lost the script), all-or-nothing across the windows. Keys carry
 * the subject as a hash tag so a Redis Cluster keeps one subject's windows in one slot.
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
  }

  async consume(
    subject: string,
    windows: readonly RateLimitWindow[],
    cost: number,
    now: number,
  ): Promise<RateLimitDecision> {
    if (!(Number.isSafeInteger(cost) && cost >= 0)) {
      throw new RangeError(`rate-limit cost must be a non-negative integer, got ${cost}`);
    }
    const n = windows.length;
    if (n === 0) return { allowed: true, windows: [] };

    // One array holds KEYS then ARGV, in the layout RATE_LIMIT_LUA documents.
    const args: (string | number)[] = new Array(1 + 3 * n);
    args[n] = cost;
    for (let i = 0; i < n; i++) {
      const window = windows[i] as RateLimitWindow;
      const start = now - (now % window.durationMs);
      args[i] = rateLimitKey(this.keyPrefix, subject, window.name, start);
      args[n + 1 + i] = window.limit;
      args[2 * n + 1 + i] = start + window.durationMs - now + CLOCK_SKEW_GRACE_MS;
    }

    try {
      return decisionFromReply(await this.withTimeout(this.runScript(n, args)), windows, now);
    } catch (error) {
      this.onError?.(error instanceof Error ? error : new Error(String(error)));
      return this.failureDecision(windows, now);
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

  private async runScript(n: number, args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(RATE_LIMIT_SHA, n, ...args);
    } catch (error) {
      // After a restart or SCRIPT FLUSH Redis no longer knows the script; EVAL also caches it again.
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return this.redis.eval(RATE_LIMIT_LUA, n, ...args);
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

function decisionFromReply(
  reply: unknown,
  windows: readonly RateLimitWindow[],
  now: number,
): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== windows.length + 1) {
    throw new Error("rate-limit store: unexpected reply from the Redis script");
  }
  const states: WindowState[] = [];
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i] as RateLimitWindow;
    const remaining = window.limit - Number(reply[i + 1]);
    states.push({
      name: window.name,
      limit: window.limit,
      remaining: Math.max(remaining, 0),
      resetAt: now - (now % window.durationMs) + window.durationMs,
    });
  }
  return { allowed: reply[0] === 1, windows: states };
}
