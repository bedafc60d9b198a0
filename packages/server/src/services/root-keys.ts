import { generateKey, KeysmithError, newId, ROOT_KEY_PREFIX } from "@keysmith/core";
import type { Page, RootKeyRecord } from "../storage/records.js";
import type { Repo } from "../storage/store.js";
import {
  type ActionContext,
  auditEntry,
  canSeeProject,
  decodeCursor,
  hasScope,
  ID_CURSOR,
  type RootScope,
  requireScope,
  type ServiceDeps,
} from "./context.js";
import { parseTimestamp } from "./key-settings.js";

export interface CreateRootKeyInput {
  projectId?: string | null | undefined;
  scopes: RootScope[];
  name?: string | null | undefined;
  expiresAt?: string | null | undefined;
  /** Vault environments the key may touch (null: all); never wider than the creator's. */
  environments?: string[] | null | undefined;
}

/** Generates a root key record; the plaintext goes back to the caller once. */
export function issueRootKey(
  fields: Pick<RootKeyRecord, "projectId" | "scopes" | "name" | "expiresAt" | "createdBy"> &
    Partial<Pick<RootKeyRecord, "environments">>,
  now: number,
): { record: RootKeyRecord; plaintext: string } {
  const generated = generateKey({ prefix: ROOT_KEY_PREFIX, typeCode: "root", environment: "live" });
  return {
    plaintext: generated.key,
    record: {
      ...fields,
      environments: fields.environments ?? null,
      id: newId("root", now),
      hash: generated.hash,
      start: generated.start,
      last4: generated.last4,
      createdAt: now,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
}

/**
 * Management credentials. A root key can mint root keys no broader than itself: a subset of
 * its scopes, its own project binding (or a narrower one) and an expiry no later than its own.
 */
export class RootKeyService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(
    ctx: ActionContext,
    input: CreateRootKeyInput,
  ): Promise<{ record: RootKeyRecord; plaintext: string }> {
    const { actor } = ctx;
    requireScope(actor, "admin");
    const scopes = [...new Set(input.scopes)];
    const broader = scopes.filter((s) => !hasScope(actor, s));
    if (broader.length) {
      throw new KeysmithError(
        "FORBIDDEN",
        `A root key cannot grant scopes it lacks: ${broader.join(", ")}.`,
        {
          scopes: broader,
        },
      );
    }
    let projectId = input.projectId === undefined ? actor.projectId : input.projectId;
    if (actor.projectId !== null && projectId !== actor.projectId) {
      throw new KeysmithError(
        "FORBIDDEN",
        "A root key bound to one project can only create keys bound to it.",
      );
    }
    projectId ??= null;
    if (projectId !== null && !(await this.deps.store.getProject(projectId))) {
      throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    }
    const now = this.deps.clock.now();
    let expiresAt = parseTimestamp(input.expiresAt, "expiresAt") ?? null;
    if (expiresAt !== null && expiresAt <= now) {
      throw new KeysmithError("UNPROCESSABLE", "expiresAt must be in the future.", { field: "expiresAt" });
    }
    if (actor.expiresAt !== null) {
      if (expiresAt !== null && expiresAt > actor.expiresAt) {
        throw new KeysmithError("FORBIDDEN", "A root key cannot create one that outlives it.");
      }
      expiresAt ??= actor.expiresAt;
    }
    const environments = narrowEnvironments(actor.environments, input.environments);
    const issued = issueRootKey(
      { projectId, scopes, name: input.name ?? null, expiresAt, createdBy: actor.id, environments },
      now,
    );
    await this.deps.store.transaction(async (repo) => {
      await repo.insertRootKey(issued.record);
      await repo.appendAudit(
        auditEntry(
          ctx,
          "root_key.create",
          { type: "root_key", id: issued.record.id, projectId },
          {
            scopes,
            start: issued.record.start,
            ...(environments === null ? {} : { environments }),
          },
        ),
        now,
      );
    });
    return issued;
  }

  list(ctx: ActionContext, cursor: string | undefined, limit: number): Promise<Page<RootKeyRecord>> {
    requireScope(ctx.actor, "admin");
    return this.deps.store.listRootKeys(ctx.actor.projectId, decodeCursor(cursor, ID_CURSOR), limit);
  }

  async revoke(ctx: ActionContext, id: string): Promise<RootKeyRecord> {
    requireScope(ctx.actor, "admin");
    const now = this.deps.clock.now();
    const { record, revoked } = await this.deps.store.transaction(async (repo) => {
      const target = await repo.getRootKey(id);
      if (!target || !canSeeProject(ctx.actor, target.projectId)) {
        throw new KeysmithError("ROOT_KEY_NOT_FOUND", "No such root key.");
      }
      if (target.scopes.some((s) => !hasScope(ctx.actor, s as RootScope))) {
        throw new KeysmithError("FORBIDDEN", "A root key cannot revoke one broader than itself.");
      }
      if (target.revokedAt !== null) return { record: target, revoked: [] };
      const revoked = await revokeRootKeyTree(repo, ctx, target, now, "revoked");
      return { record: { ...target, revokedAt: now }, revoked };
    });
    for (const rootKeyId of revoked) await this.deps.changes.publish({ type: "root_key.revoked", rootKeyId });
    return record;
  }
}

/**
 * Revokes a root key and every live root key it created, at any depth (a child never outlives
 * its parent's revocation), each with its own audit entry and change. Runs in the caller's
 * transaction; returns the revoked ids, so the caller publishes them after commit.
 */
export async function revokeRootKeyTree(
  repo: Repo,
  ctx: ActionContext,
  root: RootKeyRecord,
  now: number,
  reason: "revoked" | "leaked",
): Promise<string[]> {
  const revoked: string[] = [];
  let level: RootKeyRecord[] = [root];
  // Ids already seen guard against a cycle, which no API call can make but a hand edit could.
  const seen = new Set<string>([root.id]);
  while (level.length > 0) {
    for (const key of level) {
      await repo.revokeRootKey(key.id, now);
      const details: Record<string, unknown> = { reason };
      if (key.id !== root.id) details.cascadeFrom = root.id;
      await repo.appendAudit(
        auditEntry(
          ctx,
          "root_key.revoke",
          { type: "root_key", id: key.id, projectId: key.projectId },
          details,
        ),
        now,
      );
      await repo.recordChange({ type: "root_key.revoked", rootKeyId: key.id }, now);
      revoked.push(key.id);
    }
    const children = await repo.liveRootKeysCreatedBy(level.map((k) => k.id));
    level = children.filter((k) => !seen.has(k.id));
    for (const k of level) seen.add(k.id);
  }
  return revoked;
}

/**
 * The vault environments a new root key gets: the creator's when none are asked for, else the
 * ones asked for, which must lie within the creator's (a child key can only narrow).
 */
function narrowEnvironments(
  creator: string[] | null,
  requested: string[] | null | undefined,
): string[] | null {
  if (requested === undefined) return creator;
  const wanted = requested === null ? null : [...new Set(requested)].sort();
  if (creator === null) return wanted;
  if (wanted === null) {
    throw new KeysmithError(
      "FORBIDDEN",
      "A root key limited to some environments cannot create one for all.",
    );
  }
  const wider = wanted.filter((e) => !creator.includes(e));
  if (wider.length) {
    throw new KeysmithError(
      "FORBIDDEN",
      `A root key cannot grant environments it lacks: ${wider.join(", ")}.`,
      { environments: wider },
    );
  }
  return wanted;
}
