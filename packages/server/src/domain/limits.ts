import { KeysmithError, parseDuration } from "@keysmith/core";
import type { RateLimitWindow } from "./rate-limit.js";
import type { BudgetSpec, CreditsState, ProjectMetering, RateLimitSpec } from "./records.js";

export const DEFAULT_THRESHOLDS = [0.8, 1];
const MAX_WINDOW_MS = 31 * 86_400_000;

/** Windows for a key: its own, else its project's defaults, else none. */
export function effectiveWindows(own: RateLimitSpec[] | null, project: ProjectMetering): RateLimitWindow[] {
  const specs = own ?? project.defaultRatelimits ?? [];
  return specs.map((s) => ({
    name: s.name,
    limit: s.limit,
    durationMs: parseDuration(s.duration) as number,
  }));
}

/** Checks rate-limit specs: durations that parse (INVALID_DURATION), unique names (VALIDATION_ERROR). */
export function checkRatelimits(specs: RateLimitSpec[] | null | undefined, field = "ratelimits"): void {
  if (!specs) return;
  const names = new Set<string>();
  for (const spec of specs) {
    const ms = parseDuration(spec.duration);
    if (ms === null || ms < 1000 || ms > MAX_WINDOW_MS) {
      throw new KeysmithError(
        "INVALID_DURATION",
        `Rate-limit window "${spec.name}" needs a duration from 1s to 31d.`,
        { field },
      );
    }
    if (names.has(spec.name)) {
      throw new KeysmithError("VALIDATION_ERROR", `Rate-limit window names must be unique: "${spec.name}".`, {
        field,
      });
    }
    names.add(spec.name);
  }
}

/** Fills budget defaults (month, 80% and 100%, hard cap) and checks thresholds. */
export function normalizeBudget(
  budget: Partial<BudgetSpec> & { limit: number },
  field = "budget",
): BudgetSpec {
  const thresholds = [...new Set(budget.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
  if (thresholds.some((t) => !(t > 0 && t <= 1))) {
    throw new KeysmithError("VALIDATION_ERROR", "Budget thresholds are fractions in (0, 1].", { field });
  }
  return {
    limit: budget.limit,
    period: budget.period ?? "month",
    thresholds,
    hardCap: budget.hardCap ?? true,
  };
}

/** Credits as created or patched: a balance, an optional refill; the period starts now. */
export function initialCredits(
  credits: { remaining: number; refill?: CreditsState["refill"] | undefined },
  now: number,
): CreditsState {
  return { remaining: credits.remaining, refill: credits.refill ?? null, refilledAt: now };
}

/**
 * The price of one verification: the request's `cost`, else the sum of the cost table's prices
 * for the requested scopes it lists, else its `*` entry, else 1.
 */
export function priceOf(
  cost: number | undefined,
  scopes: readonly string[] | string | undefined,
  costTable: Record<string, number> | null | undefined,
): number {
  if (cost !== undefined) return cost;
  if (!costTable) return 1;
  let sum = 0;
  let matched = false;
  const list = typeof scopes === "string" ? [scopes] : (scopes ?? []);
  for (const scope of list) {
    const price = costTable[scope];
    if (price !== undefined) {
      sum += price;
      matched = true;
    }
  }
  if (matched) return sum;
  return costTable["*"] ?? 1;
}
