/**
 * The slices of the API's JSON the CLI reads for its human output. `--json` prints the answer
 * whole, so fields the CLI does not show need not be typed here.
 */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Project {
  id: string;
  name: string;
  prefix: string;
  publishableScopes: string[];
  /** Absent from servers older than metering. */
  defaultRatelimits?: RateLimit[] | null;
  costTable?: Record<string, number> | null;
  budget?: Budget | null;
  anomalyPolicy?: string;
  /** Absent from servers older than leak reports. */
  leakPolicy?: string;
  createdAt: string;
}

/** A named rate-limit window. */
export interface RateLimit {
  name: string;
  limit: number;
  duration: string | number;
}

export interface Credits {
  remaining: number;
  refill: { amount: number; interval: string } | null;
}

export interface Budget {
  limit: number;
  period: string;
  thresholds: number[];
  hardCap: boolean;
}

export interface Key {
  id: string;
  projectId: string;
  type: string;
  environment: string;
  status: string;
  start: string;
  last4: string;
  ownerId: string | null;
  name: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  allowedOrigins: string[] | null;
  allowedIps: string[] | null;
  enabled: boolean;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rolledFrom: string | null;
  rolledTo: string | null;
  /** Absent from servers older than metering. */
  ratelimits?: RateLimit[] | null;
  credits?: Credits | null;
  budget?: Budget | null;
}

/** A create answer: the plaintext `key`, this once. */
export type IssuedKey = Key & { key: string };

export type RolledKey = IssuedKey & { previous: Key };

export interface VerifyAnswer {
  valid: boolean;
  code: string;
  keyId: string | null;
  ownerId: string | null;
  projectId: string | null;
  type: string | null;
  environment: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  expiresAt: string | null;
  ratelimits: { name: string; limit: number; remaining: number; reset: string }[];
  credits: { remaining: number } | null;
  budget: { spent: number; limit: number; period: string; resetAt: string } | null;
}

export interface RootKey {
  id: string;
  projectId: string | null;
  name: string | null;
  start: string;
  last4: string;
  scopes: string[];
  status: string;
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type IssuedRootKey = RootKey & { key: string };

export interface AuditEntry {
  id: string;
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  projectId: string | null;
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  brokenAt: number | null;
  reason: string | null;
  headHash: string;
}

/** One bucket of a usage series: verifications by outcome code, and spend. */
export interface UsageBucket {
  start: string;
  outcomes: Record<string, number>;
  spend: number;
}

export interface Usage {
  granularity: "minute" | "hour" | "day";
  data: UsageBucket[];
}

/** The alert types (the server's `ALERT_EVENTS`; a test checks them against its OpenAPI). */
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

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  projectId: string | null;
  description: string | null;
  createdAt: string;
  deletedAt: string | null;
}

/** A create answer: the signing `secret`, this once. */
export type CreatedWebhook = Webhook & { secret: string };

export interface Delivery {
  id: string;
  alertId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface Alert {
  id: string;
  type: string;
  projectId: string | null;
  keyId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}
