import { Type } from "typebox";
import { encodeCursor } from "../domain/access.js";
import { type App, contextOf, type Services } from "../http-types.js";
import {
  ErrorOf,
  ErrorResponse,
  IdParams,
  ListOf,
  ListQuery,
  Project,
  ProjectCreate,
  ProjectPatch,
} from "./schemas.js";
import { projectView } from "./views.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

export function projectRoutes(app: App, { projects }: Services): void {
  app.post(
    "/v1/projects",
    {
      config: { scope: "projects:write" },
      schema: {
        tags: ["projects"],
        summary: "Create a project",
        body: ProjectCreate,
        response: { 201: Project, ...errors, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request, reply) => {
      const project = await projects.create(contextOf(request), request.body);
      return reply.code(201).send(projectView(project));
    },
  );

  app.get(
    "/v1/projects",
    {
      config: { scope: "projects:read" },
      schema: {
        tags: ["projects"],
        summary: "List the projects this root key can see",
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: ListOf(Project), ...errors },
      },
    },
    async (request) => {
      const page = await projects.list(contextOf(request), request.query.cursor, request.query.limit);
      return { data: page.items.map(projectView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/projects/:id",
    {
      config: { scope: "projects:read" },
      schema: {
        tags: ["projects"],
        summary: "Read a project",
        params: IdParams("proj"),
        response: { 200: Project, ...errors, 404: ErrorOf("PROJECT_NOT_FOUND") },
      },
    },
    async (request) => projectView(await projects.get(contextOf(request), request.params.id)),
  );

  app.patch(
    "/v1/projects/:id",
    {
      config: { scope: "projects:write" },
      schema: {
        tags: ["projects"],
        summary: "Change a project's name or publishable scopes",
        params: IdParams("proj"),
        body: ProjectPatch,
        response: { 200: Project, ...errors, 404: ErrorOf("PROJECT_NOT_FOUND") },
      },
    },
    async (request) =>
      projectView(await projects.update(contextOf(request), request.params.id, request.body)),
  );
}
