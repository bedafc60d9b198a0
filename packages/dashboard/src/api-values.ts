import { ALERT_EVENTS, VERIFY_CODES } from "@keysmith/core/vocabulary";
import type { AlertType, UsageOutcome } from "@keysmith/sdk";

// The API's enumerations the dashboard needs as values (filters, chart series), from the core;
// their types come from @keysmith/sdk (the server's OpenAPI document), so a value added or
// renamed on either side fails the dashboard's typecheck here.

/** Every outcome a usage bucket counts, in the API's order: a key's own checks (no MALFORMED or NOT_FOUND). */
export const KEY_OUTCOMES = VERIFY_CODES.filter(
  (code): code is Exclude<(typeof VERIFY_CODES)[number], "MALFORMED" | "NOT_FOUND"> =>
    code !== "MALFORMED" && code !== "NOT_FOUND",
);

export { ALERT_EVENTS };

/** Compile only while the lists above and the API's types name the same values. */
type OutcomeValue = (typeof KEY_OUTCOMES)[number];
type AlertValue = (typeof ALERT_EVENTS)[number];
const sameOutcomes: [Exclude<UsageOutcome, OutcomeValue>, Exclude<OutcomeValue, UsageOutcome>] extends [
  never,
  never,
]
  ? true
  : never = true;
const sameAlertTypes: [Exclude<AlertType, AlertValue>, Exclude<AlertValue, AlertType>] extends [never, never]
  ? true
  : never = true;
void sameOutcomes;
void sameAlertTypes;
