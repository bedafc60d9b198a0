import { describe, expect, it } from "vitest";
import type { AlertInput } from "./alert-sink.js";
import { BudgetTracker } from "./budgets.js";

function setup(stored = 0) {
  const alerts: AlertInput[] = [];
  const seen = new Set<string>();
  const written: { subject: string; periodStart: number; amount: number }[] = [];
  const tracker = new BudgetTracker(
    {
      getSpend: async () => stored,
      addSpend: async (rows) => {
        written.push(...rows);
        return rows.map((r) => ({ ...r, amount: stored + r.amount }));
      },
      getSpends: async () => [],
    },
    {
      // Like the alert service: one alert per idempotency key.
      raise: async (a) => {
        if (seen.has(a.idempotencyKey)) return false;
        seen.add(a.idempotencyKey);
        alerts.push(a);
        return true;
      },
    },
  );
  return { tracker, alerts, written };
}

const budget = { limit: 100, period: "month" as const, thresholds: [0.8, 1], hardCap: true };
const ctx = { projectId: "proj_1", keyId: "key_1" };
const now = Date.UTC(2026, 4, 15);

describe("BudgetTracker", () => {
  it("sees other nodes' spend after a flush and raises the thresholds it crossed", async () => {
    const alerts: { type: string; idempotencyKey: string }[] = [];
    let total = 0;
    const tracker = new BudgetTracker(
      {
        getSpend: async () => total,
        addSpend: async (rows) =>
          rows.map((r) => {
            total += r.amount;
            return { ...r, amount: total };
          }),
        getSpends: async (keys) => keys.map((k) => ({ ...k, amount: total })),
      },
      {
        raise: async (a) => {
          alerts.push(a);
          return true;
        },
      },
    );
    const state = await tracker.state("project:p", budget, now, { projectId: "p", keyId: null });
    tracker.add(state, budget, 40);
    total += 45; // another node's spend, flushed meanwhile
    await tracker.flush();
    expect(state.spent).toBe(85);
    expect(alerts.map((a) => a.type)).toEqual(["budget.threshold"]);
    expect(tracker.wouldExceed(state, budget, 16)).toBe(true);
  });

  it("fires each threshold once per period and budget.exhausted at 100%", async () => {
    const { tracker, alerts } = setup();
    const state = await tracker.state("key:key_1", budget, now, ctx);
    tracker.add(state, budget, 79);
    expect(alerts).toHaveLength(0);
    tracker.add(state, budget, 1);
    expect(alerts.map((a) => [a.type, a.data.threshold])).toEqual([["budget.threshold", 0.8]]);
    tracker.add(state, budget, 5);
    tracker.add(state, budget, 15);
    expect(alerts.map((a) => a.type)).toEqual(["budget.threshold", "budget.threshold", "budget.exhausted"]);
    expect(alerts[1]?.idempotencyKey).toBe(`budget.threshold:key:key_1:${Date.UTC(2026, 4, 1)}:1`);
  });

  it("does not fire again after a restart that reloads the spend", async () => {
    const first = setup();
    const state = await first.tracker.state("key:key_1", budget, now, ctx);
    first.tracker.add(state, budget, 85);
    await first.tracker.flush();
    expect(first.written).toEqual([{ subject: "key:key_1", periodStart: Date.UTC(2026, 4, 1), amount: 85 }]);
    const restarted = setup(85);
    const reloaded = await restarted.tracker.state("key:key_1", budget, now, ctx);
    expect(reloaded.spent).toBe(85);
    restarted.tracker.add(reloaded, budget, 1);
    expect(restarted.alerts).toHaveLength(0);
  });

  it("starts each period from nothing and refuses past a hard cap only", async () => {
    const { tracker } = setup();
    const state = await tracker.state("key:key_1", budget, now, ctx);
    tracker.add(state, budget, 100);
    expect(tracker.wouldExceed(state, budget, 1)).toBe(true);
    expect(tracker.wouldExceed(state, { ...budget, hardCap: false }, 1)).toBe(false);
    const next = await tracker.state("key:key_1", budget, Date.UTC(2026, 5, 1), ctx);
    expect(next.spent).toBe(0);
    expect(tracker.view(next, budget).resetAt).toBe("2026-07-01T00:00:00.000Z");
  });

  it("keeps unwritten spend when a write fails", async () => {
    const alerts = { raise: async () => true };
    let fail = true;
    const rows: unknown[] = [];
    const tracker = new BudgetTracker(
      {
        getSpend: async () => 0,
        addSpend: async (r) => {
          if (fail) throw new Error("db down");
          rows.push(...r);
          return [...r];
        },
        getSpends: async () => [],
      },
      alerts,
    );
    const state = await tracker.state("key:k", budget, now, ctx);
    tracker.add(state, budget, 7);
    await expect(tracker.flush()).rejects.toThrow("db down");
    fail = false;
    await tracker.flush();
    expect(rows).toEqual([{ subject: "key:k", periodStart: Date.UTC(2026, 4, 1), amount: 7 }]);
  });

  it("keeps spend made while the database is down and, when shared, refuses hard caps until it syncs", async () => {
    let down = false;
    const written: { subject: string; periodStart: number; amount: number }[] = [];
    const source = {
      getSpend: async () => 0,
      addSpend: async (rows: readonly { subject: string; periodStart: number; amount: number }[]) => {
        if (down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        written.push(...rows);
        return rows.map((r) => ({ ...r }));
      },
      getSpends: async () => [],
    };
    const alerts = { raise: async () => true };
    const shared = new BudgetTracker(source, alerts, () => {}, { shared: true });
    const single = new BudgetTracker(source, alerts, () => {});
    for (const tracker of [shared, single]) {
      const state = await tracker.state("key:key_1", budget, now, ctx);
      tracker.add(state, budget, 10);
    }
    down = true;
    await expect(shared.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(single.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(() => shared.state("key:key_1", budget, now, ctx)).toThrow(
      expect.objectContaining({ code: "STORE_UNAVAILABLE" }),
    );
    // Not hard-capped: only alerts depend on it, so it keeps counting.
    expect(shared.state("key:key_1", { ...budget, hardCap: false }, now, ctx)).toMatchObject({ spent: 10 });
    // One node alone sees every spend: its view stays exact.
    expect(single.state("key:key_1", budget, now, ctx)).toMatchObject({ spent: 10, unflushed: 10 });
    down = false;
    await shared.flush();
    await single.flush();
    expect(written).toEqual([
      { subject: "key:key_1", periodStart: Date.UTC(2026, 4, 1), amount: 10 },
      { subject: "key:key_1", periodStart: Date.UTC(2026, 4, 1), amount: 10 },
    ]);
    expect(shared.state("key:key_1", budget, now, ctx)).toMatchObject({ spent: 10, unflushed: 0 });
  });
});
