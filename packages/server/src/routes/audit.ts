import { encodeCursor } from "../domain/access.js";
import { parseTimestamp } from "../domain/key-settings.js";
import { type App, contextOf, type Services } from "../http-types.js";
import { AuditEntrySchema, AuditQuery, AuditVerifyResponse, ErrorResponse, ListOf } from "./schemas.js";
import { auditView } from "./views.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

export function auditRoutes(app: App, { audit }: Services): void {
  app.get(
    "/v1/audit",
    {
      config: { scope: "audit:read" },
      schema: {
        tags: ["audit"],
        summary: "The append-only audit log, newest first, hash-chained",
        querystring: AuditQuery,
        response: { 200: ListOf(AuditEntrySchema), ...errors },
      },
    },
    async (request) => {
      const { cursor, limit, from, to, ...rest } = request.query;
      const filter = {
        ...rest,
        from: parseTimestamp(from, "from") ?? undefined,
        to: parseTimestamp(to, "to") ?? undefined,
      };
      const page = await audit.list(contextOf(request), filter, cursor, limit);
      return { data: page.items.map(auditView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/audit/verify",
    {
      config: { scope: "audit:read" },
      schema: {
        tags: ["audit"],
        summary: "Check the hash chain: a changed or removed entry breaks it",
        response: { 200: AuditVerifyResponse, ...errors },
      },
    },
    async (request) => audit.verify(contextOf(request)),
  );
}
