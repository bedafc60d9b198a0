import type { VerifyCode } from "@keysmith/core";
import { periodStart } from "../domain/periods.js";
import type { RateLimitDecision, RateLimitStore, RateLimitWindow } from "../domain/rate-limit.js";
import type { BudgetSpec } from "../domain/records.js";
import type { BudgetState, BudgetTracker, BudgetView } from "./budgets.js";

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
  credits: { refill: { amount: number; interval: "day" | "month" } | null } | null;
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
  ) {}

  check(key: MeteredKey, cost: number, now: number): MeterOutcome | Promise<MeterOutcome> {
    if (key.windows.length === 0) return this.afterRateLimits(key, cost, now, null);
    const decision = this.rateLimits.consume(key.keyId, key.windows, 1, now);
    return decision instanceof Promise
      ? decision.then((d) => this.afterRateLimits(key, cost, now, d))
      : this.afterRateLimits(key, cost, now, decision);
  }

  private afterRateLimits(
    key: MeteredKey,
    cost: number,
    now: number,
    decision: RateLimitDecision | null,
  ): MeterOutcome | Promise<MeterOutcome> {
    const ratelimits = decision === null ? [] : views(decision, key.windows);
    if (decision !== null && !decision.allowed) {
      const blocking = decision.windows.filter((w) => w.remaining < 1).map((w) => w.resetAt);
      return this.outcome(
        "RATE_LIMITED",
        ratelimits,
        null,
        null,
        0,
        Math.min(...blocking),
        decision.degraded,
      );
    }
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
    const start = refill ? periodStart(refill.interval, now) : null;
    const amount = refill ? refill.amount : null;
    if (this.overBudget(budgets, cost)) {
      // Which answer comes first in SPEC order: credits, so look at them without taking any.
      const remaining = (await this.ledger.peekCredits(key.keyId, start, amount)) ?? 0;
      const code = remaining < cost ? "USAGE_EXCEEDED" : "BUDGET_EXCEEDED";
      return this.outcome(code, ratelimits, { remaining }, budgets, 0, null);
    }
    const taken = await this.ledger.consumeCredits(key.keyId, cost, start, amount);
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
      await this.ledger.refundCredits(key.keyId, cost);
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
    const specs: [string, BudgetSpec][] = [];
    if (key.keyBudget) specs.push([`key:${key.keyId}`, key.keyBudget]);
    if (key.projectBudget) specs.push([`project:${key.projectId}`, key.projectBudget]);
    if (specs.length === 0) return [];
    const states = specs.map(([subject, spec]) =>
      this.budgets.state(subject, spec, now, {
        projectId: key.projectId,
        keyId: subject.startsWith("key:") ? key.keyId : null,
      }),
    );
    const pair = (resolved: BudgetState[]): Budgets =>
      resolved.map((state, i) => ({ spec: (specs[i] as [string, BudgetSpec])[1], state }));
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
    reset: new Date(w.resetAt).toISOString(),
    durationMs: (windows[i] as RateLimitWindow).durationMs,
  }));
}
