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
  createdAt: string;
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
