import { encodeCursor } from "../domain/access.js";
import { type App, contextOf, type Services } from "../http-types.js";
import {
  ErrorOf,
  ErrorResponse,
  IdParams,
  ListOf,
  ProjectListQuery,
  Role,
  RoleCreate,
  RolePatch,
} from "./schemas.js";
import { roleView } from "./views.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorOf("ROLE_NOT_FOUND", "PROJECT_NOT_FOUND"),
};

/** `/v1/roles` (SPEC §10): named scope sets that keys hold (`roles` on a key). */
export function roleRoutes(app: App, { roles }: Services): void {
  app.post(
    "/v1/roles",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["roles"],
        summary: "Create a role: a named set of scopes keys can hold",
        body: RoleCreate,
        response: { 201: Role, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const role = await roles.create(contextOf(request), request.body);
      return reply.code(201).send(roleView(role));
    },
  );

  app.get(
    "/v1/roles",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["roles"],
        summary: "List roles, newest first",
        querystring: ProjectListQuery,
        response: { 200: ListOf(Role), ...errors },
      },
    },
    async (request) => {
      const page = await roles.list(contextOf(request), request.query);
      return { data: page.items.map(roleView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/roles/:id",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["roles"],
        summary: "Read a role",
        params: IdParams("role"),
        response: { 200: Role, ...errors },
      },
    },
    async (request) => roleView(await roles.get(contextOf(request), request.params.id)),
  );

  app.patch(
    "/v1/roles/:id",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["roles"],
        summary:
          "Rename a role or change its scopes; every key holding it sees the change at its next verification",
        params: IdParams("role"),
        body: RolePatch,
        response: { 200: Role, ...errors, 409: ErrorResponse },
      },
    },
    async (request) => roleView(await roles.update(contextOf(request), request.params.id, request.body)),
  );

  app.delete(
    "/v1/roles/:id",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["roles"],
        summary: "Delete a role; the keys that held it lose its scopes",
        params: IdParams("role"),
        response: { 200: Role, ...errors },
      },
    },
    async (request) => roleView(await roles.delete(contextOf(request), request.params.id)),
  );
}
