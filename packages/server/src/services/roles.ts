import { isValidScope, KeysmithError, newId } from "@keysmith/core";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
} from "../domain/access.js";
import type { RoleRecord } from "../domain/identities.js";
import type { Page } from "../domain/records.js";
import { isUniqueViolation } from "../storage/store.js";
import type { WriteTx } from "../storage/unit-of-work.js";
import type { ServiceDeps } from "./context.js";
import { projectScope, visibleProject } from "./project-scope.js";

export interface CreateRoleInput {
  projectId?: string | undefined;
  name: string;
  scopes: string[];
}

export type UpdateRoleInput = Partial<Omit<CreateRoleInput, "projectId">>;

/**
 * Roles (SPEC §10): named scope sets per project. A key holding a role holds its scopes; a change
 * to a role is audited and announced, so every node re-resolves the keys holding it at their
 * next verification.
 */
export class RoleService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(ctx: ActionContext, input: CreateRoleInput): Promise<RoleRecord> {
    requireScope(ctx.actor, "keys:write");
    assertScopes(input.scopes);
    const project = await visibleProject(this.deps.store, ctx, input.projectId);
    const now = this.deps.clock.now();
    const role: RoleRecord = {
      id: newId("role", now),
      projectId: project.id,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      createdAt: now,
      updatedAt: now,
    };
    await this.deps
      .write(ctx, async (tx) => {
        if ((await tx.roles.getByNames(project.id, [role.name])).length > 0) throw exists();
        await tx.roles.insert(role);
        await tx.audit("role.create", target(role), { name: role.name, scopes: role.scopes });
      })
      .catch(rethrowUnique);
    return role;
  }

  async get(ctx: ActionContext, id: string): Promise<RoleRecord> {
    requireScope(ctx.actor, "keys:read");
    return visible(ctx, await this.deps.store.roles.get(id));
  }

  list(
    ctx: ActionContext,
    query: { projectId?: string | undefined; cursor?: string | undefined; limit: number },
  ): Promise<Page<RoleRecord>> {
    requireScope(ctx.actor, "keys:read");
    return this.deps.store.roles.list(
      projectScope(ctx, query.projectId),
      decodeCursor(query.cursor, ID_CURSOR),
      query.limit,
    );
  }

  async update(ctx: ActionContext, id: string, input: UpdateRoleInput): Promise<RoleRecord> {
    requireScope(ctx.actor, "keys:write");
    if (input.scopes) assertScopes(input.scopes);
    const now = this.deps.clock.now();
    return this.deps
      .write(ctx, async (tx) => {
        const current = visible(ctx, await tx.roles.get(id));
        const name = input.name ?? current.name;
        if (name !== current.name && (await tx.roles.getByNames(current.projectId, [name])).length > 0)
          throw exists();
        const next: RoleRecord = {
          ...current,
          name,
          scopes: input.scopes ? [...new Set(input.scopes)] : current.scopes,
          updatedAt: now,
        };
        await tx.roles.update(next);
        await tx.audit("role.update", target(next), {
          changed: Object.keys(input).sort(),
          scopes: next.scopes,
        });
        return next;
      })
      .catch(rethrowUnique);
  }

  /** Deletes a role; the keys that held it lose its scopes at their next verification. */
  async delete(ctx: ActionContext, id: string): Promise<RoleRecord> {
    requireScope(ctx.actor, "keys:write");
    return this.deps.write(ctx, async (tx) => {
      const current = visible(ctx, await tx.roles.get(id));
      await tx.roles.delete(id);
      await tx.audit("role.delete", target(current), { name: current.name });
      return current;
    });
  }
}

/**
 * The ids of a project's roles named `names`; UNKNOWN_ROLES (422) naming those it lacks. For
 * the key service, inside its unit of work.
 */
export async function resolveRoles(
  tx: Pick<WriteTx, "roles">,
  projectId: string,
  names: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(names)];
  const found = await tx.roles.getByNames(projectId, wanted);
  const known = new Set(found.map((r) => r.name));
  const unknown = wanted.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new KeysmithError("UNKNOWN_ROLES", `The project has no role named ${unknown.join(", ")}.`, {
      field: "roles",
      roles: unknown,
    });
  }
  return found.map((r) => r.id);
}

function assertScopes(scopes: string[]): void {
  const bad = scopes.filter((s) => !isValidScope(s));
  if (bad.length)
    throw new KeysmithError("VALIDATION_ERROR", "Scopes must look like resource:action.", { scopes: bad });
}

function visible(ctx: ActionContext, role: RoleRecord | null): RoleRecord {
  if (!role || !canSeeProject(ctx.actor, role.projectId))
    throw new KeysmithError("ROLE_NOT_FOUND", "No such role.");
  return role;
}

const exists = () =>
  new KeysmithError("ROLE_EXISTS", "The project already has a role with this name.", { field: "name" });

function rethrowUnique(error: unknown): never {
  throw isUniqueViolation(error) ? exists() : error;
}

/** What an audit entry about a role names. */
function target(role: RoleRecord) {
  return { type: "role", id: role.id, projectId: role.projectId };
}
