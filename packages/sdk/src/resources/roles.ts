import type { Transport } from "../http.js";
import type { Page, Role, RoleCreate, RoleListQuery, RoleUpdate } from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/**
 * `/v1/roles`: named scope sets per project. A key holding a role (`roles` on create or update)
 * verifies with the role's scopes too; a change to the role reaches it at its next verification.
 *
 * @example
 * await keysmith.roles.create({ projectId, name: "billing", scopes: ["invoices:*"] });
 * await keysmith.keys.create({ projectId, scopes: [], roles: ["billing"] });
 */
export class Roles {
  constructor(private readonly transport: Transport) {}

  create(body: RoleCreate, options: RequestOptions = {}): Promise<Role> {
    return this.transport.json({ method: "POST", path: "/v1/roles", body, retry: "unsent", ...options });
  }

  list(query: RoleListQuery = {}, options: RequestOptions = {}): Promise<Page<Role>> {
    return this.transport.json({ method: "GET", path: "/v1/roles", query, retry: "idempotent", ...options });
  }

  iterate(query: Omit<RoleListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<Role> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  get(id: string, options: RequestOptions = {}): Promise<Role> {
    const path = `/v1/roles/${segment(id)}`;
    return this.transport.json({ method: "GET", path, retry: "idempotent", ...options });
  }

  update(id: string, body: RoleUpdate, options: RequestOptions = {}): Promise<Role> {
    const path = `/v1/roles/${segment(id)}`;
    return this.transport.json({ method: "PATCH", path, body, retry: "unsent", ...options });
  }

  /** Deletes the role; the keys that held it lose its scopes. */
  delete(id: string, options: RequestOptions = {}): Promise<Role> {
    const path = `/v1/roles/${segment(id)}`;
    return this.transport.json({ method: "DELETE", path, retry: "unsent", ...options });
  }
}
