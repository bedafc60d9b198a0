import { ALERT_EVENTS } from "@keysmith/core";
import type { AlertType } from "@keysmith/sdk";

/**
 * The alert types as values, for `--type` and `--events` choices: the core's list, checked
 * against the SDK's type (the server's OpenAPI document), so the two cannot drift apart.
 */
export { ALERT_EVENTS };

/** Compiles only while the core's list and the API's type name the same alert types. */
const same: [
  Exclude<AlertType, (typeof ALERT_EVENTS)[number]>,
  Exclude<(typeof ALERT_EVENTS)[number], AlertType>,
] extends [never, never]
  ? true
  : never = true;
void same;
