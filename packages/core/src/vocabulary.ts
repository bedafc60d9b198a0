/**
 * The API's enumerations as values, for clients that cannot load the whole core (the dashboard
 * in a browser: the core's key functions use `node:crypto`). `@keysmith/core/vocabulary`.
 */
export { ALERT_EVENTS, type AlertEvent } from "./alert-events.js";
export { VERIFY_CODES, type VerifyCode } from "./verify-codes.js";
