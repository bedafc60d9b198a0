import { Type } from "typebox";
import type { AlertService } from "../alerts/alerts.js";
import { type App, contextOf, type Services } from "../http-types.js";
import { LeakService } from "../services/leaks.js";
import type { Store } from "../storage/store.js";
import { ErrorResponse } from "./schemas.js";

export const LeakReportBody = Type.Object(
  {
    keys: Type.Array(Type.String({ maxLength: 512 }), {
      minItems: 1,
      maxItems: 1000,
      description: "Strings found somewhere they should not be; only keysmith keys match",
    }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Who found them, e.g. keysmith scan" }),
    ),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: "Where they were found" })),
  },
  { additionalProperties: false },
);

const LeakAction = Type.Union([
  Type.Literal("revoked"),
  Type.Literal("flagged"),
  Type.Literal("already_revoked"),
]);

export const LeakReportResponse = Type.Object({
  received: Type.Integer({ description: "Strings received, duplicates included" }),
  matched: Type.Integer({ description: "Distinct keys found among them" }),
  revoked: Type.Integer(),
  flagged: Type.Integer({ description: "Keys left valid because their project's leakPolicy is flag" }),
  unknown: Type.Integer({ description: "Distinct strings that match no key this root key can see" }),
  keys: Type.Array(Type.Object({ keyId: Type.String(), projectId: Type.String(), action: LeakAction })),
});

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** `POST /v1/leaks`: keys found in public are revoked (or flagged) and alerted. */
export function leakRoutes(
  app: App,
  { keys, clock }: Services,
  deps: { store: Store; alerts: AlertService },
): void {
  const leaks = new LeakService({ store: deps.store, clock, keys, alerts: deps.alerts });

  app.post(
    "/v1/leaks",
    {
      schema: {
        tags: ["keys"],
        summary:
          "Report leaked key strings: matching keys are revoked (or flagged, by the project's leakPolicy) and alerted",
        body: LeakReportBody,
        response: { 200: LeakReportResponse, ...errors },
      },
    },
    (request) => leaks.report(contextOf(request), request.body),
  );
}
