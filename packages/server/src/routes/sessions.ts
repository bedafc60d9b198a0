import { KeysmithError } from "@keysmith/core";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Clock } from "../clock.js";
import type { RootKeyRecord } from "../domain/records.js";
import { type App, contextOf } from "../http-types.js";
import type { RootAuth } from "../services/root-auth.js";
import { CSRF_HEADER, type SessionService } from "../sessions/sessions.js";
import { SignInThrottle } from "../sessions/throttle.js";
import { ErrorResponse, RootKey } from "./schemas.js";
import { rootKeyView } from "./views.js";

const SessionCreate = Type.Object(
  { rootKey: Type.String({ minLength: 1, maxLength: 512, description: "A live root key (ks_root_…)" }) },
  { additionalProperties: false },
);

const SessionResponse = Type.Object({
  csrfToken: Type.String({
    description: `Send it as the ${CSRF_HEADER} header on every POST, PATCH and DELETE made with the session cookie`,
  }),
  expiresAt: Type.String({ format: "date-time", description: "When the session ends if left idle" }),
  rootKey: RootKey,
});

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const signInErrors = { ...errors, 429: ErrorResponse };
const tags = ["sessions"];

/**
 * Dashboard sign-in: `POST /v1/sessions { rootKey }` answers with an HttpOnly, SameSite=Strict
 * session cookie and a CSRF token; the /v1 routes then accept the cookie in place of a Bearer
 * root key. Registered outside the /v1 auth hook: signing in is how a browser gets a session.
 * Failed sign-ins are throttled per client address (`SignInThrottle`: 10 per 15 minutes).
 */
export function sessionRoutes(
  app: App,
  {
    sessions,
    rootAuth,
    clock,
    throttle = new SignInThrottle({ clock }),
  }: { sessions: SessionService; rootAuth: RootAuth; clock: Clock; throttle?: SignInThrottle },
): void {
  const view = (csrfToken: string, expiresAt: number, actor: RootKeyRecord) => ({
    csrfToken,
    expiresAt: new Date(expiresAt).toISOString(),
    rootKey: rootKeyView(actor, clock.now()),
  });

  // Cookie only: a Bearer root key has no session to read or end.
  const cookieAuth = async (request: FastifyRequest): Promise<void> => {
    const actor = await sessions.authenticate(request);
    if (actor === null) throw new KeysmithError("UNAUTHORIZED", "No live session: sign in with a root key.");
    request.actor = actor;
  };

  app.post(
    "/v1/sessions",
    {
      config: { scope: "none", noStore: true },
      schema: {
        tags,
        summary: "Sign in to the dashboard: exchange a root key for a session cookie and a CSRF token",
        body: SessionCreate,
        response: { 201: SessionResponse, ...signInErrors },
      },
    },
    async (request, reply) => {
      // Checked before the key is: a blocked address learns nothing, even from a right guess.
      const waitMs = throttle.blockedFor(request.ip);
      if (waitMs > 0) {
        const retryAfter = Math.ceil(waitMs / 1000);
        reply.header("retry-after", String(retryAfter));
        throw new KeysmithError(
          "RATE_LIMITED",
          "Too many failed sign-ins from this address; try again later.",
          {
            reason: "sign_in_throttled",
            retryAfter,
          },
        );
      }
      // JSON only (the app has no form parser), so another site cannot sign a browser in with
      // a form post: a cross-site JSON request needs a CORS preflight this server never grants.
      const actor = await rootAuth.authenticate(`Bearer ${request.body.rootKey.trim()}`);
      if (actor === null) {
        throttle.fail(request.ip);
        throw new KeysmithError("UNAUTHORIZED", "That is not a live root key.");
      }
      request.actor = actor;
      const { sessionId, session, csrfToken } = await sessions.create(contextOf(request));
      return reply
        .code(201)
        .header("set-cookie", sessions.cookie(sessionId, request))
        .header("cache-control", "no-store")
        .send(view(csrfToken, session.expiresAt, actor));
    },
  );

  app.get(
    "/v1/sessions/current",
    {
      config: { scope: "session" },
      schema: {
        tags,
        summary: "The signed-in session (cookie): its root key and CSRF token",
        response: { 200: SessionResponse, ...errors },
      },
      onRequest: cookieAuth,
    },
    async (request, reply) => {
      const active = sessions.current(request);
      if (!active) throw new KeysmithError("UNAUTHORIZED");
      reply.header("cache-control", "no-store");
      return view(active.csrfToken, active.session.expiresAt, active.actor);
    },
  );

  app.delete(
    "/v1/sessions/current",
    {
      config: { scope: "session" },
      schema: {
        tags,
        summary: "Sign out: end the session and clear its cookie",
        response: { 204: Type.Null(), ...errors },
      },
      onRequest: cookieAuth,
    },
    async (request, reply) => {
      const active = sessions.current(request);
      if (!active) throw new KeysmithError("UNAUTHORIZED");
      await sessions.destroy(contextOf(request), active.session);
      return reply.code(204).header("set-cookie", sessions.clearCookie(request)).send(null);
    },
  );
}
