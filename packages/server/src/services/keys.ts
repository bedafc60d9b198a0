import {
  generateKey,
  KEY_TYPE_CODES,
  type KeyEnvironment,
  KeysmithError,
  type KeyType,
  newId,
} from "@keysmith/core";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
  SYSTEM,
} from "../domain/access.js";
import { checkKeySettings, parseTimestamp } from "../domain/key-settings.js";
import { checkRatelimits, initialCredits, normalizeBudget } from "../domain/limits.js";
import { periodStart } from "../domain/periods.js";
import type {
  BudgetSpec,
  CreditRefill,
  KeyFilter,
  KeyRecord,
  KeyStatus,
  Page,
  ProjectRecord,
  RateLimitSpec,
} from "../domain/records.js";
import type { ServiceDeps } from "./context.js";
import { resolveRoles } from "./roles.js";

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
  /** Names of the project's roles the key holds (SPEC §10); unknown names answer UNKNOWN_ROLES. */
  roles?: string[] | undefined;
}

/** A key made elsewhere, known by the SHA-256 (hex) of its plaintext. */
export interface ImportKeyInput {
  hash: string;
  start?: string | undefined;
  ownerId?: string | null | undefined;
  type: KeyType;
  environment: KeyEnvironment;
  scopes?: string[] | undefined;
  name?: string | null | undefined;
  meta?: Record<string, unknown> | null | undefined;
  expiresAt?: string | null | undefined;
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
    const environment = input.environment ?? "live";
    const generated = generateKey({ prefix: project.prefix, typeCode: KEY_TYPE_CODES[type], environment });
    const { hash, start, last4 } = generated;
    const record = newKeyRecord(
      project,
      { ...input, type, environment },
      { hash, start, last4, imported: false },
      now,
    );
    await this.deps.write(ctx, async (tx) => {
      const roleIds = input.roles?.length ? await resolveRoles(tx, projectId, input.roles) : [];
      await tx.keys.insert(record);
      if (roleIds.length > 0) await tx.roles.setKeyRoles(record.id, roleIds);
      await tx.audit("key.create", target(record), {
        type,
        environment,
        start: record.start,
        ...(input.roles?.length ? { roles: [...new Set(input.roles)].sort() } : {}),
      });
    });
    return { record, plaintext: generated.key };
  }

  /**
   * Imports keys by hash, all or none, in one unit of work: a hash already in the project
   * answers its existing id (importing twice changes nothing); one in another project is a
   * conflict. Returns how many were new, and every row's id in order.
   */
  async import(
    ctx: ActionContext,
    projectId: string,
    rows: readonly ImportKeyInput[],
  ): Promise<{ imported: number; ids: string[] }> {
    requireScope(ctx.actor, "keys:write");
    const project = await this.visibleProject(ctx, projectId);
    const now = this.deps.clock.now();
    const records = rows.map((row, i) => {
      try {
        return importedRecord(project, row, now);
      } catch (error) {
        throw inRow(error, i);
      }
    });
    return this.deps.write(ctx, async (tx) => {
      const existing = new Map(
        (await tx.keys.getByHashes(records.map((r) => r.hash))).map((k) => [k.hash, k]),
      );
      const fresh: KeyRecord[] = [];
      const seen = new Map<string, string>();
      const ids = records.map((record, i) => {
        const found = existing.get(record.hash);
        if (found && found.projectId !== projectId) {
          throw new KeysmithError(
            "KEY_HASH_TAKEN",
            `Row ${i}: this hash belongs to a key of another project.`,
            {
              row: i,
            },
          );
        }
        const id = found?.id ?? seen.get(record.hash);
        if (id !== undefined) return id;
        seen.set(record.hash, record.id);
        fresh.push(record);
        return record.id;
      });
      if (fresh.length === 0) return { imported: 0, ids };
      await tx.keys.insertMany(fresh);
      await tx.audit(
        "key.import",
        { type: "project", id: projectId, projectId },
        {
          imported: fresh.length,
          skipped: rows.length - fresh.length,
        },
      );
      return { imported: fresh.length, ids };
    });
  }

  async get(ctx: ActionContext, id: string): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:read");
    return this.getVisible(ctx, id);
  }

  /** A key the actor's project binding lets it see, whatever its scopes; else KEY_NOT_FOUND. */
  async getVisible(ctx: ActionContext, id: string): Promise<KeyRecord> {
    return this.visibleKey(ctx, await this.deps.store.keys.get(id));
  }

  /** The role names each key holds (keys without roles are left out), for key answers. */
  roleNames(keyIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.deps.store.roles.namesOfKeys(keyIds);
  }

  /** Minute rows of usage, for the usage routes. */
  usageRows(filter: Parameters<ServiceDeps["store"]["usage"]["rows"]>[0]) {
    return this.deps.store.usage.rows(filter);
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
    return this.deps.store.keys.list(filter, decodeCursor(query.cursor, ID_CURSOR), query.limit);
  }

  async update(ctx: ActionContext, id: string, input: UpdateKeyInput): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:write");
    checkRatelimits(input.ratelimits);
    const now = this.deps.clock.now();
    return this.deps.write(ctx, async (tx) => {
      const key = this.visibleKey(ctx, await tx.keys.get(id));
      if (key.revokedAt !== null) throw new KeysmithError("KEY_REVOKED", "A revoked key cannot be changed.");
      const project = (await tx.projects.get(key.projectId)) as ProjectRecord;
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
      if (input.roles !== undefined)
        await tx.roles.setKeyRoles(id, await resolveRoles(tx, key.projectId, input.roles));
      await tx.keys.update(next);
      // The balance is only ever set here, on purpose; verifications change it atomically.
      if (input.credits !== undefined)
        await tx.keys.setCredits(id, next.credits?.remaining ?? null, next.credits?.refilledAt ?? null);
      await tx.audit("key.update", target(next), { changed: Object.keys(input).sort() });
      return next;
    });
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
    return this.deps.write(ctx, async (tx) => {
      const old = this.visibleKey(ctx, await tx.keys.get(id));
      const status = keyStatus(old, now);
      if (status === "revoked") throw new KeysmithError("KEY_REVOKED", "A revoked key cannot be rolled.");
      if (status === "expired") throw new KeysmithError("KEY_EXPIRED", "An expired key cannot be rolled.");
      if (old.rolledTo !== null) {
        throw new KeysmithError(
          "KEY_ALREADY_ROLLED",
          `This key was already rolled to ${old.rolledTo}; roll that one.`,
        );
      }
      const project = (await tx.projects.get(old.projectId)) as ProjectRecord;
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
        // The successor is keysmith's own key, whatever its predecessor's format.
        imported: false,
      };
      const graceEnd = now + gracePeriodMs;
      const previous: KeyRecord = {
        ...old,
        expiresAt: old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd),
        rolledTo: successor.id,
        updatedAt: now,
      };
      await tx.keys.insert(successor);
      await tx.keys.update(previous);
      // The successor holds the same roles.
      const roles = await tx.roles.ofKey(old.id);
      if (roles.length > 0)
        await tx.roles.setKeyRoles(
          successor.id,
          roles.map((r) => r.id),
        );
      await tx.audit("key.roll", target(previous), {
        successorId: successor.id,
        gracePeriodMs,
        previousExpiresAt: new Date(previous.expiresAt as number).toISOString(),
      });
      return { record: successor, plaintext: generated.key, previous };
    });
  }

  /**
   * Sets, adds to or takes from a key's balance in one statement (after the refill a new period
   * brings), so concurrent verifications never see half of it. `set` gives an unlimited key a
   * limit; `increment` and `decrement` need one.
   */
  async adjustCredits(
    ctx: ActionContext,
    id: string,
    op: "set" | "increment" | "decrement",
    amount: number,
  ): Promise<number> {
    requireScope(ctx.actor, "keys:write");
    return this.deps.write(ctx, async (tx) => {
      const key = this.visibleKey(ctx, await tx.keys.get(id));
      if (key.revokedAt !== null) throw new KeysmithError("KEY_REVOKED", "A revoked key cannot be changed.");
      const refill = key.credits?.refill ?? null;
      const remaining = await tx.keys.adjustCredits(
        id,
        op,
        amount,
        refill ? periodStart(refill.interval, tx.now) : null,
        refill ? refill.amount : null,
      );
      if (remaining === null) {
        throw new KeysmithError(
          "NO_CREDIT_LIMIT",
          `This key has no credit limit to ${op}; set one first (op "set").`,
        );
      }
      await tx.audit("key.credits", target(key), { op, amount, remaining });
      return remaining;
    });
  }

  /** Revokes at once. Revoking a revoked key changes nothing and answers the key as it is. */
  async revoke(ctx: ActionContext, id: string, reason: string | undefined): Promise<KeyRecord> {
    requireScope(ctx.actor, "keys:write");
    const now = this.deps.clock.now();
    return this.deps.write(ctx, async (tx) => {
      const found = this.visibleKey(ctx, await tx.keys.get(id));
      if (found.revokedAt !== null) return found;
      const next: KeyRecord = { ...found, revokedAt: now, updatedAt: now };
      await tx.keys.update(next);
      await tx.audit("key.revoke", target(next), reason ? { reason } : {});
      return next;
    });
  }

  /**
   * The anomaly policy's answer to a spike: disable the key, when its project says so. Acts
   * as the system, audited like any change.
   */
  async disableOnAnomaly(keyId: string, projectId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    return this.deps.write(SYSTEM, async (tx) => {
      const project = await tx.projects.get(projectId);
      const key = await tx.keys.get(keyId);
      if (project?.settings.anomalyPolicy !== "disable" || !key || !key.enabled || key.revokedAt !== null)
        return false;
      await tx.keys.update({ ...key, enabled: false, updatedAt: now });
      await tx.audit("key.update", target(key), {
        changed: ["enabled"],
        reason: "anomaly policy: disabled on a usage spike",
      });
      return true;
    });
  }

  private async visibleProject(ctx: ActionContext, projectId: string): Promise<ProjectRecord> {
    const project = await this.deps.store.projects.get(projectId);
    if (!project || !canSeeProject(ctx.actor, project.id))
      throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    return project;
  }

  private visibleKey(ctx: ActionContext, key: KeyRecord | null): KeyRecord {
    if (!key || !canSeeProject(ctx.actor, key.projectId))
      throw new KeysmithError("KEY_NOT_FOUND", "No such key.");
    return key;
  }
}

/** What an audit entry about a key names. */
function target(key: KeyRecord) {
  return { type: "key", id: key.id, projectId: key.projectId };
}

/** A new key's record: its settings and rate limits checked against its project, its credentials as given. */
function newKeyRecord(
  project: ProjectRecord,
  input: CreateKeyInput & { type: KeyType; environment: KeyEnvironment },
  credentials: Pick<KeyRecord, "hash" | "start" | "last4" | "imported">,
  now: number,
): KeyRecord {
  const settings = checkKeySettings(
    project,
    {
      type: input.type,
      scopes: input.scopes ?? (input.type === "secret" ? ["*"] : []),
      meta: input.meta ?? null,
      allowedOrigins: input.allowedOrigins ?? null,
      allowedIps: input.allowedIps ?? null,
      expiresAt: parseTimestamp(input.expiresAt, "expiresAt") ?? null,
    },
    now,
  );
  checkRatelimits(input.ratelimits);
  return {
    ...settings,
    ...credentials,
    id: newId("key", now),
    projectId: project.id,
    environment: input.environment,
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
      ? initialCredits({ remaining: input.credits.remaining, refill: input.credits.refill ?? undefined }, now)
      : null,
    budget: input.budget ? normalizeBudget(input.budget) : null,
  };
}

/** A key record for an imported hash: known by its hash, in whatever format its plaintext is. */
function importedRecord(project: ProjectRecord, row: ImportKeyInput, now: number): KeyRecord {
  const credentials = { hash: row.hash.toLowerCase(), start: row.start ?? "", last4: "", imported: true };
  return newKeyRecord(project, row, credentials, now);
}

/** Names the import row an error is about. */
function inRow(error: unknown, row: number): unknown {
  if (!(error instanceof KeysmithError)) return error;
  const details =
    error.details && typeof error.details === "object" && !Array.isArray(error.details) ? error.details : {};
  return new KeysmithError(error.code, `Row ${row}: ${error.message}`, { ...details, row });
}
