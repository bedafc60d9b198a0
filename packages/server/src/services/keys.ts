import {
  generateKey,
  KEY_TYPE_CODES,
  type KeyEnvironment,
  KeysmithError,
  type KeyType,
  newId,
} from "@keysmith/core";
import { checkRatelimits, initialCredits, normalizeBudget } from "../metering/limits.js";
import type {
  BudgetSpec,
  CreditRefill,
  KeyFilter,
  KeyRecord,
  KeyStatus,
  Page,
  ProjectRecord,
  RateLimitSpec,
} from "../storage/records.js";
import type { Repo } from "../storage/store.js";
import {
  type ActionContext,
  auditEntry,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
  type ServiceDeps,
} from "./context.js";
import { checkKeySettings, parseTimestamp } from "./key-settings.js";

export interface CreateKeyInput {
  projectId?: string | undefined;
  type?: KeyType | undefined;
  environment?: KeyEnvironment | undefined;
  ownerId?: string | null | undefined;
  name?: string | null | undefined;
  scopes?: string[] | undefined;
  meta?: Record<string, unknown> | null | undefined;
  expiresAt?: string | null | undefined;
  enabled?: boolean | undefined;
  allowedOrigins?: string[] | null | undefined;
  allowedIps?: string[] | null | undefined;
  ratelimits?: RateLimitSpec[] | null | undefined;
  credits?: { remaining: number; refill?: CreditRefill | null | undefined } | null | undefined;
  budget?: (Partial<BudgetSpec> & { limit: number }) | null | undefined;
}

export type UpdateKeyInput = Omit<CreateKeyInput, "projectId" | "type" | "environment">;

export interface ListKeysQuery {
  projectId?: string | undefined;
  ownerId?: string | undefined;
  environment?: KeyEnvironment | undefined;
  type?: KeyType | undefined;
  status?: KeyStatus | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A key as just created or rolled: the record and, this one time, its plaintext. */
export interface IssuedKey {
  record: KeyRecord;
  plaintext: string;
}

export function keyStatus(key: KeyRecord, now: number): KeyStatus {
  if (key.revokedAt !== null) return "revoked";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  return key.enabled ? "active" : "disabled";
}

/** The key lifecycle: create, read, change, roll and revoke, each audited. */
export class KeyService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(ctx: ActionContext, input: CreateKeyInput): Promise<IssuedKey> {
    requireScope(ctx.actor, "keys:write");
    const projectId = input.projectId ?? ctx.actor.projectId;
    if (!projectId) {
      throw new KeysmithError(
        "UNPROCESSABLE",
        "projectId is required for a root key bound to all projects.",
        {
          field: "projectId",
        },
      );
    }
    const now = this.deps.clock.now();
    const project = await this.visibleProject(ctx, projectId);
    const type = input.type ?? "secret";
    const settings = checkKeySettings(
      project,
      {
        type,
        scopes: input.scopes ?? (type === "secret" ? ["*"] : []),
        meta: input.meta ?? null,
        allowedOrigins: input.allowedOrigins ?? null,
        allowedIps: input.allowedIps ?? null,
        expiresAt: parseTimestamp(input.expiresAt, "expiresAt") ?? null,
      },
      now,
    );
    checkRatelimits(input.ratelimits);
    const environment = input.environment ?? "live";
    const generated = generateKey({ prefix: project.prefix, typeCode: KEY_TYPE_CODES[type], environment });
    const record: KeyRecord = {
      ...settings,
      id: newId("key", now),
      projectId,
      hash: generated.hash,
      start: generated.start,
      last4: generated.last4,
      environment,
      ownerId: input.ownerId ?? null,
      name: input.name ?? null,
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
      lastUsedAt: null,
      rolledFrom: null,
      rolledTo: null,
      ratelimits: input.ratelimits ?? null,
      credits: input.credits
        ? initialCredits(
            { remaining: input.credits.remaining, refill: input.credits.refill ?? undefined },
            now,
          )
        : null,
      budget: input.budget ? normalizeBudget(input.budget) : null,
    };
    await this.deps.store.transaction(async (repo) => {
      await repo.insertKey(record);
      await this.audit(repo, ctx, "key.create", record, { type, environment, start: record.start });
    });
    return { record, plaintext: generated.key };
  }

  async get(ctx: ActionContext, id: string): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:read");
    return this.getVisible(ctx, id);
  }

  /** A key the actor's project binding lets it see, whatever its scopes; else KEY_NOT_FOUND. */
  async getVisible(ctx: ActionContext, id: string): Promise<KeyRecord> {
    return this.visibleKey(ctx, await this.deps.store.getKey(id));
  }

  /** Minute rows of usage, for the usage routes. */
  usageRows(filter: Parameters<ServiceDeps["store"]["usageRows"]>[0]) {
    return this.deps.store.usageRows(filter);
  }

  list(ctx: ActionContext, query: ListKeysQuery): Promise<Page<KeyRecord>> {
    requireScope(ctx.actor, "keys:read");
    let projectIds: string[] | null = null;
    if (ctx.actor.projectId !== null) {
      // Another project's id answers an empty list, as if it did not exist.
      projectIds = query.projectId && query.projectId !== ctx.actor.projectId ? [] : [ctx.actor.projectId];
    } else if (query.projectId) {
      projectIds = [query.projectId];
    }
    const filter: KeyFilter = {
      projectIds,
      ownerId: query.ownerId,
      environment: query.environment,
      type: query.type,
      status: query.status,
      now: this.deps.clock.now(),
    };
    return this.deps.store.listKeys(filter, decodeCursor(query.cursor, ID_CURSOR), query.limit);
  }

  async update(ctx: ActionContext, id: string, input: UpdateKeyInput): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:write");
    checkRatelimits(input.ratelimits);
    const now = this.deps.clock.now();
    const updated = await this.deps.store.transaction(async (repo) => {
      const key = this.visibleKey(ctx, await repo.getKey(id));
      if (key.revokedAt !== null) throw new KeysmithError("KEY_REVOKED", "A revoked key cannot be changed.");
      const project = (await repo.getProject(key.projectId)) as ProjectRecord;
      const expiresAt = parseTimestamp(input.expiresAt, "expiresAt");
      const settings = checkKeySettings(
        project,
        {
          type: key.type,
          scopes: input.scopes ?? key.scopes,
          meta: input.meta === undefined ? key.meta : input.meta,
          allowedOrigins: input.allowedOrigins === undefined ? key.allowedOrigins : input.allowedOrigins,
          allowedIps: input.allowedIps === undefined ? key.allowedIps : input.allowedIps,
          // An unchanged expiry that has since passed is no reason to refuse other changes.
          expiresAt: expiresAt === undefined ? null : expiresAt,
        },
        now,
      );
      const next: KeyRecord = {
        ...key,
        ...settings,
        expiresAt: expiresAt === undefined ? key.expiresAt : settings.expiresAt,
        ownerId: input.ownerId === undefined ? key.ownerId : input.ownerId,
        name: input.name === undefined ? key.name : input.name,
        enabled: input.enabled ?? key.enabled,
        updatedAt: now,
        ratelimits: input.ratelimits === undefined ? key.ratelimits : input.ratelimits,
        budget:
          input.budget === undefined
            ? key.budget
            : input.budget === null
              ? null
              : normalizeBudget(input.budget),
        credits:
          input.credits === undefined
            ? key.credits
            : input.credits === null
              ? null
              : initialCredits(
                  { remaining: input.credits.remaining, refill: input.credits.refill ?? undefined },
                  now,
                ),
      };
      await repo.updateKey(next);
      // The balance is only ever set here, on purpose; verifications change it atomically.
      if (input.credits !== undefined)
        await repo.setCredits(id, next.credits?.remaining ?? null, next.credits?.refilledAt ?? null);
      await this.audit(repo, ctx, "key.update", next, { changed: Object.keys(input).sort() });
      await repo.recordChange({ type: "key.updated", keyId: id, projectId: next.projectId }, now);
      return next;
    });
    await this.deps.changes.publish({ type: "key.updated", keyId: id, projectId: updated.projectId });
    return updated;
  }

  /**
   * Issues a successor with the same settings. The old key keeps working for the grace period,
   * then expires; neither key outlives the original expiry.
   */
  async roll(
    ctx: ActionContext,
    id: string,
    gracePeriodMs: number,
  ): Promise<IssuedKey & { previous: KeyRecord }> {
    requireScope(ctx.actor, "keys:write");
    const now = this.deps.clock.now();
    const result = await this.deps.store.transaction(async (repo) => {
      const old = this.visibleKey(ctx, await repo.getKey(id));
      const status = keyStatus(old, now);
      if (status === "revoked") throw new KeysmithError("KEY_REVOKED", "A revoked key cannot be rolled.");
      if (status === "expired") throw new KeysmithError("KEY_EXPIRED", "An expired key cannot be rolled.");
      if (old.rolledTo !== null) {
        throw new KeysmithError(
          "KEY_ALREADY_ROLLED",
          `This key was already rolled to ${old.rolledTo}; roll that one.`,
        );
      }
      const project = (await repo.getProject(old.projectId)) as ProjectRecord;
      const generated = generateKey({
        prefix: project.prefix,
        typeCode: KEY_TYPE_CODES[old.type],
        environment: old.environment,
      });
      // The successor takes over the balance as it stands now.
      const successor: KeyRecord = {
        ...old,
        id: newId("key", now),
        hash: generated.hash,
        start: generated.start,
        last4: generated.last4,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
        rolledFrom: old.id,
        rolledTo: null,
      };
      const graceEnd = now + gracePeriodMs;
      const previous: KeyRecord = {
        ...old,
        expiresAt: old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd),
        rolledTo: successor.id,
        updatedAt: now,
      };
      await repo.insertKey(successor);
      await repo.updateKey(previous);
      await this.audit(repo, ctx, "key.roll", previous, {
        successorId: successor.id,
        gracePeriodMs,
        previousExpiresAt: new Date(previous.expiresAt as number).toISOString(),
      });
      await repo.recordChange({ type: "key.rolled", keyId: id, projectId: previous.projectId }, now);
      return { record: successor, plaintext: generated.key, previous };
    });
    await this.deps.changes.publish({ type: "key.rolled", keyId: id, projectId: result.previous.projectId });
    return result;
  }

  /** Revokes at once. Revoking a revoked key changes nothing and answers the key as it is. */
  async revoke(ctx: ActionContext, id: string, reason: string | undefined): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:write");
    const now = this.deps.clock.now();
    const { key, changed } = await this.deps.store.transaction(async (repo) => {
      const found = this.visibleKey(ctx, await repo.getKey(id));
      if (found.revokedAt !== null) return { key: found, changed: false };
      const next: KeyRecord = { ...found, revokedAt: now, updatedAt: now };
      await repo.updateKey(next);
      await this.audit(repo, ctx, "key.revoke", next, reason ? { reason } : {});
      await repo.recordChange({ type: "key.revoked", keyId: id, projectId: next.projectId }, now);
      return { key: next, changed: true };
    });
    if (changed)
      await this.deps.changes.publish({ type: "key.revoked", keyId: id, projectId: key.projectId });
    return key;
  }

  /**
   * The anomaly policy's answer to a spike: disable the key, when its project says so. Acts
   * as the system, audited like any change.
   */
  async disableOnAnomaly(keyId: string, projectId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const disabled = await this.deps.store.transaction(async (repo) => {
      const project = await repo.getProject(projectId);
      const key = await repo.getKey(keyId);
      if (project?.settings.anomalyPolicy !== "disable" || !key || !key.enabled || key.revokedAt !== null)
        return false;
      await repo.updateKey({ ...key, enabled: false, updatedAt: now });
      await repo.appendAudit(
        {
          actorType: "system",
          actorId: null,
          action: "key.update",
          targetType: "key",
          targetId: keyId,
          projectId,
          requestId: null,
          sourceIp: null,
          details: { changed: ["enabled"], reason: "anomaly policy: disabled on a usage spike" },
        },
        now,
      );
      await repo.recordChange({ type: "key.updated", keyId, projectId }, now);
      return true;
    });
    if (disabled) await this.deps.changes.publish({ type: "key.updated", keyId, projectId });
    return disabled;
  }

  private async visibleProject(ctx: ActionContext, projectId: string): Promise<ProjectRecord> {
    const project = await this.deps.store.getProject(projectId);
    if (!project || !canSeeProject(ctx.actor, project.id))
      throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    return project;
  }

  private visibleKey(ctx: ActionContext, key: KeyRecord | null): KeyRecord {
    if (!key || !canSeeProject(ctx.actor, key.projectId))
      throw new KeysmithError("KEY_NOT_FOUND", "No such key.");
    return key;
  }

  private async audit(
    repo: Repo,
    ctx: ActionContext,
    action: string,
    key: KeyRecord,
    details: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await repo.appendAudit(
      auditEntry(ctx, action, { type: "key", id: key.id, projectId: key.projectId }, details),
      now,
    );
  }
}
