import { Type } from "typebox";
import { type App, contextOf, type Services } from "../http-types.js";
import { MAX_SECRET_BYTES, SECRET_NAME_PATTERN, VAULT_ENVIRONMENT_PATTERN } from "../vault/names.js";
import { encodeNameCursor, type SecretRecord, type SecretVersionRecord } from "../vault/secrets.js";
import { DurationSchema, ErrorOf, ErrorResponse, Id, ListOf, ListQuery } from "./schemas.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorOf("PROJECT_NOT_FOUND"),
  409: ErrorResponse,
  422: ErrorResponse,
  503: ErrorResponse,
};
const secretNotFound = { 404: ErrorOf("PROJECT_NOT_FOUND", "SECRET_NOT_FOUND") };
const tags = ["secrets"];

const Environment = Type.String({
  pattern: VAULT_ENVIRONMENT_PATTERN,
  description: "Any lower-case label: development, staging, production, pr-142…",
});
const SecretName = Type.String({
  pattern: SECRET_NAME_PATTERN,
  description: "An environment-variable name: upper-case letters, digits and _, not starting with a digit",
});
const ProjectQuery = {
  projectId: Type.Optional(Id("proj")),
};
const SecretParams = Type.Object(
  { environment: Environment, name: SecretName },
  { additionalProperties: false },
);
const Nullable = (schema: Record<string, unknown>) =>
  Type.Unsafe<string | null>({ ...schema, type: ["string", "null"] });
const Timestamp = Type.String({ format: "date-time" });

const Secret = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  environment: Type.String(),
  name: Type.String(),
  version: Type.Integer({ description: "The current version" }),
  rotateEvery: Nullable({ description: "How often the value should change (90d), or null" }),
  lastRotatedAt: Timestamp,
  rotationDueAt: Nullable({ format: "date-time" }),
  overdue: Type.Boolean({ description: "The current version is older than rotateEvery" }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  deletedAt: Nullable({ format: "date-time" }),
});

const SecretValue = Type.Object({
  projectId: Type.String(),
  environment: Type.String(),
  name: Type.String(),
  version: Type.Integer({ description: "The version this value belongs to" }),
  current: Type.Boolean(),
  value: Type.String(),
  createdAt: Timestamp,
  createdBy: Nullable({ description: "The root key that wrote this version" }),
});

const SecretVersion = Type.Object({
  version: Type.Integer(),
  current: Type.Boolean(),
  createdAt: Timestamp,
  createdBy: Nullable({}),
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** A secret as the API shows it: names, versions and rotation state, never a value. */
export function secretView(s: SecretRecord, now: number) {
  const dueAt = s.rotateEveryMs === null ? null : s.rotatedAt + s.rotateEveryMs;
  return {
    id: s.id,
    projectId: s.projectId,
    environment: s.environment,
    name: s.name,
    version: s.currentVersion,
    rotateEvery: s.rotateEvery,
    lastRotatedAt: iso(s.rotatedAt),
    rotationDueAt: dueAt === null ? null : iso(dueAt),
    overdue: dueAt !== null && s.deletedAt === null && dueAt <= now,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    deletedAt: s.deletedAt === null ? null : iso(s.deletedAt),
  };
}

function versionView(v: SecretVersionRecord, current: number) {
  return {
    version: v.version,
    current: v.version === current,
    createdAt: iso(v.createdAt),
    createdBy: v.createdBy,
  };
}

/**
 * The vault: `/v1/secrets/:environment/:name` for one secret, `/v1/secrets` to list names,
 * `/v1/secrets/export` for every value of an environment at once (`keysmith run`). `projectId`
 * is a query parameter, optional for a root key bound to one project.
 */
export function secretRoutes(app: App, { secrets, clock }: Services): void {
  app.get(
    "/v1/secrets",
    {
      config: { scope: "secrets:read" },
      schema: {
        tags,
        summary: "List secrets by environment and name: versions and rotation state, never values",
        querystring: Type.Object(
          {
            ...ProjectQuery,
            environment: Type.Optional(Environment),
            includeDeleted: Type.Optional(Type.Boolean({ default: false })),
            ...ListQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: ListOf(Secret), ...errors },
      },
    },
    async (request) => {
      const page = await secrets.list(contextOf(request), request.query);
      const now = clock.now();
      return { data: page.items.map((s) => secretView(s, now)), nextCursor: encodeNameCursor(page.next) };
    },
  );

  app.get(
    "/v1/secrets/export",
    {
      config: { scope: "secrets:read", noStore: true },
      schema: {
        tags,
        summary: "Every current value of one environment, in one answer (audited once)",
        querystring: Type.Object(
          { ...ProjectQuery, environment: Environment },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            projectId: Type.String(),
            environment: Type.String(),
            secrets: Type.Array(
              Type.Object({ name: Type.String(), version: Type.Integer(), value: Type.String() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => secrets.export(contextOf(request), request.query),
  );

  app.post(
    "/v1/secrets/:environment/:name",
    {
      config: { scope: "secrets:write" },
      schema: {
        tags,
        summary: "Write a new version of a secret (creating it, or reviving a deleted one)",
        params: SecretParams,
        querystring: Type.Object(ProjectQuery, { additionalProperties: false }),
        body: Type.Object(
          {
            value: Type.String({
              maxLength: MAX_SECRET_BYTES,
              description: `At most ${MAX_SECRET_BYTES} bytes`,
            }),
            rotateEvery: Type.Optional(Type.Union([DurationSchema, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Secret, ...errors },
      },
    },
    async (request, reply) => {
      const record = await secrets.set(
        contextOf(request),
        { ...request.params, projectId: request.query.projectId },
        request.body,
      );
      return reply.code(201).send(secretView(record, clock.now()));
    },
  );

  app.get(
    "/v1/secrets/:environment/:name",
    {
      config: { scope: "secrets:read", noStore: true },
      schema: {
        tags,
        summary: "Read a secret's value: the current version, or ?version=N (audited)",
        params: SecretParams,
        querystring: Type.Object(
          { ...ProjectQuery, version: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: {
          200: SecretValue,
          ...errors,
          404: ErrorOf("PROJECT_NOT_FOUND", "SECRET_NOT_FOUND", "SECRET_VERSION_NOT_FOUND"),
        },
      },
    },
    async (request) => {
      const { projectId, version } = request.query;
      const read = await secrets.get(contextOf(request), { ...request.params, projectId }, version);
      return {
        projectId: read.secret.projectId,
        environment: read.secret.environment,
        name: read.secret.name,
        version: read.version,
        current: read.version === read.secret.currentVersion,
        value: read.value,
        createdAt: iso(read.createdAt),
        createdBy: read.createdBy,
      };
    },
  );

  app.patch(
    "/v1/secrets/:environment/:name",
    {
      config: { scope: "secrets:write" },
      schema: {
        tags,
        summary: "Change a secret's rotation period without writing a value",
        params: SecretParams,
        querystring: Type.Object(ProjectQuery, { additionalProperties: false }),
        body: Type.Object(
          { rotateEvery: Type.Union([DurationSchema, Type.Null()]) },
          { additionalProperties: false },
        ),
        response: { 200: Secret, ...errors, ...secretNotFound },
      },
    },
    async (request) =>
      secretView(
        await secrets.setRotation(
          contextOf(request),
          { ...request.params, projectId: request.query.projectId },
          request.body.rotateEvery,
        ),
        clock.now(),
      ),
  );

  app.delete(
    "/v1/secrets/:environment/:name",
    {
      config: { scope: "secrets:write" },
      schema: {
        tags,
        summary: "Delete a secret (soft: its versions stay, and restore brings it back)",
        params: SecretParams,
        querystring: Type.Object(ProjectQuery, { additionalProperties: false }),
        response: { 200: Secret, ...errors, ...secretNotFound },
      },
    },
    async (request) =>
      secretView(
        await secrets.remove(contextOf(request), { ...request.params, projectId: request.query.projectId }),
        clock.now(),
      ),
  );

  app.post(
    "/v1/secrets/:environment/:name/restore",
    {
      config: { scope: "secrets:write" },
      schema: {
        tags,
        summary: "Restore a deleted secret with its versions",
        params: SecretParams,
        querystring: Type.Object(ProjectQuery, { additionalProperties: false }),
        response: { 200: Secret, ...errors, ...secretNotFound },
      },
    },
    async (request) =>
      secretView(
        await secrets.restore(contextOf(request), { ...request.params, projectId: request.query.projectId }),
        clock.now(),
      ),
  );

  app.get(
    "/v1/secrets/:environment/:name/versions",
    {
      config: { scope: "secrets:read" },
      schema: {
        tags,
        summary: "A secret's versions, newest first: who wrote each and when (no values)",
        params: SecretParams,
        querystring: Type.Object({ ...ProjectQuery, ...ListQuery }, { additionalProperties: false }),
        response: { 200: ListOf(SecretVersion), ...errors, ...secretNotFound },
      },
    },
    async (request) => {
      const { projectId, cursor, limit } = request.query;
      const page = await secrets.history(contextOf(request), { ...request.params, projectId }, cursor, limit);
      return {
        data: page.items.map((v) => versionView(v, page.secret.currentVersion)),
        nextCursor: page.next === null ? null : Buffer.from(page.next, "utf8").toString("base64url"),
      };
    },
  );
}
