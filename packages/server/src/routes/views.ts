import type { IdentityRecord, RoleRecord } from "../domain/identities.js";
import type { AuditEntry, KeyRecord, ProjectRecord, RootKeyRecord } from "../domain/records.js";
import { keyStatus } from "../services/keys.js";

/** Records as the API shows them: ISO timestamps, every unset field present as null, no hashes. */

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms));

export function projectView(p: ProjectRecord) {
  return {
    id: p.id,
    name: p.name,
    prefix: p.prefix,
    publishableScopes: p.publishableScopes,
    defaultRatelimits: p.settings.defaultRatelimits ?? null,
    costTable: p.settings.costTable ?? null,
    budget: p.settings.budget ?? null,
    anomalyPolicy: p.settings.anomalyPolicy ?? "alert",
    leakPolicy: p.settings.leakPolicy ?? "revoke",
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function keyView(k: KeyRecord, now: number, pendingLastUsed?: number) {
  const lastUsed = Math.max(k.lastUsedAt ?? 0, pendingLastUsed ?? 0);
  return {
    id: k.id,
    projectId: k.projectId,
    type: k.type,
    environment: k.environment,
    status: keyStatus(k, now),
    start: k.start,
    last4: k.last4,
    ownerId: k.ownerId,
    name: k.name,
    scopes: k.scopes,
    meta: k.meta,
    allowedOrigins: k.allowedOrigins,
    allowedIps: k.allowedIps,
    enabled: k.enabled,
    expiresAt: isoOrNull(k.expiresAt),
    createdAt: iso(k.createdAt),
    updatedAt: iso(k.updatedAt),
    lastUsedAt: lastUsed > 0 ? iso(lastUsed) : null,
    revokedAt: isoOrNull(k.revokedAt),
    rolledFrom: k.rolledFrom,
    rolledTo: k.rolledTo,
    ratelimits: k.ratelimits,
    credits: k.credits === null ? null : { remaining: k.credits.remaining, refill: k.credits.refill },
    budget: k.budget,
  };
}

export function rootKeyView(r: RootKeyRecord, now: number) {
  const status =
    r.revokedAt !== null ? "revoked" : r.expiresAt !== null && r.expiresAt <= now ? "expired" : "active";
  return {
    id: r.id,
    projectId: r.projectId,
    name: r.name,
    start: r.start,
    last4: r.last4,
    scopes: r.scopes,
    status: status as "active" | "revoked" | "expired",
    expiresAt: isoOrNull(r.expiresAt),
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    revokedAt: isoOrNull(r.revokedAt),
    lastUsedAt: isoOrNull(r.lastUsedAt),
    environments: r.environments,
  };
}

export function auditView(e: AuditEntry) {
  return {
    id: e.id,
    seq: e.seq,
    at: iso(e.at),
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    projectId: e.projectId,
    requestId: e.requestId,
    sourceIp: e.sourceIp,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export function identityView(i: IdentityRecord) {
  return {
    id: i.id,
    projectId: i.projectId,
    externalId: i.externalId,
    meta: i.meta,
    ratelimits: i.ratelimits,
    credits: i.credits === null ? null : { remaining: i.credits.remaining, refill: i.credits.refill },
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
  };
}

export function roleView(r: RoleRecord) {
  return {
    id: r.id,
    projectId: r.projectId,
    name: r.name,
    scopes: r.scopes,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
