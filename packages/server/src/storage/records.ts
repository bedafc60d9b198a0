import type { KeyEnvironment, KeyType } from "@keysmith/core";

/** Domain records as the services see them: camelCase, parsed JSON, millisecond timestamps. */

export interface ProjectRecord {
  id: string;
  name: string;
  prefix: string;
  publishableScopes: string[];
  settings: Record<string, unknown>;
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
