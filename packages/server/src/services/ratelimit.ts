import {
  type Duration,
  fixedWindowStart,
  KeysmithError,
  mostSpecificOverride,
  parseDuration,
  RATE_LIMIT_MAX_WINDOW_MS,
  RATE_LIMIT_MIN_WINDOW_MS,
  standaloneSubject,
  standaloneWindow,
} from "@keysmith/core";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import { type ActionContext, decodeCursor } from "../domain/access.js";
import type { RateLimitDecision, RateLimitStore, RateLimitWindow } from "../domain/rate-limit.js";
import type { Page, RateLimitOverrideRecord } from "../domain/records.js";
import type { Store } from "../storage/store.js";
import type { Write } from "../storage/unit-of-work.js";
import { FeedCache, type FeedCacheEntry } from "../verify/feed-cache.js";

/** The answer of `POST /v1/ratelimit` (SPEC §10). */
export interface RateLimitCheckResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends (ISO 8601), as in the verify answer's `ratelimits`. */
  reset: string;
}

export interface RateLimitCheckInput {
  namespace: string;
  identifier: string;
  limit: number;
  duration: Duration;
  cost?: number | undefined;
}

export interface RateLimitOverrideInput {
  namespace: string;
  identifier: string;
  limit: number;
  duration: Duration;
}

/** Overrides a namespace may hold: every node keeps all of them in memory. */
export const MAX_OVERRIDES_PER_NAMESPACE = 10_000;
/** Namespaces whose overrides a node keeps. */
const CACHED_NAMESPACES = 10_000;

/** One namespace's overrides as a node caches them: exact ones by identifier, prefixes longest first. */
interface NamespaceOverrides extends FeedCacheEntry {
  exact: Map<string, RateLimitOverrideRecord>;
  prefixes: RateLimitOverrideRecord[];
}

export interface RateLimitServiceDeps {
  store: Store;
  clock: Clock;
  changes: ChangeFeed;
  write: Write;
  /** Where the counters live: this process's memory, or Redis shared by the cluster. */
  rateLimits: RateLimitStore;
  /** Reread a namespace's overrides after this many ms (0: only when a change drops them). */
  cacheTtlMs?: number | undefined;
}

/** The window length of a duration, or INVALID_DURATION when it is not one from 1s to 31d. */
export function windowMs(duration: Duration, field = "duration"): number {
  const ms = parseDuration(duration);
  if (ms === null || ms < RATE_LIMIT_MIN_WINDOW_MS || ms > RATE_LIMIT_MAX_WINDOW_MS) {
    throw new KeysmithError("INVALID_DURATION", "A rate-limit window is from 1s to 31d.", { field });
  }
  return ms;
}

/**
 * Standalone rate limits (SPEC §10): fixed windows for anything that is not a key, counted in the
 * app's rate-limit store under `ns:<namespace>:<identifier>` (exact on one node, shared through
 * Redis on a cluster), with per-identifier overrides stored in the database and cached on every
 * node until the change feed says a namespace's overrides changed.
 */
export class RateLimitService {
  private readonly overrides: FeedCache<NamespaceOverrides>;
  /** `reset` texts: most checks of a window share its end, and `toISOString` costs ≈ 1.3 µs here. */
  private readonly resets = new IsoTimes();

  constructor(private readonly deps: RateLimitServiceDeps) {
    this.overrides = new FeedCache<NamespaceOverrides>({
      capacity: CACHED_NAMESPACES,
      changes: deps.changes,
      ttlMs: deps.cacheTtlMs,
      onChange: (change) => {
        if (change.type === "ratelimit.override_changed") this.overrides.delete(change.namespace);
      },
    });
  }

  /**
   * Counts one call (or `cost`) against the identifier's limit: the most specific override's, else
   * the one given. Synchronous when the namespace's overrides are cached and the counters live in
   * memory (the route then answers without a promise); a promise otherwise.
   */
  check(input: RateLimitCheckInput): RateLimitCheckResult | Promise<RateLimitCheckResult> {
    const requested = windowMs(input.duration);
    const now = this.deps.clock.now();
    const cached = this.overrides.fresh(input.namespace, now);
    if (cached !== undefined) return this.decide(input, requested, cached, now);
    return this.loadOverrides(input.namespace).then((overrides) =>
      this.decide(input, requested, overrides, now),
    );
  }

  private decide(
    input: RateLimitCheckInput,
    requested: number,
    overrides: NamespaceOverrides | null,
    now: number,
  ): RateLimitCheckResult | Promise<RateLimitCheckResult> {
    const override = overrides ? matchOverride(overrides, input.identifier) : null;
    const window: RateLimitWindow = override
      ? {
          name: standaloneWindow(override.durationMs),
          limit: override.limit,
          durationMs: override.durationMs,
        }
      : { name: standaloneWindow(requested), limit: input.limit, durationMs: requested };
    const subject = standaloneSubject(input.namespace, input.identifier);
    const pending = this.deps.rateLimits.consume(subject, [window], input.cost ?? 1, now);
    if (pending instanceof Promise) return pending.then((decision) => this.answer(decision, window, now));
    return this.answer(pending, window, now);
  }

  private answer(decision: RateLimitDecision, window: RateLimitWindow, now: number): RateLimitCheckResult {
    const state = decision.windows[0];
    return {
      success: decision.allowed,
      limit: window.limit,
      remaining: state ? state.remaining : 0,
      reset: this.resets.format(
        state ? state.resetAt : fixedWindowStart(now, window.durationMs) + window.durationMs,
      ),
    };
  }

  /** Creates or replaces an override. Only a root key bound to no project manages them (namespaces span projects). */
  async setOverride(ctx: ActionContext, input: RateLimitOverrideInput): Promise<RateLimitOverrideRecord> {
    requireUnbound(ctx);
    const durationMs = windowMs(input.duration);
    checkIdentifierPattern(input.identifier);
    return this.deps.write(ctx, async (tx) => {
      const existing = await tx.ratelimitOverrides.get(input.namespace, input.identifier);
      if (!existing && (await tx.ratelimitOverrides.count(input.namespace)) >= MAX_OVERRIDES_PER_NAMESPACE) {
        throw new KeysmithError(
          "UNPROCESSABLE",
          `A namespace holds at most ${MAX_OVERRIDES_PER_NAMESPACE} overrides.`,
          { field: "identifier" },
        );
      }
      const record: RateLimitOverrideRecord = {
        namespace: input.namespace,
        identifier: input.identifier,
        limit: input.limit,
        duration: input.duration,
        durationMs,
        createdAt: existing?.createdAt ?? tx.now,
        updatedAt: tx.now,
      };
      await tx.ratelimitOverrides.upsert(record);
      await tx.audit(
        "ratelimit.override_set",
        { type: "ratelimit_namespace", id: input.namespace, projectId: null },
        { identifier: input.identifier, limit: input.limit, duration: input.duration },
      );
      return record;
    });
  }

  /** Deletes an override (identifier matched exactly, a trailing `*` included); RATELIMIT_OVERRIDE_NOT_FOUND when there is none. */
  async deleteOverride(
    ctx: ActionContext,
    namespace: string,
    identifier: string,
  ): Promise<RateLimitOverrideRecord> {
    requireUnbound(ctx);
    return this.deps.write(ctx, async (tx) => {
      const existing = await tx.ratelimitOverrides.get(namespace, identifier);
      if (!existing || !(await tx.ratelimitOverrides.delete(namespace, identifier))) {
        throw new KeysmithError("RATELIMIT_OVERRIDE_NOT_FOUND", undefined, { namespace, identifier });
      }
      await tx.audit(
        "ratelimit.override_delete",
        { type: "ratelimit_namespace", id: namespace, projectId: null },
        { identifier },
      );
      return existing;
    });
  }

  /** A namespace's overrides, by identifier, in pages. */
  listOverrides(
    namespace: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<RateLimitOverrideRecord>> {
    const after = decodeCursor(cursor, IDENTIFIER_CURSOR);
    return this.deps.store.ratelimitOverrides.list(namespace, after, limit);
  }

  close(): void {
    this.overrides.close();
  }

  private loadOverrides(namespace: string): Promise<NamespaceOverrides | null> {
    return this.overrides.load(namespace, async () => {
      const rows = await this.deps.store.ratelimitOverrides.all(namespace, MAX_OVERRIDES_PER_NAMESPACE);
      const exact = new Map<string, RateLimitOverrideRecord>();
      const prefixes: RateLimitOverrideRecord[] = [];
      for (const row of rows) {
        if (row.identifier.endsWith("*")) prefixes.push(row);
        else exact.set(row.identifier, row);
      }
      prefixes.sort((a, b) => b.identifier.length - a.identifier.length);
      return { exact, prefixes, referenced: true, staleAt: this.overrides.staleAt(this.deps.clock.now()) };
    });
  }
}

/** ISO 8601 texts of a few recent instants (window ends), so a hot window is formatted once. */
class IsoTimes {
  private readonly texts = new Map<number, string>();

  format(at: number): string {
    let text = this.texts.get(at);
    if (text === undefined) {
      // Window ends move on; a bounded map forgets the ended ones wholesale.
      if (this.texts.size >= 64) this.texts.clear();
      text = new Date(at).toISOString();
      this.texts.set(at, text);
    }
    return text;
  }
}

/** Identifiers as cursors: whatever an identifier may be, base64url-encoded by `encodeCursor`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const IDENTIFIER_CURSOR = /^[^\u0000-\u001f\u007f]{1,256}$/u;

function matchOverride(overrides: NamespaceOverrides, identifier: string): RateLimitOverrideRecord | null {
  const exact = overrides.exact.get(identifier);
  if (exact !== undefined) return exact;
  // Longest prefix first, so the first match is the most specific (as `mostSpecificOverride`).
  return overrides.prefixes.length === 0 ? null : mostSpecificOverride(overrides.prefixes, identifier);
}

function requireUnbound(ctx: ActionContext): void {
  if (ctx.actor.projectId !== null) {
    throw new KeysmithError(
      "FORBIDDEN",
      "Rate-limit namespaces span projects: only a root key bound to no project manages overrides.",
    );
  }
}

/** A `*` is a wildcard only at the end: `user_*` matches every identifier starting `user_`. */
function checkIdentifierPattern(identifier: string): void {
  if (identifier.slice(0, -1).includes("*")) {
    throw new KeysmithError("VALIDATION_ERROR", "An override's identifier may hold `*` only at its end.", {
      field: "identifier",
    });
  }
}
