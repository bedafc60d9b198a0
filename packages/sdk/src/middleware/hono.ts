import type { Context, MiddlewareHandler } from "hono";
import { createGuard, type GuardOptions, type KeysmithIdentity } from "./guard.js";

export interface KeysmithHonoOptions extends GuardOptions {
  /**
   * The caller's IP (checked against a key's allowed IPs). Hono has no portable notion of it;
   * the default reads the socket under `@hono/node-server` and gives undefined elsewhere. Behind a
   * proxy you trust, return the client address from its header (e.g. the last hop it appended
   * to X-Forwarded-For); never trust that header when no proxy sets it.
   */
  getIp?: (c: Context) => string | undefined;
}

/** The context variables the middleware sets: `c.get("keysmith")`. */
export interface KeysmithVariables<Identity = KeysmithIdentity> {
  keysmith: Identity;
}

/**
 * Hono middleware: verifies the request's key with keysmith, then sets `c.get("keysmith")` to
 * who called, or answers 401/402/403/429/503 with a JSON error. With `failOpen` the identity is
 * null while keysmith is unreachable, and the type says so.
 *
 * @example
 * import { keysmith } from "@keysmith/sdk/hono";
 * app.get("/forecast", keysmith({ client, scopes: "weather:read" }), (c) => c.json({ owner: c.get("keysmith").ownerId }));
 */
export function keysmith(
  options: KeysmithHonoOptions & { failOpen: true },
): MiddlewareHandler<{ Variables: KeysmithVariables<KeysmithIdentity | null> }>;
export function keysmith(options: KeysmithHonoOptions): MiddlewareHandler<{ Variables: KeysmithVariables }>;
export function keysmith(
  options: KeysmithHonoOptions,
):
  | MiddlewareHandler<{ Variables: KeysmithVariables<KeysmithIdentity | null> }>
  | MiddlewareHandler<{ Variables: KeysmithVariables }> {
  const guard = createGuard(options);
  const header = (options.header ?? "authorization").toLowerCase();
  const getIp = options.getIp ?? nodeSocketAddress;
  const middleware: MiddlewareHandler<{ Variables: KeysmithVariables<KeysmithIdentity | null> }> = async (
    c,
    next,
  ) => {
    const decision = await guard({
      credential: c.req.header(header),
      origin: c.req.header("origin"),
      ip: getIp(c),
    });
    if (!decision.allow) {
      return c.json(decision.body, decision.status as 401, decision.headers);
    }
    c.set("keysmith", decision.identity);
    await next();
    // After the handler, so the headers land on whatever response it made.
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
    return undefined;
  };
  return middleware;
}

/** The remote address under @hono/node-server, which passes `{ incoming }` as the env. */
function nodeSocketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export type { GuardOptions, KeysmithIdentity };
