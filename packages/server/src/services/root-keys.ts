import { generateKey, KeysmithError, newId, ROOT_KEY_PREFIX } from "@keysmith/core";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  hasScope,
  ID_CURSOR,
  type RootScope,
  requireScope,
} from "../domain/access.js";
import { parseTimestamp } from "../domain/key-settings.js";
import type { Page, RootKeyRecord } from "../domain/records.js";
import type { WriteTx } from "../storage/unit-of-work.js";
import type { ServiceDeps } from "./context.js";

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
    if (projectId !== null && !(await this.deps.store.projects.get(projectId))) {
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
    await this.deps.write(ctx, async (tx) => {
      await tx.rootKeys.insert(issued.record);
      await tx.audit("root_key.create", target(issued.record), {
        scopes,
        start: issued.record.start,
        ...(environments === null ? {} : { environments }),
      });
    });
    return issued;
  }

  list(ctx: ActionContext, cursor: string | undefined, limit: number): Promise<Page<RootKeyRecord>> {
    requireScope(ctx.actor, "admin");
    return this.deps.store.rootKeys.list(ctx.actor.projectId, decodeCursor(cursor, ID_CURSOR), limit);
  }

  async revoke(ctx: ActionContext, id: string): Promise<RootKeyRecord> {
    requireScope(ctx.actor, "admin");
    return this.deps.write(ctx, async (tx) => {
      const found = await tx.rootKeys.get(id);
      if (!found || !canSeeProject(ctx.actor, found.projectId)) {
        throw new KeysmithError("ROOT_KEY_NOT_FOUND", "No such root key.");
      }
      if (found.scopes.some((s) => !hasScope(ctx.actor, s as RootScope))) {
        throw new KeysmithError("FORBIDDEN", "A root key cannot revoke one broader than itself.");
      }
      if (found.revokedAt !== null) return found;
      await revokeRootKeyTree(tx, found, "revoked");
      return { ...found, revokedAt: tx.now };
    });
  }
}

/**
 * Revokes a root key and every live root key it created, at any depth (a child never outlives
 * its parent's revocation), each with its own audit entry and so its own change. Runs in the
 * caller's unit of work; returns the revoked ids.
 */
export async function revokeRootKeyTree(
  tx: WriteTx,
  root: RootKeyRecord,
  reason: "revoked" | "leaked",
): Promise<string[]> {
  const revoked: string[] = [];
  let level: RootKeyRecord[] = [root];
  // Ids already seen guard against a cycle, which no API call can make but a hand edit could.
  const seen = new Set<string>([root.id]);
  while (level.length > 0) {
    for (const key of level) {
      await tx.rootKeys.revoke(key.id, tx.now);
      const details: Record<string, unknown> = { reason };
      if (key.id !== root.id) details.cascadeFrom = root.id;
      await tx.audit("root_key.revoke", target(key), details);
      revoked.push(key.id);
    }
    const children = await tx.rootKeys.liveCreatedBy(level.map((k) => k.id));
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

/** What an audit entry about a root key names. */
function target(key: RootKeyRecord) {
  return { type: "root_key", id: key.id, projectId: key.projectId };
}
