import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import { createGuard, type Decision, type GuardOptions, type KeysmithIdentity } from "./guard.js";

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

/**
 * A Fastify `preHandler` in callback style: a decision from the local cache is applied at once
 * (`done()` in the same turn, no promise), a server's answer through the promise it returns.
 */
export type KeysmithPreHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => Promise<void> | undefined;

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
  const apply = (request: FastifyRequest, reply: FastifyReply, decision: Decision): boolean => {
    for (const name in decision.headers) reply.header(name, decision.headers[name]);
    if (!decision.allow) {
      reply.code(decision.status).send(decision.body);
      return false;
    }
    request.keysmith = decision.identity;
    return true;
  };
  return (request, reply, done) => {
    const pending = guard({
      credential: first(request.headers[header]),
      origin: first(request.headers.origin),
      ip: getIp(request),
    });
    // Fastify waits for a returned promise and then goes on by itself; done() is for the rest.
    if (pending instanceof Promise) return pending.then((decision) => void apply(request, reply, decision));
    if (apply(request, reply, pending)) done();
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
