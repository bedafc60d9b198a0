import type { Generated } from "kysely";

// Timestamps are integer milliseconds since the epoch in both dialects; JSON columns are text.
// One representation for SQLite and Postgres keeps a single query layer for both.

export interface ProjectsTable {
  id: string;
  name: string;
  prefix: string;
  publishable_scopes: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface KeysTable {
  id: string;
  project_id: string;
  hash: string;
  start: string;
  last4: string;
  type: string;
  environment: string;
  owner_id: string | null;
  name: string | null;
  scopes: string;
  meta: string | null;
  allowed_origins: string | null;
  allowed_ips: string | null;
  enabled: number;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  rolled_from: string | null;
  rolled_to: string | null;
  /** 1 for a key imported by hash (its plaintext may be in a foreign format). */
  imported: number;
  /** JSON `[{ name, limit, duration }]`, or null for the project's defaults. */
  ratelimits: string | null;
  /** Credits left; null when the key has no credit limit. Changed only by atomic updates. */
  credits_remaining: number | null;
  /** JSON `{ amount, interval }`, or null. */
  credits_refill: string | null;
  /** Start of the refill period the credits belong to. */
  credits_refilled_at: number | null;
  /** JSON `{ limit, period, thresholds, hardCap }`, or null. */
  budget: string | null;
}

export interface RootKeysTable {
  id: string;
  project_id: string | null;
  hash: string;
  start: string;
  last4: string;
  name: string | null;
  scopes: string;
  expires_at: number | null;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
  last_used_at: number | null;
  /** JSON array of the vault environments this key may touch, or null for all. */
  environments: string | null;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  at: number;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  project_id: string | null;
  request_id: string | null;
  source_ip: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Verification outcomes per key, minute and code: written in batches, never per request. */
export interface UsageMinutesTable {
  key_id: string;
  minute: number;
  code: string;
  project_id: string;
  owner_id: string | null;
  count: number;
  spend: number;
}

/** Usage split by verify `tags`: a row per key, minute, outcome and tag. */
export interface UsageTagsTable extends UsageMinutesTable {
  tag: string;
}

/** Usage batches already written (their retry is skipped), kept a day. */
export interface UsageBatchesTable {
  id: string;
  applied_at: number;
}

/** Spend per budget subject (`key:<id>` or `project:<id>`) and period. */
export interface BudgetSpendTable {
  subject: string;
  period_start: number;
  spent: number;
}

/** Alerts raised, once per idempotency key, cluster-wide. */
export interface AlertsTable {
  id: string;
  type: string;
  project_id: string | null;
  key_id: string | null;
  data: string;
  idempotency_key: string;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  project_id: string | null;
  url: string;
  events: string;
  /**
   * The signing secret, needed to sign every delivery: sealed (`sealed:1:…`, webhooks/secret-box.ts)
   * under the webhook key; plaintext `whsec_…` only in rows from before sealing, until the next start.
   */
  secret: string;
  description: string | null;
  created_at: number;
  deleted_at: number | null;
}

/** The outbox: one row per (endpoint, alert), retried with backoff until delivered or given up. */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  alert_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  last_attempt_at: number | null;
  response_status: number | null;
  /** A failure class (webhooks/send.ts: timeout, connection_failed, http_status, …), never network text. */
  error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** Dashboard sessions (sessions/sessions.ts): only hashes, looked up by the session id's. */
export interface SessionsTable {
  /** SHA-256 (hex) of the session id; the id itself lives only in the browser's cookie. */
  id_hash: string;
  root_key_id: string;
  /** SHA-256 (hex) of the session's CSRF token, derived from the session id (`csrfTokenFor`). */
  csrf_hash: string;
  created_at: number;
  expires_at: number;
  max_expires_at: number;
}

/** Changes that affect verification, numbered for the SSE feed. */
export interface KeyChangesTable {
  seq: Generated<number>;
  at: number;
  type: string;
  key_id: string | null;
  project_id: string | null;
  root_key_id: string | null;
}

/** A project's vault key, wrapped by the master key (base64 columns). */
export interface VaultProjectKeysTable {
  project_id: string;
  format: number;
  wrapped_key: string;
  nonce: string;
  created_at: number;
  rewrapped_at: number | null;
}

/** A secret's name and state; its values live in `secret_versions`, encrypted. */
export interface SecretsTable {
  id: string;
  project_id: string;
  environment: string;
  name: string;
  current_version: number;
  /** As given (`90d`), or null. */
  rotate_every: string | null;
  rotate_every_ms: number | null;
  /** When the current version was written: the rotation clock starts here. */
  rotated_at: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** One version of a secret: the value under its own data key, that key under the project key. */
export interface SecretVersionsTable {
  secret_id: string;
  version: number;
  format: number;
  ciphertext: string;
  nonce: string;
  wrapped_dek: string;
  dek_nonce: string;
  created_at: number;
  created_by: string | null;
}

/** The customer behind a project's keys: `external_id` is their `owner_id`. */
export interface IdentitiesTable {
  id: string;
  project_id: string;
  external_id: string;
  meta: string | null;
  /** JSON `[{ name, limit, duration }]` shared by the identity's keys, or null. */
  ratelimits: string | null;
  /** The credit pool its keys without credits draw from; null for none. Changed only atomically. */
  credits_remaining: number | null;
  /** JSON `{ amount, interval }`, or null. */
  credits_refill: string | null;
  credits_refilled_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A named scope set in a project. */
export interface RolesTable {
  id: string;
  project_id: string;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: number;
  updated_at: number;
}

/** Which keys hold which roles (by id: a renamed role stays attached). */
export interface KeyRolesTable {
  key_id: string;
  role_id: string;
}

export interface MetaTable {
  name: string;
  value: string;
  updated_at: Generated<number>;
}

/** An override of a standalone rate limit (`identifier` may end in `*`: a prefix). */
export interface RatelimitOverridesTable {
  namespace: string;
  identifier: string;
  request_limit: number;
  /** The duration as sent, JSON (`"1m"` or a number of ms). */
  duration: string;
  duration_ms: number;
  created_at: number;
  updated_at: number;
}

export interface Database {
  projects: ProjectsTable;
  keys: KeysTable;
  root_keys: RootKeysTable;
  audit_log: AuditLogTable;
  keysmith_meta: MetaTable;
  usage_minutes: UsageMinutesTable;
  usage_tags: UsageTagsTable;
  usage_batches: UsageBatchesTable;
  key_changes: KeyChangesTable;
  budget_spend: BudgetSpendTable;
  alerts: AlertsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sessions: SessionsTable;
  vault_project_keys: VaultProjectKeysTable;
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
  ratelimit_overrides: RatelimitOverridesTable;
  identities: IdentitiesTable;
  roles: RolesTable;
  key_roles: KeyRolesTable;
}
