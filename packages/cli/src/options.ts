import { parseDuration } from "@keysmith/core";
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

/** A JSON object (or `null`). */
export function jsonObject(value: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"plan":"pro"}\'.');
  }
  if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
    throw new InvalidArgumentError("expected a JSON object.");
  }
  return parsed as Record<string, unknown> | null;
}
