import { encodeCursor } from "../domain/access.js";
import { type App, contextOf, type Services } from "../http-types.js";
import {
  ErrorOf,
  ErrorResponse,
  Identity,
  IdentityCreate,
  IdentityPatch,
  IdParams,
  ListOf,
  ProjectListQuery,
} from "./schemas.js";
import { identityView } from "./views.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorOf("IDENTITY_NOT_FOUND", "PROJECT_NOT_FOUND"),
};

/** `/v1/identities` (SPEC §10): the customer behind keys, with shared limits and credits. */
export function identityRoutes(app: App, { identities }: Services): void {
  app.post(
    "/v1/identities",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["identities"],
        summary: "Create an identity: keys whose ownerId is its externalId share its limits and credits",
        body: IdentityCreate,
        response: { 201: Identity, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const identity = await identities.create(contextOf(request), request.body);
      return reply.code(201).send(identityView(identity));
    },
  );

  app.get(
    "/v1/identities",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["identities"],
        summary: "List identities, newest first",
        querystring: ProjectListQuery,
        response: { 200: ListOf(Identity), ...errors },
      },
    },
    async (request) => {
      const page = await identities.list(contextOf(request), request.query);
      return { data: page.items.map(identityView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/identities/:id",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["identities"],
        summary: "Read an identity",
        params: IdParams("idt"),
        response: { 200: Identity, ...errors },
      },
    },
    async (request) => identityView(await identities.get(contextOf(request), request.params.id)),
  );

  app.patch(
    "/v1/identities/:id",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["identities"],
        summary: "Change an identity's externalId, meta, shared rate limits or credit pool",
        params: IdParams("idt"),
        body: IdentityPatch,
        response: { 200: Identity, ...errors, 409: ErrorResponse },
      },
    },
    async (request) =>
      identityView(await identities.update(contextOf(request), request.params.id, request.body)),
  );

  app.delete(
    "/v1/identities/:id",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["identities"],
        summary: "Delete an identity; its keys stay and verify with identity: null",
        params: IdParams("idt"),
        response: { 200: Identity, ...errors },
      },
    },
    async (request) => identityView(await identities.delete(contextOf(request), request.params.id)),
  );
}
