import type { Selectable } from "kysely";
import type { Page, ProjectRecord } from "../../domain/records.js";
import type { ProjectsTable } from "../schema.js";
import { anyOf, type Executor, page } from "./shared.js";

/** Reads every caller may do. */
export interface ProjectReader {
  get(id: string): Promise<ProjectRecord | null>;
  getByPrefix(prefix: string): Promise<ProjectRecord | null>;
  /** Newest first; `projectIds` null for all. */
  list(
    projectIds: readonly string[] | null,
    after: string | null,
    limit: number,
  ): Promise<Page<ProjectRecord>>;
}

export class ProjectRepository implements ProjectReader {
  constructor(private readonly db: Executor) {}

  async insert(project: ProjectRecord): Promise<void> {
    await this.db.insertInto("projects").values(projectRow(project)).execute();
  }

  async update(project: ProjectRecord): Promise<void> {
    const { id, ...row } = projectRow(project);
    await this.db.updateTable("projects").set(row).where("id", "=", id).execute();
  }

  async get(id: string): Promise<ProjectRecord | null> {
    const row = await this.db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async getByPrefix(prefix: string): Promise<ProjectRecord | null> {
    const row = await this.db
      .selectFrom("projects")
      .selectAll()
      .where("prefix", "=", prefix)
      .executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async list(
    projectIds: readonly string[] | null,
    after: string | null,
    limit: number,
  ): Promise<Page<ProjectRecord>> {
    let query = this.db
      .selectFrom("projects")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit + 1);
    if (projectIds) query = query.where("id", "in", anyOf(projectIds));
    if (after) query = query.where("id", "<", after);
    return page((await query.execute()).map(toProject), limit, (p) => p.id);
  }
}

function projectRow(p: ProjectRecord): ProjectsTable {
  return {
    id: p.id,
    name: p.name,
    prefix: p.prefix,
    publishable_scopes: JSON.stringify(p.publishableScopes),
    settings: JSON.stringify(p.settings),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function toProject(row: Selectable<ProjectsTable>): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    publishableScopes: JSON.parse(row.publishable_scopes) as string[],
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
