import type { Transport } from "../http.js";
import type { ListQuery, Page, Project, ProjectCreate, ProjectUpdate } from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/** `/v1/projects`: the APIs keysmith protects, with their key prefix and metering defaults. */
export class Projects {
  constructor(private readonly transport: Transport) {}

  create(body: ProjectCreate, options: RequestOptions = {}): Promise<Project> {
    return this.transport.json({ method: "POST", path: "/v1/projects", body, retry: "unsent", ...options });
  }

  list(query: ListQuery = {}, options: RequestOptions = {}): Promise<Page<Project>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/projects",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  /** Every project, across pages. */
  iterate(query: Omit<ListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<Project> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  get(id: string, options: RequestOptions = {}): Promise<Project> {
    const path = `/v1/projects/${segment(id)}`;
    return this.transport.json({ method: "GET", path, retry: "idempotent", ...options });
  }

  update(id: string, body: ProjectUpdate, options: RequestOptions = {}): Promise<Project> {
    const path = `/v1/projects/${segment(id)}`;
    return this.transport.json({ method: "PATCH", path, body, retry: "unsent", ...options });
  }
}
