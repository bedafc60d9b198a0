import { hash } from "node:crypto";
import type { VerifyRequest, VerifyResponse } from "./types.js";

export interface VerifyCacheOptions {
  /** How long a VALID answer is reused. A revoke can take up to this long to be seen here. */
  ttlMs: number;
  /** Answers kept at most; the least recently used goes first (default 10 000). */
  maxEntries?: number;
}

interface Entry<T> {
  answer: T;
  expiresAt: number;
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
    if (!(options.ttlMs > 0)) throw new TypeError("cache.ttlMs must be a positive number of milliseconds");
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  get size(): number {
    return this.entries.size;
  }

  get(cacheKey: string): T | undefined {
    const entry = this.entries.get(cacheKey);
    if (entry === undefined) return undefined;
    this.entries.delete(cacheKey);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(cacheKey, entry);
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
    this.entries.set(cacheKey, { answer, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return true;
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

/** VALID and unmetered: no rate limit window, no credits, no budget in the answer. */
export function isCacheable(answer: VerifyResponse): boolean {
  return answer.valid && answer.ratelimits.length === 0 && answer.credits === null && answer.budget === null;
}

/** SHA-256 (hex) of the key and every option that can change the answer. */
export function cacheKeyOf(key: string, options: Omit<VerifyRequest, "key">): string {
  const material = JSON.stringify([
    key,
    options.scopes ?? null,
    options.permissions ?? null,
    options.cost ?? null,
    options.environment ?? null,
    options.origin ?? null,
    options.ip ?? null,
    options.tags ?? null,
  ]);
  return hash("sha256", material, "hex");
}
