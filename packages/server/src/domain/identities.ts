import { isGranted } from "@keysmith/core";
import type { CreditsState, RateLimitSpec } from "./records.js";

/**
 * The customer behind a project's keys (SPEC §10). A key belongs to the identity whose
 * `externalId` equals its `ownerId` in the same project; the identity's rate limits are shared by
 * all its keys, and its credits are a pool the keys without credits of their own draw from.
 */
export interface IdentityRecord {
  id: string;
  projectId: string;
  externalId: string;
  meta: Record<string, unknown> | null;
  ratelimits: RateLimitSpec[] | null;
  credits: CreditsState | null;
  createdAt: number;
  updatedAt: number;
}

/** A named set of scopes in a project; a key holding the role holds its scopes. */
export interface RoleRecord {
  id: string;
  projectId: string;
  name: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

/**
 * A key's effective scopes: its own, then each of its roles' that it does not already list, in
 * order. A publishable key takes from its roles only the scopes its project marks public, so a
 * role can never make a browser key broader than a publishable key may be.
 */
export function effectiveScopes(
  own: readonly string[],
  roles: readonly Pick<RoleRecord, "scopes">[],
  publicOnly: readonly string[] | null,
): string[] {
  const scopes = [...own];
  const seen = new Set(own);
  for (const role of roles) {
    for (const scope of role.scopes) {
      if (seen.has(scope) || (publicOnly !== null && !isGranted(publicOnly, scope))) continue;
      seen.add(scope);
      scopes.push(scope);
    }
  }
  return scopes;
}
