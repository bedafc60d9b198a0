import type { Budget, UsageGranularity as Granularity, UsageBucket } from "@keysmith/sdk";
import { KEY_OUTCOMES } from "./api-values";

/**
 * One colour per outcome, each at least 3:1 against white (WCAG 1.4.11) and told apart by the
 * legend and the table as well, never by colour alone.
 */
export const OUTCOME_COLORS: Record<string, string> = {
  VALID: "#0a7d4f",
  RATE_LIMITED: "#b35c00",
  USAGE_EXCEEDED: "#7b3fa0",
  BUDGET_EXCEEDED: "#c0262d",
  INSUFFICIENT_SCOPE: "#1f5fae",
  REVOKED: "#3d3d3d",
  EXPIRED: "#7a6400",
  DISABLED: "#6b6b6b",
  ORIGIN_NOT_ALLOWED: "#b0417a",
  IP_NOT_ALLOWED: "#00798c",
  ENVIRONMENT_MISMATCH: "#6e4b1f",
};

export interface Segment {
  outcome: string;
  count: number;
  /** Cumulative count below this segment. */
  from: number;
}

export interface Bar {
  start: string;
  total: number;
  spend: number;
  segments: Segment[];
}

export interface Stacked {
  bars: Bar[];
  /** The largest bucket total. */
  max: number;
  total: number;
  totals: Record<string, number>;
  /** Outcomes that occur in the range, in legend order. */
  present: string[];
}

/**
 * Usage buckets as stacked bars: outcomes in a fixed order (VALID at the bottom), empty ones
 * left out.
 */
/** A usage bucket read by outcome name: a newer server may count outcomes this build does not know. */
type Bucket = Omit<UsageBucket, "outcomes"> & { outcomes: Record<string, number> };

export function stackBuckets(buckets: readonly Bucket[]): Stacked {
  const order = [...KEY_OUTCOMES, ...new Set(buckets.flatMap((b) => Object.keys(b.outcomes)))].filter(
    (code, i, all) => all.indexOf(code) === i,
  );
  const totals: Record<string, number> = {};
  let max = 0;
  let total = 0;
  const bars = buckets.map((bucket) => {
    let from = 0;
    const segments: Segment[] = [];
    for (const outcome of order) {
      const count = bucket.outcomes[outcome] ?? 0;
      if (count <= 0) continue;
      segments.push({ outcome, count, from });
      from += count;
      totals[outcome] = (totals[outcome] ?? 0) + count;
    }
    max = Math.max(max, from);
    total += from;
    return { start: bucket.start, total: from, spend: bucket.spend, segments };
  });
  return { bars, max, total, totals, present: order.filter((o) => (totals[o] ?? 0) > 0) };
}

/**
 * The smallest 1, 2 or 5 × 10ⁿ at or above `max` (at least 1): a y-axis top with round ticks.
 *
 * @example niceMax(37) // 50
 */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

/** A bucket's start for an axis label: a time for minutes and hours, a date for days. */
export function bucketLabel(iso: string, granularity: Granularity): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (granularity === "day") return `${date.getMonth() + 1}/${date.getDate()}`;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Start of the budget period (`day`, else `month`) a time falls in, in UTC as keysmith counts it. */
export function periodStart(period: Budget["period"], now: number = Date.now()): Date {
  const date = new Date(now);
  return period === "day"
    ? new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
    : new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

/** Spend summed over the buckets that start in the period. */
export function spendSince(buckets: readonly Bucket[], since: Date): number {
  const from = since.getTime();
  return buckets.reduce((sum, b) => (Date.parse(b.start) >= from ? sum + b.spend : sum), 0);
}
