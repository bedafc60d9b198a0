/** Budget and refill periods, in UTC: a day starts at 00:00, a month on its first day. */
export type Period = "day" | "month";

export function periodStart(period: Period, now: number): number {
  const d = new Date(now);
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function periodEnd(period: Period, now: number): number {
  const d = new Date(periodStart(period, now));
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
