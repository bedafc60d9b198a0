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

export const DURATION_PATTERN = "^[0-9]{1,10}(ms|s|m|h|d|w)$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

/**
 * Milliseconds for a duration, or `null` when it is not one.
 *
 * @example parseDuration("15m") // 900000
 */
export function parseDuration(value: Duration): number | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  }
  const match = DURATION_RE.exec(value);
  if (!match) return null;
  const unit = match[1] as string;
  return Number(value.slice(0, value.length - unit.length)) * (UNIT_MS[unit] as number);
}
