import { KeysmithError } from "@keysmith/core";
import type { FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from "fastify";
import { hasScope, ROOT_SCOPES, type RootScope } from "../domain/access.js";
import type { RootKeyRecord } from "../domain/records.js";
import type { App } from "../http-types.js";

/**
 * What a `/v1` route needs: one root-key scope, or `none` (sign-in: it takes a root key in its
 * body) or `session` (it reads the dashboard's session cookie itself). Declared on the route as
 * `config: { scope }`; a `/v1` route without one fails at startup, and the declaration is
 * published in `/openapi.json` as `security: [{ rootKey: [scope] }]` and `x-keysmith-scope`.
 */
export type RouteAccess = RootScope | "none" | "session";

declare module "fastify" {
  interface FastifyContextConfig {
    scope?: RouteAccess;
    /** The answer carries a secret: `Cache-Control: no-store`. */
    noStore?: boolean;
    /** The route hijacks its reply (an event stream): its metrics are taken when it ends. */
    hijacks?: boolean;
  }
}

type Actor = RootKeyRecord | null;

export interface RouteAccessDeps {
  /** A Bearer root key from the `Authorization` header (sync when cached). */
  bearer(header: string | undefined): Actor | Promise<Actor>;
  /** The dashboard's session (which also checks CSRF), or undefined when there is no cookie. */
  session(request: FastifyRequest): Actor | Promise<Actor> | undefined;
}

const ACCESS = new Set<string>([...ROOT_SCOPES, "none", "session"]);

function noStore(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header("cache-control", "no-store");
  done();
}

/** The onRequest hook of a route that needs `scope`: 401 without a live root key, 403 without the scope. */
function requireAccess(scope: RootScope, deps: RouteAccessDeps): onRequestHookHandler {
  const forbidden = () =>
    new KeysmithError("FORBIDDEN", `This root key lacks the ${scope} scope.`, { required: scope });
  const admit = (request: FastifyRequest, actor: Actor, done: (err?: Error) => void) => {
    if (actor === null) return done(new KeysmithError("UNAUTHORIZED"));
    if (!hasScope(actor, scope)) return done(forbidden());
    request.actor = actor;
    done();
  };
  // Callback style keeps a cached root key free of promises on the verify hot path.
  return (request, _reply, done) => {
    const actor =
      request.headers.authorization === undefined
        ? (deps.session(request) ?? null)
        : deps.bearer(request.headers.authorization);
    if (actor instanceof Promise) {
      actor.then((a) => admit(request, a, done), done);
      return;
    }
    admit(request, actor, done);
  };
}

/**
 * Enforces and publishes each `/v1` route's declared access. Register before the routes.
 *
 * @example
 * app.get("/v1/keys", { config: { scope: "keys:read" }, schema }, handler);
 */
export function routeAccess(app: App, deps: RouteAccessDeps): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    if (!route.url.startsWith("/v1/")) return;
    const scope = route.config?.scope;
    if (scope === undefined || !ACCESS.has(scope)) {
      throw new Error(
        `${String(route.method)} ${route.url} declares no access: add config: { scope } (a root-key scope, "none" or "session")`,
      );
    }
    route.schema = {
      ...route.schema,
      security: scope === "none" || scope === "session" ? [] : [{ rootKey: [scope] }],
      "x-keysmith-scope": scope,
    } as RouteOptions["schema"];
    const hooks: onRequestHookHandler[] = [];
    if (route.config?.noStore) hooks.push(noStore);
    if (scope !== "none" && scope !== "session") hooks.push(requireAccess(scope, deps));
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [...hooks, ...own] as RouteOptions["onRequest"];
  });
}
