import { KeysmithError, newId } from "@keysmith/core";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
} from "../domain/access.js";
import type { IdentityRecord } from "../domain/identities.js";
import { checkRatelimits, initialCredits } from "../domain/limits.js";
import type { CreditRefill, Page, RateLimitSpec } from "../domain/records.js";
import { isUniqueViolation } from "../storage/store.js";
import type { ServiceDeps } from "./context.js";
import { projectScope, visibleProject } from "./project-scope.js";

type CreditsInput = { remaining: number; refill?: CreditRefill | null | undefined } | null | undefined;

export interface CreateIdentityInput {
  projectId?: string | undefined;
  externalId: string;
  meta?: Record<string, unknown> | null | undefined;
  ratelimits?: RateLimitSpec[] | null | undefined;
  credits?: CreditsInput;
}

export type UpdateIdentityInput = Partial<Omit<CreateIdentityInput, "projectId">>;

/**
 * Identities (SPEC §10): the customer behind a project's keys, found by `externalId` = the keys'
 * `ownerId`. Each change is audited and announced, so cached keys pick it up at once.
 */
export class IdentityService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(ctx: ActionContext, input: CreateIdentityInput): Promise<IdentityRecord> {
    requireScope(ctx.actor, "keys:write");
    checkRatelimits(input.ratelimits);
    const project = await visibleProject(this.deps.store, ctx, input.projectId);
    const now = this.deps.clock.now();
    const identity: IdentityRecord = {
      id: newId("idt", now),
      projectId: project.id,
      externalId: input.externalId,
      meta: input.meta ?? null,
      ratelimits: input.ratelimits ?? null,
      credits: input.credits ? initialCredits(creditsOf(input.credits), now) : null,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps
      .write(ctx, async (tx) => {
        if (await tx.identities.getByExternalId(project.id, identity.externalId)) throw exists();
        await tx.identities.insert(identity);
        await tx.audit("identity.create", target(identity), { externalId: identity.externalId });
      })
      // The check above answers the common case; the unique index settles a race between nodes.
      .catch(rethrowUnique);
    return identity;
  }

  async get(ctx: ActionContext, id: string): Promise<IdentityRecord> {
    requireScope(ctx.actor, "keys:read");
    return visible(ctx, await this.deps.store.identities.get(id));
  }

  list(
    ctx: ActionContext,
    query: { projectId?: string | undefined; cursor?: string | undefined; limit: number },
  ): Promise<Page<IdentityRecord>> {
    requireScope(ctx.actor, "keys:read");
    return this.deps.store.identities.list(
      projectScope(ctx, query.projectId),
      decodeCursor(query.cursor, ID_CURSOR),
      query.limit,
    );
  }

  async update(ctx: ActionContext, id: string, input: UpdateIdentityInput): Promise<IdentityRecord> {
    requireScope(ctx.actor, "keys:write");
    checkRatelimits(input.ratelimits);
    const now = this.deps.clock.now();
    return this.deps
      .write(ctx, async (tx) => {
        const current = visible(ctx, await tx.identities.get(id));
        const externalId = input.externalId ?? current.externalId;
        if (
          externalId !== current.externalId &&
          (await tx.identities.getByExternalId(current.projectId, externalId))
        )
          throw exists();
        const next: IdentityRecord = {
          ...current,
          externalId,
          meta: input.meta === undefined ? current.meta : input.meta,
          ratelimits: input.ratelimits === undefined ? current.ratelimits : input.ratelimits,
          credits:
            input.credits === undefined
              ? current.credits
              : input.credits === null
                ? null
                : initialCredits(creditsOf(input.credits), now),
          updatedAt: now,
        };
        await tx.identities.update(next);
        // The balance is only ever set here; verifications change it atomically.
        if (input.credits !== undefined)
          await tx.identities.setCredits(
            id,
            next.credits?.remaining ?? null,
            next.credits?.refilledAt ?? null,
          );
        await tx.audit("identity.update", target(next), { changed: Object.keys(input).sort() });
        return next;
      })
      .catch(rethrowUnique);
  }

  /** Deletes an identity; its keys stay, and verify with `identity: null` from then on. */
  async delete(ctx: ActionContext, id: string): Promise<IdentityRecord> {
    requireScope(ctx.actor, "keys:write");
    return this.deps.write(ctx, async (tx) => {
      const current = visible(ctx, await tx.identities.get(id));
      await tx.identities.delete(id);
      await tx.audit("identity.delete", target(current), { externalId: current.externalId });
      return current;
    });
  }
}

function creditsOf(credits: NonNullable<CreditsInput>) {
  return { remaining: credits.remaining, refill: credits.refill ?? undefined };
}

function visible(ctx: ActionContext, identity: IdentityRecord | null): IdentityRecord {
  if (!identity || !canSeeProject(ctx.actor, identity.projectId))
    throw new KeysmithError("IDENTITY_NOT_FOUND", "No such identity.");
  return identity;
}

const exists = () =>
  new KeysmithError("IDENTITY_EXISTS", "The project already has an identity with this externalId.", {
    field: "externalId",
  });

function rethrowUnique(error: unknown): never {
  throw isUniqueViolation(error) ? exists() : error;
}

/** What an audit entry about an identity names. */
function target(identity: IdentityRecord) {
  return { type: "identity", id: identity.id, projectId: identity.projectId };
}
