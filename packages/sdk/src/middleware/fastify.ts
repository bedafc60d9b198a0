import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import { createGuard, type GuardOptions, type KeysmithIdentity } from "./guard.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified key, set by keysmith's preHandler; null before it ran or when it failed open. */
    keysmith: KeysmithIdentity | null;
  }
}

export interface KeysmithFastifyOptions extends GuardOptions {
  /**
   * The caller's IP (checked against a key's allowed IPs). Default `request.ip`, which follows
   * Fastify's `trustProxy` option: behind a proxy, set it so the address is the client's, and
   * only then (otherwise anyone can forge X-Forwarded-For).
   */
  getIp?: (request: FastifyRequest) => string | undefined;
}

export type KeysmithPreHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | undefined>;

/**
 * A Fastify `preHandler` that verifies the request's key with keysmith, then sets
 * `request.keysmith` to who called, or answers 401/402/403/429/503 with a JSON error. Use it
 * per route; `keysmithPlugin` adds it to every route of a plugin context.
 *
 * @example
 * import { keysmith } from "@keysmith/sdk/fastify";
 * app.decorateRequest("keysmith", null);
 * app.get("/forecast", { preHandler: keysmith({ client, scopes: "weather:read", cost: 1 }) },
 *   (request) => ({ owner: request.keysmith?.ownerId }));
 */
export function keysmith(options: KeysmithFastifyOptions): KeysmithPreHandler {
  const guard = createGuard(options);
  const header = (options.header ?? "authorization").toLowerCase();
  const getIp = options.getIp ?? ((request: FastifyRequest) => request.ip);
  return async (request, reply) => {
    const decision = await guard({
      credential: first(request.headers[header]),
      origin: first(request.headers.origin),
      ip: getIp(request),
    });
    reply.headers(decision.headers);
    if (!decision.allow) return reply.code(decision.status).send(decision.body);
    request.keysmith = decision.identity;
    return undefined;
  };
}

/**
 * A plugin that decorates requests with `keysmith` and protects every route of the context it
 * is registered in (it is not encapsulated, like `fastify-plugin`). Register it inside
 * `app.register(async (api) => { … })` to protect one group of routes.
 *
 * @example
 * app.register(async (api) => {
 *   await api.register(keysmithPlugin, { client, scopes: "weather:read" });
 *   api.get("/forecast", (request) => ({ owner: request.keysmith?.ownerId }));
 * });
 */
export const keysmithPlugin: FastifyPluginCallback<KeysmithFastifyOptions> = Object.assign(
  (
    app: Parameters<FastifyPluginCallback<KeysmithFastifyOptions>>[0],
    options: KeysmithFastifyOptions,
    done: (error?: Error) => void,
  ) => {
    if (!app.hasRequestDecorator("keysmith")) app.decorateRequest("keysmith", null);
    app.addHook("preHandler", keysmith(options));
    done();
  },
  { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "keysmith" },
);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export type { GuardOptions, KeysmithIdentity };
