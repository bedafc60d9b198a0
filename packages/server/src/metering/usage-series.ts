import { KeysmithError, VERIFY_CODES, type VerifyCode } from "@keysmith/core";

export type Granularity = "minute" | "hour" | "day";

const STEP: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** The range a request covers when it names none. */
const DEFAULT_SPAN: Record<Granularity, number> = {
  minute: 3_600_000,
  hour: 86_400_000,
  day: 30 * 86_400_000,
};
const MAX_BUCKETS = 2000;
/** Codes a key's usage can show: the two that come before any key is found never do. */
export const KEY_CODES = VERIFY_CODES.filter((c) => c !== "MALFORMED" && c !== "NOT_FOUND");

export interface UsageBucket {
  start: string;
  outcomes: Record<string, number>;
  spend: number;
}

/** Aligns a requested range to whole buckets; refuses more than 2,000 of them. */
export function usageRange(
  granularity: Granularity,
  now: number,
  from?: number,
  to?: number,
): { from: number; to: number } {
  const step = STEP[granularity];
  const end = to ?? now + 1;
  const start = from ?? end - DEFAULT_SPAN[granularity];
  const alignedFrom = start - (start % step);
  const alignedTo = end % step === 0 ? end : end - (end % step) + step;
  if (alignedTo <= alignedFrom)
    throw new KeysmithError("UNPROCESSABLE", "`to` must be after `from`.", { field: "to" });
  if ((alignedTo - alignedFrom) / step > MAX_BUCKETS) {
    throw new KeysmithError(
      "UNPROCESSABLE",
      `That range holds more than ${MAX_BUCKETS} ${granularity} buckets; narrow it or use a coarser granularity.`,
      { field: "from" },
    );
  }
  return { from: alignedFrom, to: alignedTo };
}

/**
 * Minute rows summed into buckets, every bucket of the range present (zero where nothing
 * happened), each with every outcome code a key can have.
 */
export function toSeries(
  rows: readonly { minute: number; code: string; count: number; spend: number }[],
  granularity: Granularity,
  range: { from: number; to: number },
): UsageBucket[] {
  const step = STEP[granularity];
  const buckets: UsageBucket[] = [];
  for (let t = range.from; t < range.to; t += step) {
    buckets.push({
      start: new Date(t).toISOString(),
      outcomes: Object.fromEntries(KEY_CODES.map((c) => [c, 0])),
      spend: 0,
    });
  }
  for (const row of rows) {
    const bucket = buckets[Math.floor((row.minute - range.from) / step)];
    if (!bucket) continue;
    bucket.outcomes[row.code as VerifyCode] = (bucket.outcomes[row.code as VerifyCode] ?? 0) + row.count;
    bucket.spend += row.spend;
  }
  return buckets;
}
