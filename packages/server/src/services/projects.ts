import { isValidScope, KeysmithError, newId, ROOT_KEY_PREFIX } from "@keysmith/core";
import { checkRatelimits, normalizeBudget } from "../metering/limits.js";
import type { BudgetSpec, Page, ProjectRecord, RateLimitSpec } from "../storage/records.js";
import { isUniqueViolation } from "../storage/store.js";
import {
  type ActionContext,
  auditEntry,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
  type ServiceDeps,
} from "./context.js";

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
    const { store } = this.deps;
    const created = store.transaction(async (repo) => {
      if (await repo.getProjectByPrefix(input.prefix)) throw new KeysmithError("PREFIX_TAKEN");
      await repo.insertProject(project);
      await repo.appendAudit(
        auditEntry(
          ctx,
          "project.create",
          { type: "project", id: project.id, projectId: project.id },
          {
            name: project.name,
            prefix: project.prefix,
          },
        ),
        now,
      );
    });
    // The check above answers the common case; the unique index settles a race between nodes.
    await created.catch((error: unknown) => {
      throw isUniqueViolation(error) ? new KeysmithError("PREFIX_TAKEN") : error;
    });
    return project;
  }

  async get(ctx: ActionContext, id: string): Promise<ProjectRecord> {
    requireScope(ctx.actor, "projects:read");
    const project = await this.deps.store.getProject(id);
    if (!project || !canSeeProject(ctx.actor, project.id))
      throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    return project;
  }

  list(ctx: ActionContext, cursor: string | undefined, limit: number): Promise<Page<ProjectRecord>> {
    requireScope(ctx.actor, "projects:read");
    const scope = ctx.actor.projectId === null ? null : [ctx.actor.projectId];
    return this.deps.store.listProjects(scope, decodeCursor(cursor, ID_CURSOR), limit);
  }

  async update(ctx: ActionContext, id: string, input: UpdateProjectInput): Promise<ProjectRecord> {
    requireScope(ctx.actor, "projects:write");
    assertScopes(input.publishableScopes);
    const now = this.deps.clock.now();
    const updated = await this.deps.store.transaction(async (repo) => {
      const project = await repo.getProject(id);
      if (!project || !canSeeProject(ctx.actor, project.id))
        throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
      const next: ProjectRecord = {
        ...project,
        name: input.name ?? project.name,
        publishableScopes: input.publishableScopes ?? project.publishableScopes,
        settings: applySettings(project.settings, input),
        updatedAt: now,
      };
      await repo.updateProject(next);
      await repo.appendAudit(
        auditEntry(
          ctx,
          "project.update",
          { type: "project", id, projectId: id },
          { changed: Object.keys(input) },
        ),
        now,
      );
      await repo.recordChange({ type: "project.updated", projectId: id }, now);
      return next;
    });
    await this.deps.changes.publish({ type: "project.updated", projectId: id });
    return updated;
  }
}

function assertScopes(scopes: string[] | undefined): void {
  const bad = scopes?.filter((s) => !isValidScope(s)) ?? [];
  if (bad.length)
    throw new KeysmithError("VALIDATION_ERROR", "Scopes must look like resource:action.", { scopes: bad });
}
