import type { VerifyCode } from "@keysmith/core";
import { isoTime, periodStart } from "../domain/periods.js";
import type { RateLimitDecision, RateLimitStore, RateLimitWindow } from "../domain/rate-limit.js";
import type { BudgetSpec } from "../domain/records.js";
import type { BudgetState, BudgetTracker, BudgetView, SpendContext } from "./budgets.js";

export interface RateLimitView {
  name: string;
  limit: number;
  /** Null when the rate-limit store could not be asked (the decision is `degraded`). */
  remaining: number | null;
  reset: string;
  /** The window's length (for `RateLimit-Policy`); not part of the HTTP body. */
  durationMs: number;
}

/** What metering decided for one verification. */
export interface MeterOutcome {
  code: VerifyCode;
  ratelimits: RateLimitView[];
  credits: { remaining: number } | null;
  budget: BudgetView | null;
  /** What the call was priced at when it was VALID, else 0. */
  spend: number;
  /** For Retry-After: when the blocking window ends (RATE_LIMITED only). */
  retryAt: number | null;
  /** True when the rate limits were not checked (their store failed) and the failure mode decided. */
  degraded: boolean;
}

/** The metering a cached key carries: its effective windows, credits and budgets. */
export interface MeteredKey {
  keyId: string;
  projectId: string;
  windows: RateLimitWindow[];
  /**
   * Where the call's credits come from: the key's own balance, or (`identityId` set) the pool of
   * its identity, when the key has none of its own.
   */
  credits: {
    refill: { amount: number; interval: "day" | "month" } | null;
    identityId?: string | null;
  } | null;
  /** The identity's shared windows, checked after the key's own; null when it has none. */
  identity?: { id: string; windows: RateLimitWindow[] } | null;
  keyBudget: BudgetSpec | null;
  projectBudget: BudgetSpec | null;
}

export interface CreditLedger {
  consumeCredits(
    id: string,
    cost: number,
    periodStart: number | null,
    refillAmount: number | null,
  ): Promise<{ taken: boolean; remaining: number } | null>;
  peekCredits(id: string, periodStart: number | null, refillAmount: number | null): Promise<number | null>;
  refundCredits(id: string, cost: number): Promise<void>;
}

type Budgets = { spec: BudgetSpec; state: BudgetState }[];

interface BudgetSubject {
  subject: string;
  spec: BudgetSpec;
  context: SpendContext;
}

/**
 * A metered key's budgets with their subjects (`key:…`, `project:…`), built on its first
 * verification rather than on each: a MeteredKey is built once per cache entry and never
 * changed (a change to the key or project drops the entry and builds a new one).
 */
const budgetSubjects = new WeakMap<MeteredKey, BudgetSubject[]>();

function subjectsOf(key: MeteredKey): BudgetSubject[] {
  let subjects = budgetSubjects.get(key);
  if (subjects === undefined) {
    subjects = [];
    const context = { projectId: key.projectId, keyId: key.keyId };
    if (key.keyBudget) subjects.push({ subject: `key:${key.keyId}`, spec: key.keyBudget, context });
    if (key.projectBudget) {
      subjects.push({
        subject: `project:${key.projectId}`,
        spec: key.projectBudget,
        context: { projectId: key.projectId, keyId: null },
      });
    }
    budgetSubjects.set(key, subjects);
  }
  return subjects;
}

/**
 * The metering checks that follow the free ones, in SPEC order: rate limits, then credits, then
 * budgets. Each consumes only when every earlier check passed: a RATE_LIMITED call takes no
 * credit or spend, and a call over budget takes no credit.
 */
export class Meter {
  constructor(
    private readonly rateLimits: RateLimitStore,
    private readonly ledger: CreditLedger,
    private readonly budgets: BudgetTracker,
    /** Identities' credit pools (`store.identities`); without it a pool is never drawn from. */
    private readonly pools: CreditLedger | null = null,
  ) {}

  check(key: MeteredKey, cost: number, now: number): MeterOutcome | Promise<MeterOutcome> {
    if (key.windows.length === 0) return this.sharedLimits(key, cost, now, []);
    const decision = this.rateLimits.consume(key.keyId, key.windows, 1, now);
    return decision instanceof Promise
      ? decision.then((d) => this.afterOwnLimits(key, cost, now, d))
      : this.afterOwnLimits(key, cost, now, decision);
  }

  private afterOwnLimits(
    key: MeteredKey,
    cost: number,
    now: number,
    decision: RateLimitDecision,
  ): MeterOutcome | Promise<MeterOutcome> {
    const ratelimits = views(decision, key.windows);
    if (!decision.allowed) return this.limited(ratelimits, decision);
    return this.sharedLimits(key, cost, now, ratelimits);
  }

  /**
   * The identity's windows, after the key's own passed: counted under the identity's id, so every
   * key of the identity (on every node sharing the store) draws from the same counters. A call
   * the identity refuses has still been counted in the key's own windows, as a refused call is.
   */
  private sharedLimits(
    key: MeteredKey,
    cost: number,
    now: number,
    own: RateLimitView[],
  ): MeterOutcome | Promise<MeterOutcome> {
    const identity = key.identity;
    if (!identity || identity.windows.length === 0) return this.afterRateLimits(key, cost, now, own);
    const decision = this.rateLimits.consume(identity.id, identity.windows, 1, now);
    const then = (d: RateLimitDecision): MeterOutcome | Promise<MeterOutcome> => {
      const shared = views(d, identity.windows);
      const ratelimits = own.length === 0 ? shared : [...own, ...shared];
      if (!d.allowed) return this.limited(ratelimits, d);
      return this.afterRateLimits(key, cost, now, ratelimits);
    };
    return decision instanceof Promise ? decision.then(then) : then(decision);
  }

  private limited(ratelimits: RateLimitView[], decision: RateLimitDecision): MeterOutcome {
    const blocking = decision.windows.filter((w) => w.remaining < 1).map((w) => w.resetAt);
    return this.outcome("RATE_LIMITED", ratelimits, null, null, 0, Math.min(...blocking), decision.degraded);
  }

  private afterRateLimits(
    key: MeteredKey,
    cost: number,
    now: number,
    ratelimits: RateLimitView[],
  ): MeterOutcome | Promise<MeterOutcome> {
    const budgets = this.loadBudgets(key, now);
    return budgets instanceof Promise
      ? budgets.then((b) => this.afterBudgetsLoaded(key, cost, now, ratelimits, b))
      : this.afterBudgetsLoaded(key, cost, now, ratelimits, budgets);
  }

  private afterBudgetsLoaded(
    key: MeteredKey,
    cost: number,
    now: number,
    ratelimits: RateLimitView[],
    budgets: Budgets,
  ): MeterOutcome | Promise<MeterOutcome> {
    if (key.credits === null) {
      if (this.overBudget(budgets, cost))
        return this.outcome("BUDGET_EXCEEDED", ratelimits, null, budgets, 0, null);
      this.spend(budgets, cost);
      return this.outcome("VALID", ratelimits, null, budgets, cost, null);
    }
    return this.withCredits(key, cost, now, ratelimits, budgets);
  }

  private async withCredits(
    key: MeteredKey,
    cost: number,
    now: number,
    ratelimits: RateLimitView[],
    budgets: Budgets,
  ): Promise<MeterOutcome> {
    const refill = key.credits?.refill ?? null;
    const identityId = key.credits?.identityId ?? null;
    const ledger = identityId !== null && this.pools !== null ? this.pools : this.ledger;
    const creditId = identityId ?? key.keyId;
    const start = refill ? periodStart(refill.interval, now) : null;
    const amount = refill ? refill.amount : null;
    if (this.overBudget(budgets, cost)) {
      // Which answer comes first in SPEC order: credits, so look at them without taking any.
      const remaining = (await ledger.peekCredits(creditId, start, amount)) ?? 0;
      const code = remaining < cost ? "USAGE_EXCEEDED" : "BUDGET_EXCEEDED";
      return this.outcome(code, ratelimits, { remaining }, budgets, 0, null);
    }
    const taken = await ledger.consumeCredits(creditId, cost, start, amount);
    if (taken === null || !taken.taken) {
      return this.outcome(
        "USAGE_EXCEEDED",
        ratelimits,
        { remaining: taken?.remaining ?? 0 },
        budgets,
        0,
        null,
      );
    }
    // Other calls may have spent while this one waited for its credits.
    if (this.overBudget(budgets, cost)) {
      await ledger.refundCredits(creditId, cost);
      return this.outcome(
        "BUDGET_EXCEEDED",
        ratelimits,
        { remaining: taken.remaining + cost },
        budgets,
        0,
        null,
      );
    }
    this.spend(budgets, cost);
    return this.outcome("VALID", ratelimits, { remaining: taken.remaining }, budgets, cost, null);
  }

  private loadBudgets(key: MeteredKey, now: number): Budgets | Promise<Budgets> {
    const subjects = subjectsOf(key);
    if (subjects.length === 0) return [];
    const states = subjects.map(({ subject, spec, context }) =>
      this.budgets.state(subject, spec, now, context),
    );
    const pair = (resolved: BudgetState[]): Budgets =>
      resolved.map((state, i) => ({ spec: (subjects[i] as BudgetSubject).spec, state }));
    return states.some((s) => s instanceof Promise)
      ? Promise.all(states).then(pair)
      : pair(states as BudgetState[]);
  }

  private overBudget(budgets: Budgets, cost: number): boolean {
    return budgets.some((b) => this.budgets.wouldExceed(b.state, b.spec, cost));
  }

  private spend(budgets: Budgets, cost: number): void {
    for (const b of budgets) this.budgets.add(b.state, b.spec, cost);
  }

  private outcome(
    code: VerifyCode,
    ratelimits: RateLimitView[],
    credits: { remaining: number } | null,
    budgets: Budgets | null,
    spend: number,
    retryAt: number | null,
    degraded = false,
  ): MeterOutcome {
    // The key's own budget is the one shown; the project's when the key has none.
    const shown = budgets?.[0];
    return {
      code,
      ratelimits,
      credits,
      budget: shown ? this.budgets.view(shown.state, shown.spec) : null,
      spend,
      retryAt,
      degraded: degraded || ratelimits.some((w) => w.remaining === null),
    };
  }
}

function views(decision: RateLimitDecision, windows: readonly RateLimitWindow[]): RateLimitView[] {
  // A decision the store could not make counted nothing: its `remaining` would be a guess.
  const unknown = decision.degraded === true;
  return decision.windows.map((w, i) => ({
    name: w.name,
    limit: w.limit,
    remaining: unknown ? null : w.remaining,
    // Every verification in a window answers the same reset: its text is kept, not rebuilt.
    reset: isoTime(w.resetAt),
    durationMs: (windows[i] as RateLimitWindow).durationMs,
  }));
}
