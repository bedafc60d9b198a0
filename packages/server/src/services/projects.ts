import { isValidScope, KeysmithError, newId, ROOT_KEY_PREFIX } from "@keysmith/core";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
} from "../domain/access.js";
import { checkRatelimits, normalizeBudget } from "../domain/limits.js";
import type { BudgetSpec, Page, ProjectRecord, RateLimitSpec } from "../domain/records.js";
import { isUniqueViolation } from "../storage/store.js";
import type { ServiceDeps } from "./context.js";

/** Metering settings as the API takes them. */
export interface ProjectSettingsInput {
  defaultRatelimits?: RateLimitSpec[] | null | undefined;
  costTable?: Record<string, number> | null | undefined;
  budget?: (Partial<BudgetSpec> & { limit: number }) | null | undefined;
  anomalyPolicy?: "alert" | "disable" | undefined;
  leakPolicy?: "revoke" | "flag" | undefined;
}

export interface CreateProjectInput extends ProjectSettingsInput {
  name: string;
  prefix: string;
  publishableScopes?: string[] | undefined;
}

export interface UpdateProjectInput extends ProjectSettingsInput {
  name?: string | undefined;
  publishableScopes?: string[] | undefined;
}

/** Merges settings given in a request into a project's settings; `null` clears one. */
function applySettings(
  current: ProjectRecord["settings"],
  input: ProjectSettingsInput,
): ProjectRecord["settings"] {
  checkRatelimits(input.defaultRatelimits, "defaultRatelimits");
  const next = { ...current };
  if (input.defaultRatelimits !== undefined) next.defaultRatelimits = input.defaultRatelimits;
  if (input.costTable !== undefined) next.costTable = input.costTable;
  if (input.budget !== undefined) next.budget = input.budget === null ? null : normalizeBudget(input.budget);
  if (input.anomalyPolicy !== undefined) next.anomalyPolicy = input.anomalyPolicy;
  if (input.leakPolicy !== undefined) next.leakPolicy = input.leakPolicy;
  return next;
}

/** Projects: one API that keysmith protects, with its key prefix and settings. */
export class ProjectService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(ctx: ActionContext, input: CreateProjectInput): Promise<ProjectRecord> {
    requireScope(ctx.actor, "projects:write");
    if (ctx.actor.projectId !== null) {
      throw new KeysmithError("FORBIDDEN", "A root key bound to one project cannot create projects.");
    }
    if (input.prefix === ROOT_KEY_PREFIX) {
      throw new KeysmithError("UNPROCESSABLE", "The prefix ks is reserved for root keys.", {
        field: "prefix",
      });
    }
    assertScopes(input.publishableScopes);
    const now = this.deps.clock.now();
    const project: ProjectRecord = {
      id: newId("proj", now),
      name: input.name,
      prefix: input.prefix,
      publishableScopes: input.publishableScopes ?? [],
      settings: applySettings({}, input),
      createdAt: now,
      updatedAt: now,
    };
    const created = this.deps.write(ctx, async (tx) => {
      if (await tx.projects.getByPrefix(input.prefix)) throw new KeysmithError("PREFIX_TAKEN");
      await tx.projects.insert(project);
      await tx.audit("project.create", target(project), { name: project.name, prefix: project.prefix });
    });
    // The check above answers the common case; the unique index settles a race between nodes.
    await created.catch((error: unknown) => {
      throw isUniqueViolation(error) ? new KeysmithError("PREFIX_TAKEN") : error;
    });
    return project;
  }

  async get(ctx: ActionContext, id: string): Promise<ProjectRecord> {
    requireScope(ctx.actor, "projects:read");
    const project = await this.deps.store.projects.get(id);
    if (!project || !canSeeProject(ctx.actor, project.id))
      throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    return project;
  }

  list(ctx: ActionContext, cursor: string | undefined, limit: number): Promise<Page<ProjectRecord>> {
    requireScope(ctx.actor, "projects:read");
    const scope = ctx.actor.projectId === null ? null : [ctx.actor.projectId];
    return this.deps.store.projects.list(scope, decodeCursor(cursor, ID_CURSOR), limit);
  }

  async update(ctx: ActionContext, id: string, input: UpdateProjectInput): Promise<ProjectRecord> {
    requireScope(ctx.actor, "projects:write");
    assertScopes(input.publishableScopes);
    const now = this.deps.clock.now();
    return this.deps.write(ctx, async (tx) => {
      const project = await tx.projects.get(id);
      if (!project || !canSeeProject(ctx.actor, project.id))
        throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
      const next: ProjectRecord = {
        ...project,
        name: input.name ?? project.name,
        publishableScopes: input.publishableScopes ?? project.publishableScopes,
        settings: applySettings(project.settings, input),
        updatedAt: now,
      };
      await tx.projects.update(next);
      await tx.audit("project.update", target(next), { changed: Object.keys(input) });
      return next;
    });
  }
}

/** What an audit entry about a project names. */
function target(project: ProjectRecord) {
  return { type: "project", id: project.id, projectId: project.id };
}

function assertScopes(scopes: string[] | undefined): void {
  const bad = scopes?.filter((s) => !isValidScope(s)) ?? [];
  if (bad.length)
    throw new KeysmithError("VALIDATION_ERROR", "Scopes must look like resource:action.", { scopes: bad });
}
