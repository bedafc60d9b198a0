import { KeysmithError } from "@keysmith/core";
import { isoTime, periodEnd, periodStart } from "../domain/periods.js";
import type { BudgetSpec, SpendRow } from "../domain/records.js";
import type { AlertSink } from "./alert-sink.js";

export interface BudgetState {
  subject: string;
  periodStart: number;
  /** Spend this period: the database's total when last read plus what this node added since. */
  spent: number;
  /** Added here and not yet written. */
  unflushed: number;
  /** The budget this subject was last checked against, for alerts found on a refresh. */
  budget: BudgetSpec;
  projectId: string;
  keyId: string | null;
}

export interface BudgetSource {
  getSpend(subject: string, periodStart: number): Promise<number>;
  /** Adds the amounts and answers each subject's new total (every node's spend). */
  addSpend(rows: readonly SpendRow[]): Promise<SpendRow[]>;
  /** Current totals, for subjects this node has nothing to add to. */
  getSpends(keys: readonly { subject: string; periodStart: number }[]): Promise<SpendRow[]>;
}

export interface BudgetView {
  spent: number;
  limit: number;
  period: string;
  resetAt: string;
}

export interface BudgetTrackerOptions {
  /**
   * Other nodes may spend against the same budgets (a shared Postgres). While this node cannot
   * write and read back spend, a hard-capped budget then answers STORE_UNAVAILABLE rather than
   * risk passing its cap on spend it cannot see; on a single node its view stays exact.
   */
  shared?: boolean;
}

export interface SpendContext {
  projectId: string;
  keyId: string | null;
}

/**
 * Spend per budget subject (`key:<id>`, `project:<id>`) and period, held in memory so the verify
 * path never waits on a write, and added to the database in batches. Every flush also reads
 * back the totals, so each node's view includes every other node's spend within one flush
 * interval. Threshold alerts carry an idempotency key per subject, period and threshold, so each
 * fires once per period, across restarts and nodes — whichever node sees the crossing first.
 */
export class BudgetTracker {
  private readonly states = new Map<string, BudgetState>();
  private readonly loading = new Map<string, Promise<BudgetState>>();
  /** States of finished periods whose spend is not written yet. */
  private parked: BudgetState[] = [];

  /** Set while the last flush failed: other nodes' spend since then is unknown. */
  private unsynced = false;
  private readonly shared: boolean;

  constructor(
    private readonly source: BudgetSource,
    private readonly alerts: AlertSink,
    private readonly onError: (error: unknown) => void = () => {},
    options: BudgetTrackerOptions = {},
  ) {
    this.shared = options.shared ?? false;
  }

  /** The subject's state for the current period, loading it once if this node has not yet. */
  state(
    subject: string,
    budget: BudgetSpec,
    now: number,
    context: SpendContext,
  ): BudgetState | Promise<BudgetState> {
    // Err on the side of refusing: the cap cannot be checked against other nodes' spend.
    if (this.unsynced && this.shared && budget.hardCap) throw new KeysmithError("STORE_UNAVAILABLE");
    const start = periodStart(budget.period, now);
    const known = this.states.get(subject);
    // A clock stepping back keeps counting in the newer period.
    if (known !== undefined && known.periodStart >= start) {
      known.budget = budget;
      return known;
    }
    const key = `${subject}@${start}`;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.source.getSpend(subject, start).then(
      (spent) => {
        this.loading.delete(key);
        const current = this.states.get(subject);
        if (current && current.periodStart >= start) return current;
        if (current && current.unflushed > 0) this.parked.push(current);
        const state: BudgetState = {
          subject,
          periodStart: start,
          spent,
          unflushed: 0,
          budget,
          projectId: context.projectId,
          keyId: context.keyId,
        };
        this.states.set(subject, state);
        return state;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, load);
    return load;
  }

  /** True when `cost` more would pass a hard-capped limit. */
  wouldExceed(state: BudgetState, budget: BudgetSpec, cost: number): boolean {
    return budget.hardCap && state.spent + cost > budget.limit;
  }

  /** Adds spend and raises each threshold it crosses. */
  add(state: BudgetState, budget: BudgetSpec, cost: number): void {
    if (cost === 0) return;
    const before = state.spent;
    state.spent += cost;
    state.unflushed += cost;
    this.crossings(state, budget, before);
  }

  private crossings(state: BudgetState, budget: BudgetSpec, before: number): void {
    for (const threshold of budget.thresholds) {
      const mark = threshold * budget.limit;
      if (before < mark && state.spent >= mark) this.crossed(state, budget, threshold);
    }
  }

  private crossed(state: BudgetState, budget: BudgetSpec, threshold: number): void {
    const data = {
      subject: state.subject,
      threshold,
      spent: state.spent,
      limit: budget.limit,
      period: budget.period,
      periodStart: new Date(state.periodStart).toISOString(),
      hardCap: budget.hardCap,
    };
    const base = `${state.subject}:${state.periodStart}`;
    const raise = (type: string, idempotencyKey: string) =>
      this.alerts
        .raise({ type, projectId: state.projectId, keyId: state.keyId, data, idempotencyKey })
        .catch(this.onError);
    void raise("budget.threshold", `budget.threshold:${base}:${threshold}`);
    if (threshold >= 1) void raise("budget.exhausted", `budget.exhausted:${base}`);
  }

  view(state: BudgetState, budget: BudgetSpec): BudgetView {
    return {
      spent: state.spent,
      limit: budget.limit,
      period: budget.period,
      resetAt: isoTime(periodEnd(budget.period, state.periodStart)),
    };
  }

  /** Writes spend added since the last flush and reads back every node's totals. */
  async flush(): Promise<void> {
    const written: BudgetState[] = [];
    const rows: SpendRow[] = [];
    for (const state of [...this.parked, ...this.states.values()]) {
      if (state.unflushed === 0) continue;
      rows.push({ subject: state.subject, periodStart: state.periodStart, amount: state.unflushed });
      written.push(state);
    }
    const amounts = written.map((s) => s.unflushed);
    for (const state of written) state.unflushed = 0;
    this.parked = [];
    let totals: SpendRow[];
    try {
      totals = rows.length ? await this.source.addSpend(rows) : [];
    } catch (error) {
      this.unsynced = true;
      // Kept for the next flush: finished periods go back to `parked`, where nothing else keeps them.
      written.forEach((state, i) => {
        state.unflushed += amounts[i] as number;
        if (this.states.get(state.subject) !== state && !this.parked.includes(state)) this.parked.push(state);
      });
      throw error;
    }
    const untouched = [...this.states.values()].filter((s) => !written.includes(s));
    try {
      if (untouched.length) totals = totals.concat(await this.source.getSpends(untouched));
    } catch (error) {
      this.unsynced = true;
      throw error;
    }
    this.unsynced = false;
    for (const total of totals) {
      const state = this.states.get(total.subject);
      if (!state || state.periodStart !== total.periodStart) continue;
      // What this node added while the write was in flight is not in the total yet.
      const before = state.spent;
      state.spent = Math.max(state.spent, total.amount + state.unflushed);
      this.crossings(state, state.budget, before);
    }
  }
}
