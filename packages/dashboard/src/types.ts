/** The keysmith API's shapes, as the dashboard reads them (see /openapi.json). */

export type KeyType = "secret" | "publishable" | "restricted";
export type Environment = "live" | "test";
export type KeyStatus = "active" | "revoked" | "expired" | "disabled";
export type Period = "day" | "month";
export type Granularity = "minute" | "hour" | "day";

export interface List<T> {
  data: T[];
  nextCursor: string | null;
}

export interface RateLimit {
  name: string;
  limit: number;
  duration: string | number;
}

export interface Budget {
  limit: number;
  period: Period;
  thresholds: number[];
  hardCap: boolean;
}

export interface Credits {
  remaining: number;
  refill: { amount: number; interval: Period } | null;
}

export interface Project {
  id: string;
  name: string;
  prefix: string;
  publishableScopes: string[];
  defaultRatelimits: RateLimit[] | null;
  costTable: Record<string, number> | null;
  budget: Budget | null;
  anomalyPolicy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  projectId: string;
  type: KeyType;
  environment: Environment;
  status: KeyStatus;
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
  updatedAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rolledFrom: string | null;
  rolledTo: string | null;
  ratelimits: RateLimit[] | null;
  credits: Credits | null;
  budget: Budget | null;
}

/** A create or roll answer: the only time the plaintext `key` is in a response. */
export interface IssuedKey extends ApiKey {
  key: string;
}

export interface RolledKey extends IssuedKey {
  previous: ApiKey;
}

export interface UsageBucket {
  start: string;
  outcomes: Record<string, number>;
  spend: number;
}

export interface Usage {
  granularity: Granularity;
  data: UsageBucket[];
}

export interface Alert {
  id: string;
  type: string;
  projectId: string | null;
  keyId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  projectId: string | null;
  description: string | null;
  createdAt: string;
  deletedAt: string | null;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "cancelled";

export interface Delivery {
  id: string;
  alertId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

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
  requestId: string | null;
  sourceIp: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditVerify {
  valid: boolean;
  checked: number;
  brokenAt: number | null;
  reason: string | null;
  headHash: string;
}

export interface Secret {
  id: string;
  projectId: string;
  environment: string;
  name: string;
  version: number;
  rotateEvery: string | null;
  lastRotatedAt: string;
  rotationDueAt: string | null;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface SecretValue {
  projectId: string;
  environment: string;
  name: string;
  version: number;
  current: boolean;
  value: string;
  createdAt: string;
  createdBy: string | null;
}

export interface SecretVersion {
  version: number;
  current: boolean;
  createdAt: string;
  createdBy: string | null;
}

export interface RootKeyInfo {
  id: string;
  projectId: string | null;
  name: string | null;
  start: string;
  last4: string;
  scopes: string[];
  status: string;
  expiresAt: string | null;
}

/** The signed-in session: never the root key itself, only what identifies it. */
export interface SessionInfo {
  csrfToken: string;
  expiresAt: string;
  rootKey: RootKeyInfo;
}

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
] as const;

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
