import type { AlertType, UsageOutcome } from "@keysmith/sdk";

// The API's enumerations the dashboard needs as values (filters, chart series). Their types come
// from @keysmith/sdk (the server's OpenAPI document): a value added or renamed there fails the
// dashboard's typecheck here until these lists follow.

/** Every outcome a usage bucket counts, in the API's order. */
export const KEY_OUTCOMES = [
  "VALID",
  "REVOKED",
  "EXPIRED",
  "DISABLED",
  "ORIGIN_NOT_ALLOWED",
  "IP_NOT_ALLOWED",
  "ENVIRONMENT_MISMATCH",
  "INSUFFICIENT_SCOPE",
  "RATE_LIMITED",
  "USAGE_EXCEEDED",
  "BUDGET_EXCEEDED",
] as const satisfies readonly UsageOutcome[];

/** Every alert type, for filters and webhook subscriptions. */
export const ALERT_EVENTS = [
  "budget.threshold",
  "budget.exhausted",
  "key.anomaly",
  "key.retry_storm",
  "key.leaked",
  "key.expiring",
  "key.rolled",
  "key.revoked",
  "secret.rotation_due",
] as const satisfies readonly AlertType[];

/** Compile only while the lists above name every value. */
const everyOutcome: Exclude<UsageOutcome, (typeof KEY_OUTCOMES)[number]> extends never ? true : never = true;
const everyAlertType: Exclude<AlertType, (typeof ALERT_EVENTS)[number]> extends never ? true : never = true;
void everyOutcome;
void everyAlertType;
