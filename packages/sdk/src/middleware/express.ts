import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createGuard, type Decision, type GuardOptions, type KeysmithIdentity } from "./guard.js";

declare global {
  namespace Express {
    interface Request {
      /** The verified key, set by keysmith's middleware; null when it failed open. */
      keysmith?: KeysmithIdentity | null;
    }
    interface Locals {
      keysmith?: KeysmithIdentity | null;
    }
  }
}

export interface KeysmithExpressOptions extends GuardOptions {
  /**
   * The caller's IP (checked against a key's allowed IPs). Default `req.ip`, which follows
   * Express's `trust proxy` setting: behind a proxy, set it so the address is the client's and
   * not the proxy's, and only then (otherwise anyone can forge X-Forwarded-For).
   */
  getIp?: (req: Request) => string | undefined;
}

/**
 * Express middleware: verifies the request's key with keysmith, then sets `req.keysmith` and
 * `res.locals.keysmith` to who called, or answers 401/402/403/429/503 with a JSON error.
 *
 * @example
 * import { keysmith } from "@keysmith/sdk/express";
 * const client = new Keysmith({ baseUrl: process.env.KEYSMITH_URL, rootKey: process.env.KEYSMITH_ROOT_KEY });
 * app.get("/forecast", keysmith({ client, scopes: "weather:read" }), (req, res) => res.json({ owner: req.keysmith?.ownerId }));
 */
export function keysmith(options: KeysmithExpressOptions): RequestHandler {
  const guard = createGuard(options);
  const header = (options.header ?? "authorization").toLowerCase();
  const getIp = options.getIp ?? ((req: Request) => req.ip);
  return (req: Request, res: Response, next: NextFunction): void => {
    const apply = (decision: Decision): void => {
      res.set(decision.headers);
      if (!decision.allow) {
        res.status(decision.status).json(decision.body);
        return;
      }
      req.keysmith = decision.identity;
      res.locals.keysmith = decision.identity;
      next();
    };
    const pending = guard({
      credential: first(req.headers[header]),
      origin: first(req.headers.origin),
      ip: getIp(req),
    });
    // A cached decision is applied at once; a server's answer when it comes.
    if (pending instanceof Promise) pending.then(apply, next);
    else apply(pending);
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export type { GuardOptions, KeysmithIdentity };
