// The subpath loads no node:crypto: `--help` and client commands start faster.

import { parseDuration } from "@keysmith/core/duration";
import type { KeyCreate, Period, RateLimit } from "@keysmith/sdk";
import { InvalidArgumentError } from "commander";

/**
 * Parsers for option values. Each throws commander's `InvalidArgumentError`, which commander
 * reports as a usage error naming the option.
 */

/** `a,b , c` → `["a", "b", "c"]`. */
export function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A whole number from 1 up. */
export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError("expected a whole number from 1 up.");
  }
  return parsed;
}

/** A number from 0 up. */
export function nonNegativeNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError("expected a number from 0 up.");
  }
  return parsed;
}

/** A duration as the API takes it (`30s`, `15m`, `24h`, `7d`), returned as given. */
export function duration(value: string): string {
  if (parseDuration(value) === null) {
    throw new InvalidArgumentError("expected a duration such as 30s, 15m, 24h or 7d.");
  }
  return value;
}

/** A date or timestamp, returned as ISO 8601 UTC (`2026-01-31` → `2026-01-31T00:00:00.000Z`). */
export function timestamp(value: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError("expected an ISO 8601 date or timestamp, e.g. 2026-01-31T00:00:00Z.");
  }
  return new Date(ms).toISOString();
}

/**
 * What a parser returns for an explicit `null` (`--meta null`): commander turns a parser's
 * `null` into `""`, so null travels as this until the body is built (`nullable`).
 */
export const NULL = "null";

/** `NULL` back to `null`; anything else as it is. */
export function nullable<T>(value: T | typeof NULL): T | null {
  return value === NULL ? null : (value as T);
}

/** A JSON object, or `NULL` for `null`. */
export function jsonObject(value: string): Record<string, unknown> | typeof NULL {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"plan":"pro"}\'.');
  }
  if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
    throw new InvalidArgumentError("expected a JSON object.");
  }
  return parsed === null ? NULL : (parsed as Record<string, unknown>);
}

// ── metering ──────────────────────────────────────────────────────────────────────────────

/** A rate-limit window as the API takes it (the flags give its duration as text). */
export type RateLimitSpec = RateLimit & { duration: string };

export type { Period };

/** A budget as the flags give it; `--soft-cap` and `--thresholds` add the rest. */
export type BudgetSpec = Pick<NonNullable<KeyCreate["budget"]>, "limit" | "period">;

/** A credit refill as the API takes it. */
export type Refill = NonNullable<NonNullable<KeyCreate["credits"]>["refill"]>;

const AMOUNT = "[0-9]+(?:\\.[0-9]+)?";
const WINDOW_NAME = /^[A-Za-z0-9_.-]{1,40}$/;
const MIN_WINDOW_MS = 1000;
const MAX_WINDOW_MS = 31 * 86_400_000;

/**
 * One `--ratelimit name=LIMIT/DURATION`, added to the windows given before it (the option
 * repeats).
 *
 * @example ratelimit("burst=50/1s") // [{ name: "burst", limit: 50, duration: "1s" }]
 */
export function ratelimit(value: string, previous: RateLimitSpec[] = []): RateLimitSpec[] {
  const match = /^([^=]+)=([0-9]+)\/(.+)$/.exec(value.trim());
  const [, name = "", limitText = "", durationText = ""] = match ?? [];
  const ms = parseDuration(durationText);
  const limit = Number(limitText);
  if (!match || !WINDOW_NAME.test(name) || !Number.isSafeInteger(limit) || limit < 1 || ms === null) {
    throw new InvalidArgumentError("expected name=LIMIT/DURATION, e.g. burst=50/1s or daily=10000/1d.");
  }
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
    throw new InvalidArgumentError("a window lasts from 1s to 31d.");
  }
  if (previous.some((spec) => spec.name === name)) {
    throw new InvalidArgumentError(`the window name "${name}" is given twice.`);
  }
  return [...previous, { name, limit, duration: durationText }];
}

/** `--refill AMOUNT/day|month`, or `none` to drop a refill. */
export function refill(value: string): Refill | "none" {
  // Not null: commander turns a parser's null into "".
  if (value === "none") return "none";
  const match = new RegExp(`^(${AMOUNT})/(day|month)$`).exec(value.trim());
  if (!match)
    throw new InvalidArgumentError("expected AMOUNT/day or AMOUNT/month, e.g. 1000/month (or none).");
  return { amount: Number(match[1]), interval: match[2] as Period };
}

/** `--budget LIMIT[/day|month]`: a limit above 0, the period (server default month) if given. */
export function budget(value: string): BudgetSpec {
  const match = new RegExp(`^(${AMOUNT})(?:/(day|month))?$`).exec(value.trim());
  const limit = Number(match?.[1]);
  if (!match || !(limit > 0)) {
    throw new InvalidArgumentError("expected LIMIT or LIMIT/day or LIMIT/month, with LIMIT above 0.");
  }
  return match[2] === undefined ? { limit } : { limit, period: match[2] as Period };
}

/** `--thresholds 0.5,0.8,1`: 1-10 fractions in (0, 1]. */
export function thresholds(value: string): number[] {
  const items = list(value);
  const parsed = items.map(Number);
  const fraction = (text: string, n: number) => new RegExp(`^${AMOUNT}$`).test(text) && n > 0 && n <= 1;
  if (items.length === 0 || items.length > 10 || items.some((text, i) => !fraction(text, parsed[i] ?? 0))) {
    throw new InvalidArgumentError("expected 1-10 fractions in (0, 1], comma-separated, e.g. 0.5,0.8,1.");
  }
  return parsed;
}

/**
 * One `--cost scope=PRICE`, added to the prices given before it (the option repeats).
 *
 * @example cost("reports:generate=5") // { "reports:generate": 5 }
 */
export function cost(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const at = value.lastIndexOf("=");
  const scope = value.slice(0, at).trim();
  const priceText = value.slice(at + 1).trim();
  if (at < 1 || scope === "" || scope.length > 128 || !new RegExp(`^${AMOUNT}$`).test(priceText)) {
    throw new InvalidArgumentError("expected scope=PRICE, e.g. reports:generate=5 or *=1.");
  }
  if (Object.hasOwn(previous, scope)) {
    throw new InvalidArgumentError(`the scope "${scope}" is priced twice.`);
  }
  return { ...previous, [scope]: Number(priceText) };
}
