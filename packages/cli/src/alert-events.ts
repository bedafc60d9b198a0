import type { AlertType } from "@keysmith/sdk";

/**
 * The alert types as values, for `--type` and `--events` choices. The type comes from the SDK
 * (the server's OpenAPI document): a type added or renamed there fails the build here until this
 * list follows, and `webhooks.test.ts` checks the list against a running server.
 */
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

/** Compiles only while the list above names every alert type. */
const everyType: Exclude<AlertType, (typeof ALERT_EVENTS)[number]> extends never ? true : never = true;
void everyType;
