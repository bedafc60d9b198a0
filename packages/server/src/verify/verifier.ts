import {
  checkKeyFormat,
  compilePermissionQuery,
  evaluatePermissionQuery,
  grantsAll,
  hashKey,
  type KeyEnvironment,
  type KeyType,
  type PermissionQuery,
  type VerifyCode,
} from "@keysmith/core";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import { effectiveScopes, type IdentityRecord, type RoleRecord } from "../domain/identities.js";
import { type IpMatcher, ipMatcher } from "../domain/ips.js";
import { effectiveWindows, priceOf } from "../domain/limits.js";
import { type OriginMatcher, originMatcher } from "../domain/origins.js";
import type { KeyRecord, ProjectRecord, RateLimitSpec } from "../domain/records.js";
import type { Meter, MeteredKey, MeterOutcome } from "../metering/meter.js";
import type { KeyMinute, UsageRecorder } from "../metering/usage.js";
import { FeedCache } from "./feed-cache.js";

export interface VerifyRequest {
  key: string;
  /** Scopes the call needs; every one must be granted. */
  scopes?: readonly string[] | string | undefined;
  /**
   * A permission query the key's scopes must satisfy (`a:read AND (b:write OR c:*)`), as text
   * or already parsed; text that does not parse throws INVALID_PERMISSION_QUERY.
   */
  permissions?: string | PermissionQuery | undefined;
  /** The price of this call (credits and spend); default: the project's cost table, else 1. */
  cost?: number | undefined;
  environment?: KeyEnvironment | undefined;
  origin?: string | undefined;
  ip?: string | undefined;
  /** Labels this call's usage is split by (`GET /v1/usage?tag=`); at most 10, each ≤ 64 characters. */
  tags?: readonly string[] | undefined;
}

export interface RateLimitState {
  name: string;
  limit: number;
  /** Null when the rate-limit store could not be asked (see `degraded`). */
  remaining: number | null;
  reset: string;
  /** The window's length; the HTTP answer leaves it out. */
  durationMs?: number;
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
  /** The identity the key belongs to (its `ownerId` is the identity's `externalId`), or null. */
  identity: VerifyIdentity | null;
  /** The names of the roles the key holds; their scopes are in `scopes`. */
  roles: readonly string[];
  /** Not serialized: when a RATE_LIMITED caller may retry (ms since the epoch). */
  retryAt?: number | null;
  /**
   * Present (true) only when part of the answer was not checked: the rate-limit store was
   * unreachable and `KEYSMITH_RATE_LIMIT_FAILURE_MODE` decided; `ratelimits[].remaining` is null.
   */
  degraded?: true;
}

/** An identity as a verification shows it: its shared rate limits as configured. */
export interface VerifyIdentity {
  id: string;
  externalId: string;
  meta: Readonly<Record<string, unknown>> | null;
  ratelimits: readonly RateLimitSpec[];
}

/**
 * A cached key with everything a cached verification reads in one object (memory latency,
 * not arithmetic, is what a verification over many keys costs).
 */
interface CachedKey {
  /** Set by the cache on a hit (CLOCK eviction). */
  referenced: boolean;
  hash: string;
  record: KeyRecord;
  keyId: string;
  projectId: string;
  ownerId: string | null;
  revokedAt: number | null;
  expiresAt: number | null;
  enabled: boolean;
  environment: KeyEnvironment;
  /** The key's own scopes and its roles', resolved when the key was loaded. */
  scopes: readonly string[];
  roles: readonly string[];
  identity: VerifyIdentity | null;
  /** This key's usage record in the recorder, fetched on first use. */
  usage: KeyMinute | null;
  project: ProjectRecord;
  origins: OriginMatcher | null;
  ips: IpMatcher | null;
  expiresAtIso: string | null;
  /** Null for keys with no rate limit, credits or budget: they take the allocation-free path. */
  metered: MeteredKey | null;
  costTable: Record<string, number> | null;
  /** Answers already built for this key, one per code: they never change while it is cached. */
  results: Partial<Record<VerifyCode, VerifyResult>>;
  /** When this entry must be reread (Infinity without a TTL). */
  staleAt: number;
}

const EMPTY: readonly never[] = Object.freeze([]);
/** Shortest and longest strings the key grammar allows (SPEC §3). */
const MIN_KEY_LENGTH = 47;
const MAX_KEY_LENGTH = 59;
/** Bounds of a key imported by hash, whatever its format (the verify body allows 512). */
const MIN_IMPORTED_LENGTH = 8;
const MAX_IMPORTED_LENGTH = 512;

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
    identity: null,
    roles: EMPTY,
  });
}
const MALFORMED = anonymous("MALFORMED");
const NOT_FOUND = anonymous("NOT_FOUND");

export interface VerifierOptions {
  store: {
    keys: {
      getByHash(hash: string): Promise<KeyRecord | null>;
      /** Projects holding imported keys; without it, none do. */
      projectsWithImports?(): Promise<string[]>;
    };
    projects: { get(id: string): Promise<ProjectRecord | null> };
    /** The identity a key belongs to; without it keys verify with `identity: null`. */
    identities?: { getByExternalId(projectId: string, externalId: string): Promise<IdentityRecord | null> };
    /** The roles a key holds; without it keys verify with their own scopes only. */
    roles?: { ofKey(keyId: string): Promise<RoleRecord[]> };
  };
  clock: Clock;
  changes: ChangeFeed;
  /** Rate limits, credits and budgets; without it keys are verified but not metered. */
  meter?: Meter;
  /** Counts every outcome per key and minute. */
  usage?: UsageRecorder;
  /** How many keys the cache holds. */
  cacheSize?: number;
  /**
   * How long a cached key may be answered without rereading the database, in ms; 0 keeps it
   * until a change on the feed drops it. A bound for nodes that share a database without a
   * shared change feed.
   */
  cacheTtlMs?: number;
  /** The TTL while the change feed is down and changes from other nodes may be missed. */
  fallbackTtlMs?: number;
  /**
   * While the database is unreachable, a cached key keeps verifying this long past its TTL
   * (`KEYSMITH_CACHE_STALE_IF_ERROR`; 0: never). Expiry is still checked from the cached record.
   */
  staleIfErrorMs?: number;
}

/**
 * Verifies keys: the one function behind the HTTP route, the in-process API and the SDK's
 * local mode. A cached key without metering is answered synchronously — no promise, no
 * allocation beyond the SHA-256 hex string — which is why `verify` returns
 * `VerifyResult | Promise<VerifyResult>`. Changes published on the feed drop cache entries,
 * so a revoke is effective on the next call.
 *
 * @example
 * const result = await verifier.verify({ key, scopes: ["invoices:read"] });
 * if (!result.valid) reply.code(401);
 */
export class Verifier {
  private readonly cache: FeedCache<CachedKey>;
  private readonly hashById = new Map<string, string>();
  private readonly lastUsed = new Map<string, number>();
  /** Projects holding keys imported by hash, as last read (null until read), and as heard since. */
  private importers: Set<string> | null = null;
  private readonly importsHeard = new Set<string>();
  private readonly store: VerifierOptions["store"];
  private readonly clock: Clock;
  private readonly meter: Meter | undefined;
  private readonly usage: UsageRecorder | undefined;

  constructor(options: VerifierOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.meter = options.meter;
    this.usage = options.usage;
    this.cache = new FeedCache<CachedKey>({
      capacity: options.cacheSize ?? 100_000,
      changes: options.changes,
      ttlMs: options.cacheTtlMs,
      fallbackTtlMs: options.fallbackTtlMs,
      staleIfErrorMs: options.staleIfErrorMs,
      now: () => this.clock.now(),
      onChange: (change) => {
        // A change to a role or an identity reaches the keys holding it through their project:
        // their next verification reads them again, with the role or identity as it is now.
        if (change.type === "keys.imported") this.importsHeard.add(change.projectId);
        else if ("keyId" in change) this.invalidateKey(change.keyId);
        else if ("projectId" in change) this.invalidateProject(change.projectId);
      },
      onEvict: (_hash, entry) => this.hashById.delete(entry.record.id),
      onClear: () => {
        this.hashById.clear();
        // The feed was down: an import elsewhere may have gone unheard.
        this.loadImporters();
      },
    });
    this.loadImporters();
  }

  /**
   * Whether a string that is not a keysmith key could still be one imported by hash: only
   * when the project it may belong to holds imported keys. Until the set is read, assume so.
   */
  private mayHoldImports(boundProjectId: string | null): boolean {
    const importers = this.importers;
    if (importers === null) return true;
    if (boundProjectId === null) return importers.size > 0 || this.importsHeard.size > 0;
    return importers.has(boundProjectId) || this.importsHeard.has(boundProjectId);
  }

  private loadImporters(): void {
    const read = this.store.keys.projectsWithImports;
    if (read === undefined) {
      this.importers = new Set();
      return;
    }
    read.call(this.store.keys).then(
      (ids) => {
        this.importers = new Set(ids);
      },
      () => {
        // Unknown: keep looking foreign strings up rather than refuse an imported key.
        this.importers = null;
      },
    );
  }

  /** Drops every cached key. */
  clear(): void {
    this.cache.clear();
  }

  /** True while cached keys are answered from a short TTL because the change feed is down. */
  get degraded(): boolean {
    return this.cache.degraded;
  }

  /**
   * Verifies a key. `boundProjectId` limits the answer to one project's keys: a key of another
   * project answers NOT_FOUND, exactly like an unknown key.
   */
  verify(request: VerifyRequest, boundProjectId: string | null = null): VerifyResult | Promise<VerifyResult> {
    // A query that does not parse is the caller's mistake whatever the key: it throws
    // INVALID_PERMISSION_QUERY (400) before any check. Compiled queries are cached.
    if (typeof request.permissions === "string") compilePermissionQuery(request.permissions);
    const key = request.key;
    if (typeof key !== "string") return MALFORMED;
    const native = key.length >= MIN_KEY_LENGTH && key.length <= MAX_KEY_LENGTH;
    // Another system's key, imported by hash, can have any shape within bounds.
    if (!native && (key.length < MIN_IMPORTED_LENGTH || key.length > MAX_IMPORTED_LENGTH)) return MALFORMED;
    if (!native && !this.mayHoldImports(boundProjectId)) return MALFORMED;
    const hash = hashKey(key);
    const now = this.clock.now();
    const entry = this.cache.fresh(hash, now);
    // Only keysmith-generated keys ever enter the cache, so a string whose SHA-256 is found
    // there is such a key: its checksum needs no second look. Everything else is checked
    // before the database is asked (the CRC costs about as much as the hash).
    if (entry !== undefined) return this.decide(entry, request, boundProjectId, now);
    if ((!native || checkKeyFormat(key) < 0) && !this.mayHoldImports(boundProjectId)) return MALFORMED;
    return this.load(hash).then((loaded) =>
      loaded === null ? NOT_FOUND : this.decide(loaded, request, boundProjectId, this.clock.now()),
    );
  }

  private decide(
    entry: CachedKey,
    request: VerifyRequest,
    boundProjectId: string | null,
    now: number,
  ): VerifyResult | Promise<VerifyResult> {
    if (boundProjectId !== null && entry.projectId !== boundProjectId) return NOT_FOUND;
    if (entry.revokedAt !== null) return this.answer(entry, "REVOKED", now, request.tags);
    if (entry.expiresAt !== null && entry.expiresAt <= now)
      return this.answer(entry, "EXPIRED", now, request.tags);
    if (!entry.enabled) return this.answer(entry, "DISABLED", now, request.tags);
    if (entry.origins !== null && !entry.origins.allows(request.origin)) {
      return this.answer(entry, "ORIGIN_NOT_ALLOWED", now, request.tags);
    }
    if (entry.ips !== null && !entry.ips.allows(request.ip))
      return this.answer(entry, "IP_NOT_ALLOWED", now, request.tags);
    // A caller that names no environment asks for live keys: a test key is never taken for a
    // live one silently (SECURITY.md, "Environments"); pass environment: "test" to accept it.
    if ((request.environment ?? "live") !== entry.environment) {
      return this.answer(entry, "ENVIRONMENT_MISMATCH", now, request.tags);
    }
    const scopes = request.scopes;
    if (scopes !== undefined) {
      const granted =
        typeof scopes === "string" ? grantsAll(entry.scopes, [scopes]) : grantsAll(entry.scopes, scopes);
      if (!granted) return this.answer(entry, "INSUFFICIENT_SCOPE", now, request.tags);
    }
    if (request.permissions !== undefined && !evaluatePermissionQuery(request.permissions, entry.scopes)) {
      return this.answer(entry, "INSUFFICIENT_SCOPE", now);
    }
    // Metering comes after every check that costs nothing, so a key failing one of those
    // consumes no rate limit, credit or spend.
    const cost = priceOf(request.cost, scopes, entry.costTable);
    if (entry.metered === null || this.meter === undefined) {
      this.count(entry, "VALID", cost, now, request.tags);
      return entry.results.VALID ?? this.result(entry, "VALID");
    }
    const outcome = this.meter.check(entry.metered, cost, now);
    return outcome instanceof Promise
      ? outcome.then((o) => this.metered(entry, o, now, request.tags))
      : this.metered(entry, outcome, now, request.tags);
  }

  /** Counts an outcome (usage, and `lastUsedAt` for VALID ones). */
  private count(
    entry: CachedKey,
    code: VerifyCode,
    spend: number,
    now: number,
    tags?: readonly string[],
  ): void {
    const usage = this.usage;
    if (usage === undefined) {
      if (code === "VALID") this.lastUsed.set(entry.keyId, now);
      return;
    }
    let slot = entry.usage;
    if (slot === null || slot.detached) {
      slot = usage.slot(entry.keyId, entry.projectId, entry.ownerId);
      entry.usage = slot;
    }
    usage.recordIn(slot, code, spend, now, tags);
  }

  /** An answer from the free checks: counted, and the same frozen object every time. */
  private answer(entry: CachedKey, code: VerifyCode, now: number, tags?: readonly string[]): VerifyResult {
    this.count(entry, code, 0, now, tags);
    return this.result(entry, code);
  }

  private metered(
    entry: CachedKey,
    outcome: MeterOutcome,
    now: number,
    tags?: readonly string[],
  ): VerifyResult {
    this.count(entry, outcome.code, outcome.spend, now, tags);
    return {
      ...this.result(entry, outcome.code),
      ratelimits: outcome.ratelimits,
      credits: outcome.credits,
      budget: outcome.budget,
      retryAt: outcome.retryAt,
      ...(outcome.degraded ? { degraded: true as const } : {}),
    };
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
      scopes: entry.scopes,
      meta: r.meta,
      expiresAt: entry.expiresAtIso,
      ratelimits: EMPTY,
      credits: null,
      budget: null,
      identity: entry.identity,
      roles: entry.roles,
    });
    entry.results[code] = built;
    return built;
  }

  private load(hash: string): Promise<CachedKey | null> {
    return this.cache.load(
      hash,
      () => this.fetch(hash),
      (entry) => this.hashById.set(entry.record.id, hash),
    );
  }

  private async fetch(hash: string): Promise<CachedKey | null> {
    const record = await this.store.keys.getByHash(hash);
    if (record === null) return null;
    const project = await this.store.projects.get(record.projectId);
    if (project === null) return null;
    // Roles and the identity are resolved into the entry here, once, so a cached verification
    // reads them with the key; a change to either drops the project's entries (onChange).
    const [identity, roles] = await Promise.all([
      record.ownerId !== null && this.store.identities
        ? this.store.identities.getByExternalId(record.projectId, record.ownerId)
        : null,
      this.store.roles ? this.store.roles.ofKey(record.id) : [],
    ]);
    return toEntry(hash, { record, project, identity, roles }, this.cache.staleAt(this.clock.now()));
  }

  /** Drops a key from the cache; its next verification reads the database. Called on a change. */
  private invalidateKey(keyId: string): void {
    const hash = this.hashById.get(keyId);
    if (hash === undefined) return;
    this.hashById.delete(keyId);
    this.cache.delete(hash);
  }

  /** Drops every cached key of a project (its settings changed). Called on a change. */
  private invalidateProject(projectId: string): void {
    for (const entry of [...this.cache.values()]) {
      if (entry.record.projectId === projectId) this.invalidateKey(entry.record.id);
    }
  }

  /** The newest use of each key since the last call, for the batched `lastUsedAt` write. */
  drainLastUsed(): Map<string, number> {
    if (this.usage) return this.usage.drainLastUsed();
    const drained = new Map(this.lastUsed);
    this.lastUsed.clear();
    return drained;
  }

  /** Gives back uses from `drainLastUsed` whose write failed; the next drain includes them. */
  restoreLastUsed(used: ReadonlyMap<string, number>): void {
    if (this.usage) {
      this.usage.restoreLastUsed(used);
      return;
    }
    for (const [keyId, at] of used) {
      if ((this.lastUsed.get(keyId) ?? 0) < at) this.lastUsed.set(keyId, at);
    }
  }

  /** The latest use seen here, possibly not yet written, so reads can show it at once. */
  pendingLastUsed(keyId: string): number | undefined {
    return this.usage ? this.usage.lastUsed(keyId) : this.lastUsed.get(keyId);
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /** Verifications answered from a stale cache entry because the database was unreachable. */
  get staleAnswers(): number {
    return this.cache.staleAnswers;
  }

  close(): void {
    this.cache.close();
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface Loaded {
  record: KeyRecord;
  project: ProjectRecord;
  identity: IdentityRecord | null;
  roles: RoleRecord[];
}

function toEntry(hash: string, { record, project, identity, roles }: Loaded, staleAt: number): CachedKey {
  deepFreeze(record);
  const settings = project.settings;
  const windows = effectiveWindows(record.ratelimits, settings);
  const projectBudget = settings.budget ?? null;
  const sharedWindows = identity?.ratelimits?.length ? effectiveWindows(identity.ratelimits, {}) : [];
  // A key without credits of its own draws from its identity's pool, when it has one.
  const credits =
    record.credits !== null
      ? { refill: record.credits.refill, identityId: null }
      : identity?.credits
        ? { refill: identity.credits.refill, identityId: identity.id }
        : null;
  const metered =
    windows.length > 0 ||
    sharedWindows.length > 0 ||
    credits !== null ||
    record.budget !== null ||
    projectBudget !== null
      ? {
          keyId: record.id,
          projectId: record.projectId,
          windows,
          credits,
          identity: identity && sharedWindows.length > 0 ? { id: identity.id, windows: sharedWindows } : null,
          keyBudget: record.budget,
          projectBudget,
        }
      : null;
  const scopes =
    roles.length === 0
      ? record.scopes
      : deepFreeze(
          effectiveScopes(
            record.scopes,
            roles,
            record.type === "publishable" ? project.publishableScopes : null,
          ),
        );
  return {
    referenced: false,
    hash,
    record,
    keyId: record.id,
    projectId: record.projectId,
    ownerId: record.ownerId,
    revokedAt: record.revokedAt,
    expiresAt: record.expiresAt,
    enabled: record.enabled,
    environment: record.environment,
    scopes,
    roles: deepFreeze(roles.map((r) => r.name)),
    identity:
      identity === null
        ? null
        : deepFreeze({
            id: identity.id,
            externalId: identity.externalId,
            meta: identity.meta,
            ratelimits: identity.ratelimits ?? [],
          }),
    usage: null,
    project,
    origins: record.allowedOrigins?.length ? originMatcher(record.allowedOrigins) : null,
    ips: record.allowedIps?.length ? ipMatcher(record.allowedIps) : null,
    expiresAtIso: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    metered,
    costTable: settings.costTable ?? null,
    results: {},
    staleAt,
  };
}
