/*
 * Hand-written, not `ms` (the usual library): the SPEC's durations are a whole number and a unit
 * (`30s`, `15m`, `24h`, `7d`) or integer milliseconds, and the same pattern is the OpenAPI
 * schema's (DURATION_PATTERN). Measured with ms 2.1.3: it also takes "1.5h" (5400000),
 * "10 minutes", "-1d" (-86400000), "1y", "30S" and the unitless string "100", each of which
 * keysmith refuses; and it has no upper bound (MAX_DURATION_MS). Putting the pattern in front of
 * it would leave ms a table lookup and a multiplication, which is all this is.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration as the API accepts it: `"30s"`, `"15m"`, `"24h"`, `"7d"`, or integer milliseconds. */
export type Duration = string | number;

/** The longest duration any setting takes: 10 years (of 365.25 days). */
export const MAX_DURATION_MS = 315_576_000_000;

export const DURATION_PATTERN = "^[0-9]{1,10}(ms|s|m|h|d|w)$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

/**
 * Milliseconds for a duration, or `null` when it is not one or is longer than
 * {@link MAX_DURATION_MS} (a bound that also keeps every `now + duration` a valid date).
 *
 * @example parseDuration("15m") // 900000
 */
export function parseDuration(value: Duration): number | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 && value <= MAX_DURATION_MS ? value : null;
  }
  const match = DURATION_RE.exec(value);
  if (!match) return null;
  const unit = match[1] as string;
  const ms = Number(value.slice(0, value.length - unit.length)) * (UNIT_MS[unit] as number);
  return ms <= MAX_DURATION_MS ? ms : null;
}
