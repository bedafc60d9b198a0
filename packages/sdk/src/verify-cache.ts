import { hash } from "node:crypto";
import type { VerifyRequest, VerifyResponse } from "./types.js";

export interface VerifyCacheOptions {
  /** How long a VALID answer is reused. A revoke can take up to this long to be seen here. */
  ttlMs: number;
  /**
   * Answers kept at most (default 10 000). Beyond it the oldest answer not used since it was
   * last passed over goes first (second chance: close to least recently used, without
   * reordering the map on every hit).
   */
  maxEntries?: number;
}

interface Entry<T> {
  answer: T;
  expiresAt: number;
  /** Set by each hit, cleared when eviction passes the entry over once. */
  used: boolean;
}

/**
 * Recent VALID answers, in this process, keyed by the SHA-256 of the key and the request
 * options: no plaintext key is ever held as a map key. Only unmetered answers are kept: a key
 * with rate limits, credits or a budget must reach the server on every call to be counted.
 */
export class VerifyCache<T extends VerifyResponse = VerifyResponse> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    options: VerifyCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = positiveMs(options.ttlMs, "ttlMs");
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  get size(): number {
    return this.entries.size;
  }

  get(cacheKey: string): T | undefined {
    const entry = this.entries.get(cacheKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(cacheKey);
      return undefined;
    }
    // A hit only sets a flag: the hot path allocates nothing and leaves the map's order alone.
    entry.used = true;
    return entry.answer;
  }

  /** Keeps `answer` if it may be reused; answers whether it did. */
  set(cacheKey: string, answer: T): boolean {
    if (!isCacheable(answer)) return false;
    const now = this.now();
    const keyExpiry = answer.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(answer.expiresAt);
    const expiresAt = Math.min(now + this.ttlMs, keyExpiry);
    if (!(expiresAt > now)) return false;
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, { answer, expiresAt, used: false });
    if (this.entries.size > this.maxEntries) this.evict();
    return true;
  }

  /** Second chance: an entry used since it was last passed over moves to the back once. */
  private evict(): void {
    for (const [cacheKey, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) return;
      this.entries.delete(cacheKey);
      if (entry.used) {
        entry.used = false;
        this.entries.set(cacheKey, entry);
      }
    }
  }

  /** Drops every answer for one key id (a revoke or change seen through another channel). */
  forgetKey(keyId: string): void {
    for (const [cacheKey, entry] of this.entries) {
      if (entry.answer.keyId === keyId) this.entries.delete(cacheKey);
    }
  }

  /** Drops every answer for one project's keys (its settings changed). */
  forgetProject(projectId: string): void {
    for (const [cacheKey, entry] of this.entries) {
      if (entry.answer.projectId === projectId) this.entries.delete(cacheKey);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/** `value` when it is a positive number of milliseconds; else a TypeError naming `cache.<name>`. */
export function positiveMs(value: number, name: string): number {
  if (!(value > 0)) throw new TypeError(`cache.${name} must be a positive number of milliseconds`);
  return value;
}

/** VALID and unmetered: no rate limit window, no credits, no budget in the answer. */
export function isCacheable(answer: VerifyResponse): boolean {
  return answer.valid && answer.ratelimits.length === 0 && answer.credits === null && answer.budget === null;
}

/**
 * The cache key of a verification: the SHA-256 (base64) of the key, then every option that can
 * change the answer, JSON-encoded (so no two different option sets read the same). The key
 * itself never appears. Split in two so a middleware, whose options are fixed, encodes them
 * once: `cacheKeyOf(key, options) === keyDigest(key) + fixedOptions(options) + callerOptions(options)`.
 */
export function cacheKeyOf(key: string, options: Omit<VerifyRequest, "key">): string {
  return keyDigest(key) + fixedOptions(options) + callerOptions(options.origin, options.ip);
}

export function keyDigest(key: string): string {
  return hash("sha256", key, "base64");
}

/** The options a route fixes (scopes, permissions, cost, environment, tags), encoded. */
export function fixedOptions(options: Omit<VerifyRequest, "key" | "origin" | "ip">): string {
  return JSON.stringify([
    options.scopes ?? null,
    options.permissions ?? null,
    options.cost ?? null,
    options.environment ?? null,
    options.tags ?? null,
  ]);
}

/** The options each caller brings (origin, IP), encoded. */
export function callerOptions(origin: string | null | undefined, ip: string | null | undefined): string {
  // JSON strings cannot hold a raw newline, so the two parts never run into each other.
  return `\n${origin == null ? "" : JSON.stringify(origin)}\n${ip == null ? "" : JSON.stringify(ip)}`;
}
