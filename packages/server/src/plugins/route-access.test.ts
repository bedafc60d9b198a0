import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import type { RootKeyRecord } from "../domain/records.js";
import type { App } from "../http-types.js";
import { routeAccess } from "./route-access.js";

const actor = (scopes: string[]): RootKeyRecord =>
  ({ id: "root_x", projectId: null, scopes, revokedAt: null, expiresAt: null }) as unknown as RootKeyRecord;

function appWith(bearer: RootKeyRecord | null): App {
  const app = Fastify() as unknown as App;
  app.decorateRequest("actor", null);
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) =>
    reply.code(error.statusCode ?? (error as { status?: number }).status ?? 500).send({ code: error.code }),
  );
  routeAccess(app, { bearer: () => bearer, session: () => undefined });
  return app;
}

describe("route access", () => {
  it("refuses to start with a /v1 route that declares no scope", async () => {
    const app = appWith(null);
    expect(() => app.get("/v1/forgotten", () => ({}))).toThrow(/declares no access/);
    expect(() => app.get("/v1/typo", { config: { scope: "keys:reed" as "keys:read" } }, () => ({}))).toThrow(
      /declares no access/,
    );
    await app.close();
  });

  it("answers 401 without a root key, 403 without the scope, and runs the handler with it", async () => {
    for (const [bearer, status] of [
      [null, 401],
      [actor(["keys:read"]), 403],
      [actor(["keys:write"]), 200],
      [actor(["admin"]), 200],
    ] as const) {
      const app = appWith(bearer);
      app.post("/v1/thing", { config: { scope: "keys:write", noStore: true } }, () => ({ done: true }));
      const res = await app.inject({
        method: "POST",
        url: "/v1/thing",
        headers: { authorization: "Bearer x" },
      });
      expect(res.statusCode).toBe(status);
      expect(res.headers["cache-control"]).toBe("no-store");
      await app.close();
    }
  });
});
