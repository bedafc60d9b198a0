/** Every alert keysmith raises (SPEC §6), as delivered to webhooks and listed by `/v1/alerts`. */
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
] as const;

export type AlertEvent = (typeof ALERT_EVENTS)[number];
