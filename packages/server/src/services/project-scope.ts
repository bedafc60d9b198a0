import { KeysmithError } from "@keysmith/core";
import { type ActionContext, canSeeProject } from "../domain/access.js";
import type { ProjectRecord } from "../domain/records.js";
import type { Store } from "../storage/store.js";

/**
 * The project a create names, or the root key's own when it names none; one the root key cannot
 * see answers NOT_FOUND, as if it did not exist.
 */
export async function visibleProject(
  store: Pick<Store, "projects">,
  ctx: ActionContext,
  projectId: string | undefined,
): Promise<ProjectRecord> {
  const id = projectId ?? ctx.actor.projectId;
  if (!id) {
    throw new KeysmithError("UNPROCESSABLE", "projectId is required for a root key bound to all projects.", {
      field: "projectId",
    });
  }
  const project = await store.projects.get(id);
  if (!project || !canSeeProject(ctx.actor, project.id))
    throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
  return project;
}

/** The projects a list may show: the root key's own, or the one asked for, or (null) all. */
export function projectScope(ctx: ActionContext, projectId: string | undefined): string[] | null {
  if (ctx.actor.projectId !== null) {
    // Another project's id answers an empty list, as if it did not exist.
    return projectId && projectId !== ctx.actor.projectId ? [] : [ctx.actor.projectId];
  }
  return projectId ? [projectId] : null;
}
