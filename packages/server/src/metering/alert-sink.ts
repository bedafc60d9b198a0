/** An alert as metering raises it; the alert service stores it once per idempotency key. */
export interface AlertInput {
  type: string;
  projectId: string | null;
  keyId: string | null;
  data: Record<string, unknown>;
  idempotencyKey: string;
}

/** Where metering sends alerts. Resolves false for a duplicate idempotency key. */
export interface AlertSink {
  raise(alert: AlertInput): Promise<boolean>;
}

/** Until an alert service is wired in: alerts go nowhere. */
export const noAlerts: AlertSink = { raise: async () => false };
