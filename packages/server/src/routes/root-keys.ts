import { Type } from "typebox";
import { encodeCursor } from "../domain/access.js";
import { type App, contextOf, type Services } from "../http-types.js";
import {
  ErrorOf,
  ErrorResponse,
  IdParams,
  IssuedRootKeyResponse,
  ListOf,
  ListQuery,
  RootKey,
  RootKeyCreate,
} from "./schemas.js";
import { rootKeyView } from "./views.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

export function rootKeyRoutes(app: App, { rootKeys, clock }: Services): void {
  app.post(
    "/v1/root-keys",
    {
      config: { scope: "admin", noStore: true },
      schema: {
        tags: ["root keys"],
        summary: "Create a root key no broader than the caller (the plaintext is in this response only)",
        body: RootKeyCreate,
        response: {
          201: IssuedRootKeyResponse,
          ...errors,
          404: ErrorOf("PROJECT_NOT_FOUND"),
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const issued = await rootKeys.create(contextOf(request), request.body);
      return reply.code(201).send({ key: issued.plaintext, ...rootKeyView(issued.record, clock.now()) });
    },
  );

  app.get(
    "/v1/root-keys",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["root keys"],
        summary: "List root keys within the caller's project binding",
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: ListOf(RootKey), ...errors },
      },
    },
    async (request) => {
      const page = await rootKeys.list(contextOf(request), request.query.cursor, request.query.limit);
      const now = clock.now();
      return { data: page.items.map((r) => rootKeyView(r, now)), nextCursor: encodeCursor(page.next) };
    },
  );

  app.post(
    "/v1/root-keys/:id/revoke",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["root keys"],
        summary: "Revoke a root key at once",
        params: IdParams("root"),
        response: { 200: RootKey, ...errors, 404: ErrorOf("ROOT_KEY_NOT_FOUND") },
      },
    },
    async (request) => rootKeyView(await rootKeys.revoke(contextOf(request), request.params.id), clock.now()),
  );
}
