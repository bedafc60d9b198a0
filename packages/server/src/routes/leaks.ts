import { KeysmithError } from "@keysmith/core";
import { Type } from "typebox";
import type { RateLimitStore } from "../domain/rate-limit.js";
import { type App, contextOf, type Services } from "../http-types.js";
import type { LeakService } from "../services/leaks.js";
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

const LeakAction = Type.Union([Type.Literal("revoked"), Type.Literal("flagged")]);

export const LeakReportResponse = Type.Object({
  received: Type.Integer({ description: "Strings received, duplicates included" }),
  matched: Type.Integer({ description: "Distinct live keys among them that this root key may manage" }),
  revoked: Type.Integer(),
  flagged: Type.Integer({ description: "Keys left valid because their project's leakPolicy is flag" }),
  unknown: Type.Integer({
    description:
      "Distinct strings that are no live key this root key may manage (no key, a revoked key or another project's key alike: the answer is no oracle; keys out of reach are reported to their owners)",
  }),
  keys: Type.Array(
    Type.Object({
      keyId: Type.String({ description: "key_… or, for a leaked root key, root_…" }),
      projectId: Type.Union([Type.String(), Type.Null()]),
      action: LeakAction,
    }),
  ),
});

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };

/** Reports a root key may send: enough for a scanner in CI, too few to probe for keys by the thousand. */
export const LEAK_REPORTS_PER_MINUTE = 30;
const LEAK_WINDOW = [{ name: "leaks", limit: LEAK_REPORTS_PER_MINUTE, durationMs: 60_000 }] as const;

/** `POST /v1/leaks`: keys found in public are revoked (or flagged) and alerted. */
export function leakRoutes(
  app: App,
  { clock }: Services,
  deps: { leaks: LeakService; rateLimits: RateLimitStore },
): void {
  const { leaks } = deps;

  app.post(
    "/v1/leaks",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["keys"],
        summary:
          "Report leaked key strings: matching keys are revoked (or flagged, by the project's leakPolicy) and alerted",
        body: LeakReportBody,
        response: { 200: LeakReportResponse, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      const now = clock.now();
      const decision = await deps.rateLimits.consume(`leaks:${ctx.actor.id}`, LEAK_WINDOW, 1, now);
      if (!decision.allowed) {
        const resetAt = decision.windows[0]?.resetAt ?? now + 60_000;
        reply.header("retry-after", String(Math.max(1, Math.ceil((resetAt - now) / 1000))));
        throw new KeysmithError(
          "RATE_LIMITED",
          "Too many leak reports from this root key: wait for Retry-After.",
        );
      }
      return leaks.report(ctx, request.body);
    },
  );
}
