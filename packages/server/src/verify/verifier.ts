import {
  checkKeyFormat,
  grantsAll,
  hashKey,
  type KeyEnvironment,
  type KeyType,
  type VerifyCode,
} from "@keysmith/core";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import type { KeyRecord } from "../storage/records.js";
import { ClockCache } from "./clock-cache.js";
import { type IpMatcher, ipMatcher } from "./ips.js";
import { type OriginMatcher, originMatcher } from "./origins.js";

export interface VerifyRequest {
  key: string;
  /** Scopes the call needs; every one must be granted. */
  scopes?: readonly string[] | string | undefined;
  /** The price of this call, for metering (consumed only by a VALID answer). */
  cost?: number | undefined;
  environment?: KeyEnvironment | undefined;
  origin?: string | undefined;
  ip?: string | undefined;
}

export interface RateLimitState {
  name: string;
  limit: number;
  remaining: number;
  reset: string;
}

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  keyId: string | null;
  ownerId: string | null;
  projectId: string | null;
  type: KeyType | null;
  environment: KeyEnvironment | null;
  scopes: readonly string[];
  meta: Readonly<Record<string, unknown>> | null;
  expiresAt: string | null;
  ratelimits: readonly RateLimitState[];
  credits: { remaining: number } | null;
  budget: { spent: number; limit: number; period: string; resetAt: string } | null;
}

interface CachedKey {
  hash: string;
  record: KeyRecord;
  origins: OriginMatcher | null;
  ips: IpMatcher | null;
  expiresAtIso: string | null;
  /** Answers already built for this key, one per code: they never change while it is cached. */
  results: Partial<Record<VerifyCode, VerifyResult>>;
  /** When this entry must be reread (Infinity without a TTL). */
  staleAt: number;
}

const EMPTY: readonly never[] = Object.freeze([]);

function anonymous(code: "MALFORMED" | "NOT_FOUND"): VerifyResult {
  return Object.freeze({
    valid: false,
    code,
    keyId: null,
    ownerId: null,
    projectId: null,
    type: null,
    environment: null,
    scopes: EMPTY,
    meta: null,
    expiresAt: null,
    ratelimits: EMPTY,
    credits: null,
    budget: null,
  });
}
const MALFORMED = anonymous("MALFORMED");
const NOT_FOUND = anonymous("NOT_FOUND");

export interface VerifierOptions {
  store: { getKeyByHash(hash: string): Promise<KeyRecord | null> };
  clock: Clock;
  changes: ChangeFeed;
  /** How many keys the cache holds. */
  cacheSize?: number;
  /**
   * How long a cached key may be answered without rereading the database, in ms; 0 keeps it
   * until a change on the feed drops it. A bound for nodes that share a database without a
   * shared change feed.
   */
  cacheTtlMs?: number;
}

/**
 * Verifies keys: the one function behind the HTTP route, the in-process API and the SDK's
 * local mode. A cached key is answered synchronously — no promise, no allocation beyond the
 * SHA-256 hex string — which is why `verify` returns `VerifyResult | Promise<VerifyResult>`.
 * Changes published on the feed drop cache entries, so a revoke is effective on the next call.
 *
 * @example
 * const result = await verifier.verify({ key, scopes: ["invoices:read"] });
 * if (!result.valid) reply.code(401);
 */
export class Verifier {
  private readonly cache: ClockCache<CachedKey>;
  private readonly hashById = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<CachedKey | null>>();
  private readonly lastUsed = new Map<string, number>();
  private readonly store: VerifierOptions["store"];
  private readonly clock: Clock;
  private readonly ttl: number;
  /** Bumped by every invalidation, so a load that raced a change does not cache stale data. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(options: VerifierOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.ttl = options.cacheTtlMs ?? 0;
    this.cache = new ClockCache(options.cacheSize ?? 100_000, (_hash, entry) =>
      this.hashById.delete(entry.record.id),
    );
    this.unsubscribe = options.changes.subscribe((change) => {
      if (change.type === "project.updated") this.invalidateProject(change.projectId);
      else if (change.type !== "root_key.revoked") this.invalidateKey(change.keyId);
    });
  }

  /**
   * Verifies a key. `boundProjectId` limits the answer to one project's keys: a key of another
   * project answers NOT_FOUND, exactly like an unknown key.
   */
  verify(request: VerifyRequest, boundProjectId: string | null = null): VerifyResult | Promise<VerifyResult> {
    const key = request.key;
    if (typeof key !== "string" || checkKeyFormat(key) < 0) return MALFORMED;
    const hash = hashKey(key);
    const now = this.clock.now();
    const entry = this.cache.get(hash);
    if (entry !== undefined && entry.staleAt > now) return this.decide(entry, request, boundProjectId, now);
    return this.load(hash).then((loaded) =>
      loaded === null ? NOT_FOUND : this.decide(loaded, request, boundProjectId, this.clock.now()),
    );
  }

  private decide(entry: CachedKey, request: VerifyRequest, boundProjectId: string | null, now: number): VerifyResult {
    const record = entry.record;
    if (boundProjectId !== null && record.projectId !== boundProjectId) return NOT_FOUND;
    if (record.revokedAt !== null) return this.result(entry, "REVOKED");
    if (record.expiresAt !== null && record.expiresAt <= now) return this.result(entry, "EXPIRED");
    if (!record.enabled) return this.result(entry, "DISABLED");
    if (entry.origins !== null && !entry.origins.allows(request.origin)) {
      return this.result(entry, "ORIGIN_NOT_ALLOWED");
    }
    if (entry.ips !== null && !entry.ips.allows(request.ip)) return this.result(entry, "IP_NOT_ALLOWED");
    if (request.environment !== undefined && request.environment !== record.environment) {
      return this.result(entry, "ENVIRONMENT_MISMATCH");
    }
    const scopes = request.scopes;
    if (scopes !== undefined) {
      const granted =
        typeof scopes === "string" ? grantsAll(record.scopes, [scopes]) : grantsAll(record.scopes, scopes);
      if (!granted) return this.result(entry, "INSUFFICIENT_SCOPE");
    }
    // Metering (rate limits, credits, budget) slots in here: after every check that costs
    // nothing, so a key that fails one of them consumes no limit, credit or spend.
    this.lastUsed.set(record.id, now);
    return this.result(entry, "VALID");
  }

  private result(entry: CachedKey, code: VerifyCode): VerifyResult {
    const cached = entry.results[code];
    if (cached !== undefined) return cached;
    const r = entry.record;
    const built: VerifyResult = Object.freeze({
      valid: code === "VALID",
      code,
      keyId: r.id,
      ownerId: r.ownerId,
      projectId: r.projectId,
      type: r.type,
      environment: r.environment,
      scopes: r.scopes,
      meta: r.meta,
      expiresAt: entry.expiresAtIso,
      ratelimits: EMPTY,
      credits: null,
      budget: null,
    });
    entry.results[code] = built;
    return built;
  }

  private load(hash: string): Promise<CachedKey | null> {
    const pending = this.inflight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const promise = this.store.getKeyByHash(hash).then(
      (record) => {
        if (this.inflight.get(hash) === promise) this.inflight.delete(hash);
        if (record === null) return null;
        const entry = toEntry(hash, record, this.ttl > 0 ? this.clock.now() + this.ttl : Number.POSITIVE_INFINITY);
        if (generation === this.generation) {
          this.cache.set(hash, entry);
          this.hashById.set(record.id, hash);
        }
        return entry;
      },
      (error: unknown) => {
        if (this.inflight.get(hash) === promise) this.inflight.delete(hash);
        throw error;
      },
    );
    this.inflight.set(hash, promise);
    return promise;
  }

  /** Drops a key from the cache; its next verification reads the database. */
  invalidateKey(keyId: string): void {
    this.generation++;
    this.inflight.clear();
    const hash = this.hashById.get(keyId);
    if (hash === undefined) return;
    this.hashById.delete(keyId);
    this.cache.delete(hash);
  }

  /** Drops every cached key of a project (its settings changed). */
  invalidateProject(projectId: string): void {
    this.generation++;
    this.inflight.clear();
    for (const entry of [...this.cache.values()]) {
      if (entry.record.projectId === projectId) this.invalidateKey(entry.record.id);
    }
  }

  /** The newest use of each key since the last call, for the batched `lastUsedAt` write. */
  drainLastUsed(): Map<string, number> {
    const drained = new Map(this.lastUsed);
    this.lastUsed.clear();
    return drained;
  }

  /** A use not yet written to the database, so reads can show it at once. */
  pendingLastUsed(keyId: string): number | undefined {
    return this.lastUsed.get(keyId);
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  close(): void {
    this.unsubscribe();
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function toEntry(hash: string, record: KeyRecord, staleAt: number): CachedKey {
  deepFreeze(record);
  return {
    hash,
    record,
    origins: record.allowedOrigins?.length ? originMatcher(record.allowedOrigins) : null,
    ips: record.allowedIps?.length ? ipMatcher(record.allowedIps) : null,
    expiresAtIso: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    results: {},
    staleAt,
  };
}
