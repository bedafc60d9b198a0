import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { Keysmith } from "../client.js";
import { middlewareSuite } from "../test-support/middleware-suite.js";
import { keysmith, keysmithPlugin } from "./fastify.js";

middlewareSuite("Fastify", async (options) => {
  const app = Fastify();
  app.decorateRequest("keysmith", null);
  app.get("/resource", { preHandler: keysmith(options) }, (request) => ({ identity: request.keysmith }));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, close: () => app.close() };
});

describe("keysmithPlugin", () => {
  it("protects the routes of the context it is registered in, and no others", async () => {
    const app = Fastify();
    const client = new Keysmith({ baseUrl: "http://127.0.0.1:9", rootKey: "ks_root_live_x" });
    app.get("/health", () => ({ ok: true }));
    await app.register(async (api) => {
      await api.register(keysmithPlugin, { client });
      api.get("/resource", (request) => ({ identity: request.keysmith }));
    });
    const protectedAnswer = await app.inject({ method: "GET", url: "/resource" });
    expect(protectedAnswer.statusCode).toBe(401);
    expect(protectedAnswer.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    await app.close();
  });
});
