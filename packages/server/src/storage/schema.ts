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

export interface MetaTable {
  name: string;
  value: string;
  updated_at: Generated<number>;
}

export interface Database {
  projects: ProjectsTable;
  keys: KeysTable;
  root_keys: RootKeysTable;
  audit_log: AuditLogTable;
  keysmith_meta: MetaTable;
}
