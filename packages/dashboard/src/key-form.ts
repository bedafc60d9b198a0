import type { Key as ApiKey, KeyEnvironment as Environment, KeyType, Period } from "@keysmith/sdk";
import { formatDuration, fromLocalInput, splitLines, splitList, toLocalInput } from "./format";

/** The create and edit forms' fields, as text the inputs hold. */
export interface KeyFormState {
  type: KeyType;
  environment: Environment;
  name: string;
  ownerId: string;
  scopes: string;
  allowedOrigins: string;
  allowedIps: string;
  /** A `datetime-local` value, in the viewer's zone. */
  expiresAt: string;
  enabled: boolean;
  ratelimits: { name: string; limit: string; duration: string }[];
  creditsRemaining: string;
  refillAmount: string;
  refillInterval: "" | Period;
  budgetLimit: string;
  budgetPeriod: Period;
  /** Percentages: `80, 100`. */
  budgetThresholds: string;
  budgetHardCap: boolean;
  meta: string;
}

export type FormResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> };

export const DURATION = /^[0-9]{1,10}(ms|s|m|h|d|w)$/;

export function emptyKeyForm(environment: Environment = "live"): KeyFormState {
  return {
    type: "secret",
    environment,
    name: "",
    ownerId: "",
    scopes: "",
    allowedOrigins: "",
    allowedIps: "",
    expiresAt: "",
    enabled: true,
    ratelimits: [],
    creditsRemaining: "",
    refillAmount: "",
    refillInterval: "",
    budgetLimit: "",
    budgetPeriod: "month",
    budgetThresholds: "80, 100",
    budgetHardCap: true,
    meta: "",
  };
}

/** The form as it starts when editing `key`. */
/** A period as an answer states it (the OpenAPI types it as a string): `day`, else `month`. */
function period(value: string): Period {
  return value === "day" ? "day" : "month";
}

export function keyFormFrom(key: ApiKey): KeyFormState {
  return {
    type: key.type,
    environment: key.environment,
    name: key.name ?? "",
    ownerId: key.ownerId ?? "",
    scopes: key.scopes.join(" "),
    allowedOrigins: (key.allowedOrigins ?? []).join("\n"),
    allowedIps: (key.allowedIps ?? []).join("\n"),
    expiresAt: toLocalInput(key.expiresAt),
    enabled: key.enabled,
    ratelimits: (key.ratelimits ?? []).map((r) => ({
      name: r.name,
      limit: String(r.limit),
      duration: formatDuration(r.duration),
    })),
    creditsRemaining: key.credits ? String(key.credits.remaining) : "",
    refillAmount: key.credits?.refill ? String(key.credits.refill.amount) : "",
    refillInterval: key.credits?.refill ? period(key.credits.refill.interval) : "",
    budgetLimit: key.budget ? String(key.budget.limit) : "",
    budgetPeriod: period(key.budget?.period ?? "month"),
    budgetThresholds: (key.budget?.thresholds ?? [0.8, 1])
      .map((t) => String(Math.round(t * 1000) / 10))
      .join(", "),
    budgetHardCap: key.budget?.hardCap ?? true,
    meta: key.meta ? JSON.stringify(key.meta, null, 2) : "",
  };
}

const number = (text: string): number | null => {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
};

/**
 * The request body for the form, or the errors to show beside its fields. Create leaves out
 * what is empty (the server's defaults apply); edit sends null to clear a setting.
 */
export function keyFormToBody(state: KeyFormState, mode: "create" | "edit"): FormResult {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => {
    if (value === null || value === undefined) {
      if (mode === "edit") body[name] = null;
    } else body[name] = value;
  };

  if (mode === "create") {
    body.type = state.type;
    body.environment = state.environment;
  } else body.enabled = state.enabled;
  set("name", state.name.trim() || null);
  set("ownerId", state.ownerId.trim() || null);

  const scopes = splitList(state.scopes);
  if (mode === "edit" || scopes.length > 0) body.scopes = scopes;
  if (state.type === "restricted" && scopes.length === 0)
    errors.scopes = "A restricted key needs at least one scope.";

  const origins = splitLines(state.allowedOrigins);
  set("allowedOrigins", origins.length ? origins : null);
  if (state.type === "publishable" && origins.length === 0)
    errors.allowedOrigins = "A publishable key needs at least one allowed origin.";
  const ips = splitLines(state.allowedIps);
  set("allowedIps", ips.length ? ips : null);

  if (state.expiresAt) {
    const iso = fromLocalInput(state.expiresAt);
    if (iso === null) errors.expiresAt = "Not a date and time.";
    // An edit may keep a past expiry it did not touch; the server refuses a new one in the past.
    else if (mode === "create" && Date.parse(iso) <= Date.now())
      errors.expiresAt = "Pick a time in the future.";
    else body.expiresAt = iso;
  } else set("expiresAt", null);

  const limits = state.ratelimits.map((row, i) => {
    const limit = number(row.limit);
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(row.name))
      errors[`ratelimits.${i}.name`] = "Letters, digits, _ . - (up to 40).";
    if (limit === null || !Number.isInteger(limit) || limit < 1)
      errors[`ratelimits.${i}.limit`] = "A whole number of at least 1.";
    if (!DURATION.test(row.duration.trim())) errors[`ratelimits.${i}.duration`] = "Like 1s, 1m, 1h or 1d.";
    return { name: row.name, limit, duration: row.duration.trim() };
  });
  set("ratelimits", limits.length ? limits : null);

  const remaining = number(state.creditsRemaining);
  if (remaining === null) {
    set("credits", null);
    if (state.refillAmount.trim()) errors.creditsRemaining = "Set the credits a refill starts from.";
  } else if (Number.isNaN(remaining) || remaining < 0) errors.creditsRemaining = "A number of at least 0.";
  else {
    const amount = number(state.refillAmount);
    if (amount !== null && (Number.isNaN(amount) || amount < 0))
      errors.refillAmount = "A number of at least 0.";
    if (amount !== null && !state.refillInterval) errors.refillInterval = "Pick how often it refills.";
    body.credits = {
      remaining,
      refill: amount === null || !state.refillInterval ? null : { amount, interval: state.refillInterval },
    };
  }

  const budgetLimit = number(state.budgetLimit);
  if (budgetLimit === null) set("budget", null);
  else if (Number.isNaN(budgetLimit) || budgetLimit <= 0) errors.budgetLimit = "A number above 0.";
  else {
    const thresholds = splitList(state.budgetThresholds).map((t) => Number(t.replace(/%$/, "")) / 100);
    if (thresholds.length === 0 || thresholds.some((t) => !(t > 0 && t <= 1)))
      errors.budgetThresholds = "Percentages from 1 to 100, like 80, 100.";
    body.budget = {
      limit: budgetLimit,
      period: state.budgetPeriod,
      thresholds,
      hardCap: state.budgetHardCap,
    };
  }

  if (state.meta.trim()) {
    try {
      const meta: unknown = JSON.parse(state.meta);
      if (meta === null || typeof meta !== "object" || Array.isArray(meta))
        errors.meta = 'A JSON object, like {"plan": "pro"}.';
      else body.meta = meta;
    } catch {
      errors.meta = "Not valid JSON.";
    }
  } else set("meta", null);

  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body };
}

/** The fields of `next` that differ from `before`: an edit sends only what changed. */
export function changedFields(
  before: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(next)) {
    if (JSON.stringify(value) !== JSON.stringify(before[name])) changed[name] = value;
  }
  return changed;
}
