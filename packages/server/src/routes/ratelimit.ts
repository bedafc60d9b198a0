import { KeysmithError, RATELIMIT_IDENTIFIER_MAX, RATELIMIT_NAMESPACE_PATTERN } from "@keysmith/core";
import { Type } from "typebox";
import { encodeCursor } from "../domain/access.js";
import type { RateLimitOverrideRecord } from "../domain/records.js";
import { type App, contextOf } from "../http-types.js";
import type { RateLimitService } from "../services/ratelimit.js";
import { ErrorResponse, ListOf, ListQuery } from "./schemas.js";

const Namespace = Type.String({
  pattern: RATELIMIT_NAMESPACE_PATTERN,
  description: "What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . -",
});
// No control characters (no NUL, which Postgres cannot store); lone surrogates are refused by
// the JSON parser (INVALID_UNICODE).
const Identifier = Type.String({
  minLength: 1,
  maxLength: RATELIMIT_IDENTIFIER_MAX,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
  description: "Who is limited: an IP address, a user id, an email…",
});
const OverrideIdentifier = Type.String({
  minLength: 1,
  maxLength: RATELIMIT_IDENTIFIER_MAX,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
  description: "An identifier, or a prefix ending in `*` (`user_*`); the most specific override wins",
});
const Limit = Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: "Calls (or cost) per window" });
/**
 * `1s` to `31d` or milliseconds, as a key's rate-limit windows. Any string reaches the duration
 * check, so one that does not parse answers INVALID_DURATION (as docs/errors.md says) rather
 * than a pattern mismatch.
 */
const WindowDuration = Type.Unsafe<string | number>({
  type: ["string", "integer"],
  maxLength: 32,
  "x-duration": true,
  description: "The window: `1s` to `31d` (`30s`, `15m`, `1h`, `1d`) or integer milliseconds",
});

export const RateLimitCheckBody = Type.Object(
  {
    namespace: Namespace,
    identifier: Identifier,
    limit: Limit,
    duration: WindowDuration,
    cost: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000_000,
        description: "What this call takes from the window (default 1; 0 reads without taking)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const RateLimitCheckResponse = Type.Object({
  success: Type.Boolean({ description: "True when the call fits in the window (and was counted)" }),
  limit: Type.Integer({ description: "The limit applied: the most specific override's, else the one sent" }),
  remaining: Type.Integer(),
  reset: Type.String({ format: "date-time", description: "When the current window ends" }),
});

export const RateLimitOverrideBody = Type.Object(
  { namespace: Namespace, identifier: OverrideIdentifier, limit: Limit, duration: WindowDuration },
  { additionalProperties: false },
);

export const RateLimitOverride = Type.Object({
  namespace: Type.String(),
  identifier: Type.String(),
  limit: Type.Integer(),
  duration: Type.Union([Type.String(), Type.Integer()]),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const OverrideKey = { namespace: Type.Optional(Namespace), identifier: Type.Optional(OverrideIdentifier) };

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

function overrideView(o: RateLimitOverrideRecord) {
  return {
    namespace: o.namespace,
    identifier: o.identifier,
    limit: o.limit,
    duration: o.duration,
    createdAt: new Date(o.createdAt).toISOString(),
    updatedAt: new Date(o.updatedAt).toISOString(),
  };
}

/**
 * `POST /v1/ratelimit` and `/v1/ratelimit/overrides` (SPEC §10): standalone rate limits for
 * anything that is not a key. The check answers 200 either way; the caller decides what to do
 * with `success: false`.
 */
export function ratelimitRoutes(app: App, ratelimits: RateLimitService): void {
  app.post(
    "/v1/ratelimit",
    {
      config: { scope: "ratelimit:write" },
      schema: {
        tags: ["ratelimit"],
        summary:
          "Count a call against a standalone limit (a login form per IP, a user id): 200 with success true or false, never 429",
        body: RateLimitCheckBody,
        response: { 200: RateLimitCheckResponse, ...errors },
      },
    },
    (request) => ratelimits.check(request.body),
  );

  app.put(
    "/v1/ratelimit/overrides",
    {
      config: { scope: "ratelimit:write" },
      schema: {
        tags: ["ratelimit"],
        summary:
          "Set (create or replace) an override of a namespace's limit for an identifier, or for every identifier with a prefix (`user_*`)",
        body: RateLimitOverrideBody,
        response: { 200: RateLimitOverride, ...errors, 422: ErrorResponse },
      },
    },
    async (request) => overrideView(await ratelimits.setOverride(contextOf(request), request.body)),
  );

  app.get(
    "/v1/ratelimit/overrides",
    {
      config: { scope: "ratelimit:write" },
      schema: {
        tags: ["ratelimit"],
        summary: "List a namespace's overrides, by identifier",
        querystring: Type.Object({ namespace: Namespace, ...ListQuery }, { additionalProperties: false }),
        response: { 200: ListOf(RateLimitOverride), ...errors },
      },
    },
    async (request) => {
      const { namespace, cursor, limit } = request.query;
      const page = await ratelimits.listOverrides(namespace, cursor, limit);
      return { data: page.items.map(overrideView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.delete(
    "/v1/ratelimit/overrides",
    {
      config: { scope: "ratelimit:write" },
      schema: {
        tags: ["ratelimit"],
        summary:
          "Delete an override, named by `?namespace=&identifier=` (or the same two fields in a JSON body); answers the deleted override",
        querystring: Type.Object(OverrideKey, { additionalProperties: false }),
        body: Type.Object(OverrideKey, { additionalProperties: false }),
        response: { 200: RateLimitOverride, ...errors, 404: ErrorResponse },
      },
      // The body is optional: without one the query names the override.
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
    },
    async (request) => {
      const namespace = request.query.namespace ?? request.body?.namespace;
      const identifier = request.query.identifier ?? request.body?.identifier;
      if (namespace === undefined || identifier === undefined) {
        throw new KeysmithError("VALIDATION_ERROR", "Name the override by namespace and identifier.", [
          { path: namespace === undefined ? "/namespace" : "/identifier", message: "is required" },
        ]);
      }
      return overrideView(await ratelimits.deleteOverride(contextOf(request), namespace, identifier));
    },
  );
}
