import type { AlertEvent, Duration, KeyEnvironment, KeyType, VerifyCode } from "@keysmith/core";

/** A named rate-limit window as the API takes it: `{ name: "burst", limit: 50, duration: "1s" }`. */
export interface RateLimitSpec {
  name: string;
  limit: number;
  duration: Duration;
}

export interface CreditRefill {
  amount: number;
  interval: "day" | "month";
}

export interface CreditsState {
  /** Credits left when the record was read: metering changes it atomically in the database. */
  remaining: number;
  refill: CreditRefill | null;
  /** Start of the refill period `remaining` belongs to. */
  refilledAt: number | null;
}

export interface BudgetSpec {
  limit: number;
  period: "day" | "month";
  /** Fractions of the limit at which an alert fires, once per period each. */
  thresholds: number[];
  /** When true, spend past the limit answers BUDGET_EXCEEDED; when false it only alerts. */
  hardCap: boolean;
}

/** Metering settings a project holds in its `settings`. */
export interface ProjectMetering {
  /** Windows for keys that set none. */
  defaultRatelimits?: RateLimitSpec[] | null;
  /** Price per verification by requested scope; `*` prices calls that match no entry. */
  costTable?: Record<string, number> | null;
  budget?: BudgetSpec | null;
  /** What a spike does: only alert, or alert and disable the key. */
  anomalyPolicy?: "alert" | "disable";
  /** What a key reported leaked (`POST /v1/leaks`) gets: revoked (default), or only flagged. */
  leakPolicy?: "revoke" | "flag";
}

/** Domain records as the services see them: camelCase, parsed JSON, millisecond timestamps. */

export interface ProjectRecord {
  id: string;
  name: string;
  prefix: string;
  publishableScopes: string[];
  settings: ProjectMetering & Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface KeyRecord {
  id: string;
  projectId: string;
  hash: string;
  start: string;
  last4: string;
  type: KeyType;
  environment: KeyEnvironment;
  ownerId: string | null;
  name: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  allowedOrigins: string[] | null;
  allowedIps: string[] | null;
  enabled: boolean;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  rolledFrom: string | null;
  rolledTo: string | null;
  /** Imported by hash: its plaintext may be in another system's format. */
  imported: boolean;
  ratelimits: RateLimitSpec[] | null;
  credits: CreditsState | null;
  budget: BudgetSpec | null;
}

export interface RootKeyRecord {
  id: string;
  projectId: string | null;
  hash: string;
  start: string;
  last4: string;
  name: string | null;
  scopes: string[];
  expiresAt: number | null;
  createdAt: number;
  createdBy: string | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** The vault environments this key may touch; null for every one. */
  environments: string[] | null;
}

/** A dashboard session. Only hashes are stored: the session id lives in the browser's cookie. */
export interface SessionRecord {
  /** SHA-256 (hex) of the session id. */
  idHash: string;
  rootKeyId: string;
  /** SHA-256 (hex) of the session's CSRF token, which is derived from the session id. */
  csrfHash: string;
  createdAt: number;
  /** The idle deadline, moved forward as the session is used, never past `maxExpiresAt`. */
  expiresAt: number;
  maxExpiresAt: number;
}

/** Something that happened that webhook endpoints may subscribe to; raised once per idempotency key. */
export interface AlertRecord {
  id: string;
  type: AlertEvent;
  projectId: string | null;
  keyId: string | null;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface AlertFilter {
  projectId?: string | undefined;
  type?: AlertEvent | undefined;
  keyId?: string | undefined;
}

export interface WebhookRecord {
  id: string;
  projectId: string | null;
  url: string;
  events: AlertEvent[];
  description: string | null;
  createdAt: number;
  deletedAt: number | null;
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "cancelled";

/** One alert on its way to one endpoint: the outbox row, as the delivery log shows it. */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  alertId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: number | null;
}

/** A delivery a dispatcher claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  alert: AlertRecord;
  webhook: {
    id: string;
    url: string /** Sealed (webhooks/secret-box.ts). */;
    secret: string;
    deletedAt: number | null;
  };
}

/** How an attempt ended, as the outbox row records it. */
export interface DeliveryAttempt {
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: number;
  responseStatus: number | null;
  /** A failure class, never network text. */
  error: string | null;
  nextAttemptAt: number;
  deliveredAt: number | null;
}

export interface AuditInput {
  actorType: "root_key" | "system";
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  projectId: string | null;
  requestId: string | null;
  sourceIp: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  id: string;
  at: number;
  prevHash: string;
  hash: string;
}

export type KeyStatus = "active" | "revoked" | "expired" | "disabled";

export interface KeyFilter {
  projectIds: string[] | null;
  ownerId?: string | undefined;
  environment?: KeyEnvironment | undefined;
  type?: KeyType | undefined;
  status?: KeyStatus | undefined;
  now: number;
}

export interface AuditFilter {
  projectId?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface Page<T> {
  items: T[];
  /** The sort key of the last item when more follow, else null. */
  next: string | null;
}

/** Verification outcomes counted per key, minute and code. */
export interface UsageRow {
  keyId: string;
  projectId: string;
  ownerId: string | null;
  minute: number;
  code: VerifyCode;
  count: number;
  spend: number;
}

/** Verification outcomes of one tag, per key, minute and code. */
export interface TagUsageRow extends UsageRow {
  tag: string;
}

/** A usage row's identity: key, minute, outcome and, in the tag split, the tag. Rows alike merge. */
export function usageRowId(row: UsageRow | TagUsageRow): string {
  return `${row.keyId} ${row.minute} ${row.code}${"tag" in row ? `\n${row.tag}` : ""}`;
}

/** What a budget subject (`key:<id>` or `project:<id>`) spent in one period. */
export interface SpendRow {
  subject: string;
  periodStart: number;
  amount: number;
}

/** A numbered entry of the change log: what `GET /v1/keys/changes` replays. */
export interface ChangeRecord {
  seq: number;
  at: number;
  type: string;
  keyId: string | null;
  projectId: string | null;
  rootKeyId: string | null;
}

/** An override of a standalone rate limit: `identifier` exact, or a prefix when it ends in `*`. */
export interface RateLimitOverrideRecord {
  namespace: string;
  identifier: string;
  limit: number;
  /** As sent: `"1m"` or a number of ms. */
  duration: Duration;
  durationMs: number;
  createdAt: number;
  updatedAt: number;
}
