import { describe, expect, it } from "vitest";
import { niceMax, periodStart, spendSince, stackBuckets } from "./chart";

const bucket = (start: string, outcomes: Record<string, number>, spend = 0) => ({ start, outcomes, spend });

describe("chart", () => {
  it("stacks outcomes in a fixed order, VALID at the bottom, empty ones left out", () => {
    const stacked = stackBuckets([
      bucket("2026-06-01T10:00:00Z", { RATE_LIMITED: 2, VALID: 5, REVOKED: 0 }),
      bucket("2026-06-01T11:00:00Z", { VALID: 0 }),
      bucket("2026-06-01T12:00:00Z", { INSUFFICIENT_SCOPE: 1, VALID: 1 }),
    ]);
    expect(stacked.bars[0]?.segments).toEqual([
      { outcome: "VALID", count: 5, from: 0 },
      { outcome: "RATE_LIMITED", count: 2, from: 5 },
    ]);
    expect(stacked.bars[1]?.segments).toEqual([]);
    expect(stacked.max).toBe(7);
    expect(stacked.total).toBe(9);
    expect(stacked.totals).toEqual({ VALID: 6, RATE_LIMITED: 2, INSUFFICIENT_SCOPE: 1 });
    expect(stacked.present).toEqual(["VALID", "INSUFFICIENT_SCOPE", "RATE_LIMITED"]);
  });

  it("keeps outcomes it does not know, after the known ones", () => {
    expect(stackBuckets([bucket("2026-06-01T10:00:00Z", { NEW_CODE: 1, VALID: 1 })]).present).toEqual([
      "VALID",
      "NEW_CODE",
    ]);
  });

  it("rounds the axis up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 37, 100, 101, 4200].map(niceMax)).toEqual([1, 1, 5, 10, 50, 100, 200, 5000]);
  });

  it("sums spend since the start of the budget period, in UTC", () => {
    const now = Date.parse("2026-06-15T08:00:00Z");
    expect(periodStart("month", now).toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(periodStart("day", now).toISOString()).toBe("2026-06-15T00:00:00.000Z");
    const buckets = [
      bucket("2026-05-31T00:00:00Z", {}, 100),
      bucket("2026-06-01T00:00:00Z", {}, 7),
      bucket("2026-06-15T00:00:00Z", {}, 3.5),
    ];
    expect(spendSince(buckets, periodStart("month", now))).toBe(10.5);
  });
});
