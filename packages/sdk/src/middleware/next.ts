import { createGuard, type Decision, type GuardOptions, type KeysmithIdentity } from "./guard.js";

/**
 * Next.js (App Router) support, written against the standard `Request` and `Response` that
 * Next's route handlers and middleware receive and return (`NextRequest` extends `Request`), so
 * nothing here imports `next` and the same code serves any fetch-style handler. Both run on
 * Node.js (route handlers by default; middleware with `export const config = { runtime: "nodejs" }`,
 * Next 15.5+): the SDK uses `node:crypto` and `node:net`, which the Edge runtime lacks.
 */
export interface KeysmithNextOptions extends GuardOptions {
  /**
   * The caller's IP (checked against a key's allowed IPs). A `Request` carries none, so the
   * default is undefined, and a key bound to IP addresses is then refused. Return the client
   * address your platform or proxy puts in a header it sets itself (e.g. the last hop it
   * appended to `x-forwarded-for`); never read a header a client can send unchecked.
   */
  getIp?: (request: Request) => string | undefined;
}

/** A route handler (`export const GET = …`) as Next calls it: the request and `{ params }`. */
export type RouteHandler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * Wraps a route handler: verifies the request's key with keysmith, then calls `handler` with the
 * verified identity as a third argument, or answers 401/402/403/429/503 with a JSON error
 * without calling it. The RateLimit headers keysmith returned are added to the handler's
 * response. With `failOpen` the identity is null while keysmith is unreachable, and the type
 * says so.
 *
 * @example
 * // app/api/forecast/route.ts
 * import { withKeysmith } from "@keysmith/sdk/next";
 * export const GET = withKeysmith({ client, scopes: "weather:read" }, async (request, context, keysmith) =>
 *   Response.json({ owner: keysmith.ownerId }));
 */
export function withKeysmith<Context = unknown>(
  options: KeysmithNextOptions & { failOpen: true },
  handler: (
    request: Request,
    context: Context,
    keysmith: KeysmithIdentity | null,
  ) => Response | Promise<Response>,
): RouteHandler<Context>;
export function withKeysmith<Context = unknown>(
  options: KeysmithNextOptions,
  handler: (request: Request, context: Context, keysmith: KeysmithIdentity) => Response | Promise<Response>,
): RouteHandler<Context>;
export function withKeysmith<Context = unknown>(
  options: KeysmithNextOptions,
  handler: (request: Request, context: Context, keysmith: KeysmithIdentity) => Response | Promise<Response>,
): RouteHandler<Context> {
  const check = checker(options);
  return async (request, context) => {
    const decision = await check(request);
    if (!decision.allow) return refusal(decision);
    const response = await handler(request, context, decision.identity as KeysmithIdentity);
    return withHeaders(response, decision.headers);
  };
}

/**
 * For `middleware.ts`: a check that answers a refused request (401/402/403/429/503 with a JSON
 * error) and resolves to undefined for an accepted one, which tells Next to go on to the route.
 * Middleware cannot hand the identity to the route; use {@link withKeysmith} on the routes that
 * need it.
 *
 * @example
 * // middleware.ts
 * import { keysmith } from "@keysmith/sdk/next";
 * const guard = keysmith({ baseUrl: process.env.KEYSMITH_URL, rootKey: process.env.KEYSMITH_ROOT_KEY, scopes: "weather:read" });
 * export function middleware(request: Request) { return guard(request); }
 * export const config = { matcher: "/api/:path*", runtime: "nodejs" };
 */
export function keysmith(options: KeysmithNextOptions): (request: Request) => Promise<Response | undefined> {
  const check = checker(options);
  return async (request) => {
    const decision = await check(request);
    return decision.allow ? undefined : refusal(decision);
  };
}

function checker(options: KeysmithNextOptions): (request: Request) => Promise<Decision> {
  const guard = createGuard(options);
  const header = (options.header ?? "authorization").toLowerCase();
  const getIp = options.getIp ?? (() => undefined);
  return async (request) =>
    guard({
      credential: request.headers.get(header) ?? undefined,
      origin: request.headers.get("origin") ?? undefined,
      ip: getIp(request),
    });
}

function refusal(decision: Extract<Decision, { allow: false }>): Response {
  return Response.json(decision.body, { status: decision.status, headers: decision.headers });
}

/** The response with `headers` added; a copy when its headers are immutable (a fetched or redirect response). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}

export type { GuardOptions, KeysmithIdentity };
