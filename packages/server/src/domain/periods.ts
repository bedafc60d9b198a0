/** Budget and refill periods, in UTC: a day starts at 00:00, a month on its first day. */
export type Period = "day" | "month";

function startOf(period: Period, now: number): number {
  const d = new Date(now);
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function endOf(period: Period, start: number): number {
  const d = new Date(start);
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

// The current day and month: metered verifications ask for them on every call, and a Date
// with its UTC fields costs more than the rest of a budget check.
const current: Record<Period, { start: number; end: number }> = {
  day: { start: 0, end: 0 },
  month: { start: 0, end: 0 },
};

export function periodStart(period: Period, now: number): number {
  const span = current[period];
  if (now >= span.start && now < span.end) return span.start;
  const start = startOf(period, now);
  span.start = start;
  span.end = endOf(period, start);
  return start;
}

export function periodEnd(period: Period, now: number): number {
  const span = current[period];
  if (now >= span.start && now < span.end) return span.end;
  return endOf(period, startOf(period, now));
}

const isoTexts = new Map<number, string>();

/**
 * `new Date(ms).toISOString()`, kept for times answered again and again (a window's reset, a
 * budget period's end); at most 4,096 are kept.
 */
export function isoTime(ms: number): string {
  let iso = isoTexts.get(ms);
  if (iso === undefined) {
    if (isoTexts.size >= 4096) isoTexts.clear();
    iso = new Date(ms).toISOString();
    isoTexts.set(ms, iso);
  }
  return iso;
}
