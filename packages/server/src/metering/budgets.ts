import type { BudgetSpec } from "../storage/records.js";
import type { AlertSink } from "./alert-sink.js";
import { periodEnd, periodStart } from "./periods.js";

export interface BudgetState {
  subject: string;
  periodStart: number;
  /** Spend this period: what the database held when loaded plus what this node added since. */
  spent: number;
  /** Added here and not yet written. */
  unflushed: number;
}

export interface BudgetSource {
  getSpend(subject: string, periodStart: number): Promise<number>;
  addSpend(rows: readonly { subject: string; periodStart: number; amount: number }[]): Promise<void>;
}

export interface BudgetView {
  spent: number;
  limit: number;
  period: string;
  resetAt: string;
}

/**
 * Spend per budget subject (`key:<id>`, `project:<id>`) and period, held in memory so the verify
 * path never waits on a write, and added to the database in batches. Threshold alerts carry an
 * idempotency key per subject, period and threshold, so each fires once per period, also across
 * restarts and nodes.
 */
export class BudgetTracker {
  private readonly states = new Map<string, BudgetState>();
  private readonly loading = new Map<string, Promise<BudgetState>>();
  /** States of finished periods whose spend is not written yet. */
  private parked: BudgetState[] = [];

  constructor(
    private readonly source: BudgetSource,
    private readonly alerts: AlertSink,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** The subject's state for the current period, loading it once if this node has not yet. */
  state(subject: string, budget: BudgetSpec, now: number): BudgetState | Promise<BudgetState> {
    const start = periodStart(budget.period, now);
    const known = this.states.get(subject);
    if (known !== undefined && known.periodStart === start) return known;
    if (known !== undefined && known.periodStart > start) return known; // a clock step back: keep counting
    const key = `${subject}@${start}`;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.source.getSpend(subject, start).then(
      (spent) => {
        this.loading.delete(key);
        const current = this.states.get(subject);
        // Keep what this node added while the load was in flight.
        const unflushed = current?.periodStart === start ? current.unflushed : 0;
        const state: BudgetState = { subject, periodStart: start, spent: spent + unflushed, unflushed };
        if (current && current.periodStart < start && current.unflushed > 0) this.parked.push(current);
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
  add(
    state: BudgetState,
    budget: BudgetSpec,
    cost: number,
    context: { projectId: string; keyId: string | null },
  ): void {
    if (cost === 0) return;
    const before = state.spent;
    state.spent += cost;
    state.unflushed += cost;
    for (const threshold of budget.thresholds) {
      const mark = threshold * budget.limit;
      if (before < mark && state.spent >= mark) this.crossed(state, budget, threshold, context);
    }
  }

  private crossed(
    state: BudgetState,
    budget: BudgetSpec,
    threshold: number,
    context: { projectId: string; keyId: string | null },
  ): void {
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
        .raise({ type, projectId: context.projectId, keyId: context.keyId, data, idempotencyKey })
        .catch(this.onError);
    void raise("budget.threshold", `budget.threshold:${base}:${threshold}`);
    if (threshold >= 1) void raise("budget.exhausted", `budget.exhausted:${base}`);
  }

  view(state: BudgetState, budget: BudgetSpec): BudgetView {
    return {
      spent: state.spent,
      limit: budget.limit,
      period: budget.period,
      resetAt: new Date(periodEnd(budget.period, state.periodStart)).toISOString(),
    };
  }

  /** Writes spend added since the last flush. */
  async flush(): Promise<void> {
    const rows: { subject: string; periodStart: number; amount: number }[] = [];
    const written: BudgetState[] = [];
    for (const state of [...this.parked, ...this.states.values()]) {
      if (state.unflushed === 0) continue;
      rows.push({ subject: state.subject, periodStart: state.periodStart, amount: state.unflushed });
      written.push(state);
    }
    if (rows.length === 0) return;
    const amounts = written.map((s) => s.unflushed);
    for (const state of written) state.unflushed = 0;
    this.parked = [];
    try {
      await this.source.addSpend(rows);
    } catch (error) {
      written.forEach((state, i) => {
        state.unflushed += amounts[i] as number;
      });
      throw error;
    }
  }
}
