import { KeysmithError, parseDuration } from "@keysmith/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { encodeCursor } from "../domain/access.js";
import { type App, contextOf, type Services } from "../http-types.js";
import {
  CreditsBalance,
  CreditsOperation,
  ErrorOf,
  ErrorResponse,
  IdParams,
  IssuedKeyResponse,
  Key,
  KeyCreate,
  KeyImport,
  KeyImportResponse,
  KeyListQuery,
  KeyPatch,
  ListOf,
  RevokeBody,
  RollBody,
  RolledKeyResponse,
} from "./schemas.js";
import { keyView } from "./views.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const keyNotFound = { 404: ErrorOf("KEY_NOT_FOUND") };
/** Grace period when a roll names none: long enough to deploy the new key everywhere. */
export const DEFAULT_GRACE_PERIOD = "24h";

/** For routes whose body is optional: no body validates as `{}`. */
export function optionalBody(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  request.body ??= {};
  done();
}

export function keyRoutes(app: App, { keys, verifier, clock }: Services): void {
  const view = (record: Parameters<typeof keyView>[0], roles: ReadonlyMap<string, string[]>) => ({
    ...keyView(record, clock.now(), verifier.pendingLastUsed(record.id)),
    roles: roles.get(record.id) ?? [],
  });
  // Each answer names the roles its keys hold, read in one query.
  const rolesOf = (...records: { id: string }[]) => keys.roleNames(records.map((r) => r.id));

  app.post(
    "/v1/keys",
    {
      config: { scope: "keys:write", noStore: true },
      schema: {
        tags: ["keys"],
        summary: "Create a key (the plaintext is in this response only)",
        body: KeyCreate,
        response: {
          201: IssuedKeyResponse,
          ...errors,
          404: ErrorOf("PROJECT_NOT_FOUND"),
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const issued = await keys.create(contextOf(request), request.body);
      const roles = await rolesOf(issued.record);
      return reply.code(201).send({ key: issued.plaintext, ...view(issued.record, roles) });
    },
  );

  app.post(
    "/v1/keys/import",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["keys"],
        summary:
          "Import up to 1000 keys by the SHA-256 of their plaintext, all or none, idempotent on the hash: they verify by their plaintext, whatever its format",
        body: KeyImport,
        response: {
          201: KeyImportResponse,
          ...errors,
          404: ErrorOf("PROJECT_NOT_FOUND"),
          409: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const outcome = await keys.import(contextOf(request), request.body.projectId, request.body.keys);
      return reply.code(201).send(outcome);
    },
  );

  app.get(
    "/v1/keys",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["keys"],
        summary: "List keys, newest first",
        querystring: KeyListQuery,
        response: { 200: ListOf(Key), ...errors },
      },
    },
    async (request) => {
      const page = await keys.list(contextOf(request), request.query);
      const roles = await rolesOf(...page.items);
      return { data: page.items.map((k) => view(k, roles)), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/keys/:id",
    {
      config: { scope: "keys:read" },
      schema: {
        tags: ["keys"],
        summary: "Read a key",
        params: IdParams("key"),
        response: { 200: Key, ...errors, ...keyNotFound },
      },
    },
    async (request) => {
      const key = await keys.get(contextOf(request), request.params.id);
      return view(key, await rolesOf(key));
    },
  );

  app.patch(
    "/v1/keys/:id",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["keys"],
        summary:
          "Change a key's name, owner, scopes, roles, meta, expiry, enabled flag or allowed origins and IPs",
        params: IdParams("key"),
        body: KeyPatch,
        response: { 200: Key, ...errors, ...keyNotFound, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request) => {
      const key = await keys.update(contextOf(request), request.params.id, request.body);
      return view(key, await rolesOf(key));
    },
  );

  app.post(
    "/v1/keys/:id/roll",
    {
      config: { scope: "keys:write", noStore: true },
      schema: {
        tags: ["keys"],
        summary: `Issue a successor; the old key works for the grace period (default ${DEFAULT_GRACE_PERIOD}), then expires`,
        params: IdParams("key"),
        body: RollBody,
        response: { 201: RolledKeyResponse, ...errors, ...keyNotFound, 409: ErrorResponse },
      },
      preValidation: optionalBody,
    },
    async (request, reply) => {
      const grace = parseDuration(request.body?.gracePeriod ?? DEFAULT_GRACE_PERIOD);
      if (grace === null) {
        throw new KeysmithError("INVALID_DURATION", undefined, { field: "gracePeriod" });
      }
      const rolled = await keys.roll(contextOf(request), request.params.id, grace);
      const roles = await rolesOf(rolled.record, rolled.previous);
      return reply.code(201).send({
        key: rolled.plaintext,
        ...view(rolled.record, roles),
        previous: view(rolled.previous, roles),
      });
    },
  );

  app.post(
    "/v1/keys/:id/credits",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["keys"],
        summary:
          "Set, add to or take from a key's credits, atomically with concurrent verifications (a decrement stops at 0)",
        params: IdParams("key"),
        body: CreditsOperation,
        response: { 200: CreditsBalance, ...errors, ...keyNotFound, 409: ErrorResponse },
      },
    },
    async (request) => ({
      remaining: await keys.adjustCredits(
        contextOf(request),
        request.params.id,
        request.body.op,
        request.body.amount,
      ),
    }),
  );

  app.post(
    "/v1/keys/:id/revoke",
    {
      config: { scope: "keys:write" },
      schema: {
        tags: ["keys"],
        summary: "Revoke a key at once",
        params: IdParams("key"),
        body: RevokeBody,
        response: { 200: Key, ...errors, ...keyNotFound },
      },
      preValidation: optionalBody,
    },
    async (request) => {
      const key = await keys.revoke(contextOf(request), request.params.id, request.body?.reason);
      return view(key, await rolesOf(key));
    },
  );
}
