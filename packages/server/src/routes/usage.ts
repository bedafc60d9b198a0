import { KeysmithError } from "@keysmith/core";
import { Type } from "typebox";
import { canSeeProject, requireScope } from "../domain/access.js";
import { parseTimestamp } from "../domain/key-settings.js";
import { type App, contextOf, type Services } from "../http-types.js";
import type { UsageRecorder } from "../metering/usage.js";
import { type Granularity, KEY_CODES, toSeries, usageRange } from "../metering/usage-series.js";
import { ErrorOf, ErrorResponse, Id, IdParams } from "./schemas.js";

const GranularitySchema = Type.Union([Type.Literal("minute"), Type.Literal("hour"), Type.Literal("day")]);
const rangeQuery = {
  granularity: Type.Optional(GranularitySchema),
  from: Type.Optional(Type.String({ format: "date-time" })),
  to: Type.Optional(Type.String({ format: "date-time" })),
  tag: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: "Only verifications that carried this tag" }),
  ),
};
const UsageResponse = Type.Object({
  granularity: GranularitySchema,
  data: Type.Array(
    Type.Object({
      start: Type.String({ format: "date-time" }),
      outcomes: Type.Object(Object.fromEntries(KEY_CODES.map((c) => [c, Type.Integer()]))),
      spend: Type.Number(),
    }),
  ),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 422: ErrorResponse };

const UsageReport = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          keyId: Id("key"),
          count: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
const UsageReportResponse = Type.Object({
  recorded: Type.Integer({ description: "Verifications counted" }),
  unknown: Type.Integer({
    description: "Entries skipped: no such key, or a key of a project this root key is not bound to",
  }),
});

/** Usage time series: per key, and per project or owner across keys. */
export function usageRoutes(app: App, { keys, clock }: Services, usage: UsageRecorder): void {
  const series = async (
    query: {
      granularity?: Granularity | undefined;
      from?: string | undefined;
      to?: string | undefined;
      tag?: string | undefined;
    },
    filter: { keyId?: string; projectIds?: string[] | null; ownerId?: string | undefined },
    store: Services["keys"],
  ) => {
    const granularity = query.granularity ?? "hour";
    const range = usageRange(
      granularity,
      clock.now(),
      parseTimestamp(query.from, "from") ?? undefined,
      parseTimestamp(query.to, "to") ?? undefined,
    );
    // Counts still in memory belong in the answer: write them first.
    await usage.flush();
    const rows = await store.usageRows({ ...filter, ...range, tag: query.tag });
    return { granularity, data: toSeries(rows, granularity, range) };
  };

  app.get(
    "/v1/keys/:id/usage",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["usage"],
        summary: "A key's verifications by outcome, and its spend, per minute, hour or day",
        params: IdParams("key"),
        querystring: Type.Object(rangeQuery, { additionalProperties: false }),
        response: { 200: UsageResponse, ...errors, 404: ErrorOf("KEY_NOT_FOUND") },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      requireScope(ctx.actor, "usage:read");
      const key = await keys.getVisible(ctx, request.params.id);
      return series(request.query, { keyId: key.id }, keys);
    },
  );

  app.post(
    "/v1/usage",
    {
      config: { scope: "keys:verify" },
      schema: {
        tags: ["usage"],
        summary:
          "Report VALID verifications answered from an SDK's local cache, counted in the current minute",
        body: UsageReport,
        response: { 200: UsageReportResponse, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      requireScope(ctx.actor, "keys:verify");
      const now = clock.now();
      let recorded = 0;
      let unknown = 0;
      for (const { keyId, count } of request.body.keys) {
        const key = await keys.getVisible(ctx, keyId).catch((error: unknown) => {
          if (error instanceof KeysmithError && error.code === "KEY_NOT_FOUND") return null;
          throw error;
        });
        if (key === null) {
          unknown++;
          continue;
        }
        usage.recordReported(key.id, key.projectId, key.ownerId, count, now);
        recorded += count;
      }
      return { recorded, unknown };
    },
  );

  app.get(
    "/v1/usage",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["usage"],
        summary: "Verifications by outcome, and spend, across a project's or an owner's keys",
        querystring: Type.Object(
          {
            projectId: Type.Optional(Id("proj")),
            ownerId: Type.Optional(Type.String({ maxLength: 200 })),
            ...rangeQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: UsageResponse, ...errors, 404: ErrorOf("PROJECT_NOT_FOUND") },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      requireScope(ctx.actor, "usage:read");
      const { projectId, ownerId } = request.query;
      if (projectId && !canSeeProject(ctx.actor, projectId))
        throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
      const projectIds = projectId ? [projectId] : ctx.actor.projectId ? [ctx.actor.projectId] : null;
      return series(request.query, { projectIds, ownerId }, keys);
    },
  );
}
