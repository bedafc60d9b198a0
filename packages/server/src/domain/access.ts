import { KeysmithError } from "@keysmith/core";
import type { AuditInput, RootKeyRecord } from "./records.js";

/** Who is acting and on which request: every service call carries it, every audit entry records it. */
export interface ActionContext {
  actor: RootKeyRecord;
  /** Who the audit log names: a root key (the default), or keysmith itself acting on a partner's report. */
  actorType?: "root_key" | "system";
  requestId: string;
  sourceIp: string | null;
}

/** keysmith itself acting on its own (a spike policy, a master-key rotation, the first root key). */
export interface SystemActor {
  actorType: "system";
  actor?: undefined;
  requestId?: string | null;
  sourceIp?: string | null;
}

export const SYSTEM: SystemActor = { actorType: "system" };

/** Whoever a unit of work acts for. */
export type Actor = ActionContext | SystemActor;

/** The fields of an audit entry that name who acted, and on which request. */
export function auditActor(
  actor: Actor,
): Pick<AuditInput, "actorType" | "actorId" | "requestId" | "sourceIp"> {
  return {
    actorType: actor.actorType ?? "root_key",
    actorId: actor.actor?.id ?? null,
    requestId: actor.requestId ?? null,
    sourceIp: actor.sourceIp ?? null,
  };
}

/** Management scopes a root key may hold (SPEC §2). `admin` implies every other one. */
export const ROOT_SCOPES = [
  "keys:read",
  "keys:write",
  "keys:verify",
  "projects:read",
  "projects:write",
  "usage:read",
  "secrets:read",
  "secrets:write",
  "audit:read",
  "ratelimit:write",
  "admin",
] as const;
export type RootScope = (typeof ROOT_SCOPES)[number];

export function hasScope(actor: RootKeyRecord, scope: RootScope): boolean {
  return actor.scopes.includes("admin") || actor.scopes.includes(scope);
}

/** Throws FORBIDDEN unless the actor holds the scope. */
export function requireScope(actor: RootKeyRecord, scope: RootScope): void {
  if (!hasScope(actor, scope)) {
    throw new KeysmithError("FORBIDDEN", `This root key lacks the ${scope} scope.`, { required: scope });
  }
}

/** True when the actor may see the project: bound to it, or to all projects. */
export function canSeeProject(actor: RootKeyRecord, projectId: string | null): boolean {
  return actor.projectId === null || actor.projectId === projectId;
}

export function auditEntry(
  ctx: ActionContext,
  action: string,
  target: { type: string; id: string; projectId: string | null },
  details: Record<string, unknown> = {},
): AuditInput {
  return {
    actorType: ctx.actorType ?? "root_key",
    actorId: ctx.actor.id,
    action,
    targetType: target.type,
    targetId: target.id,
    projectId: target.projectId,
    requestId: ctx.requestId,
    sourceIp: ctx.sourceIp,
    details,
  };
}

/** Opaque list cursors: the base64url of the last item's sort key. */
export function encodeCursor(sortKey: string | null): string | null {
  return sortKey === null ? null : Buffer.from(sortKey, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined, pattern: RegExp): string | null {
  if (cursor === undefined || cursor === "") return null;
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  if (!pattern.test(decoded)) throw new KeysmithError("INVALID_CURSOR");
  return decoded;
}

export const ID_CURSOR = /^[a-z]+_[0-9A-Za-z]{22}$/;
export const SEQ_CURSOR = /^[1-9][0-9]{0,15}$/;
