import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { describe, expectTypeOf, it } from "vitest";
import { Keysmith } from "../client.js";
import { middlewareSuite } from "../test-support/middleware-suite.js";
import type { KeysmithIdentity } from "./guard.js";
import { keysmith } from "./hono.js";

middlewareSuite("Hono", async (options) => {
  const app = new Hono();
  app.get("/resource", keysmith(options), (c) => c.json({ identity: c.get("keysmith") }));
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
        resolve({ server, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});

describe("Hono variables", () => {
  it("types the identity as non-null, or nullable with failOpen", () => {
    const client = new Keysmith({ baseUrl: "http://127.0.0.1:9", rootKey: "ks_root_live_x" });
    new Hono().get("/", keysmith({ client }), (c) => {
      expectTypeOf(c.get("keysmith")).toEqualTypeOf<KeysmithIdentity>();
      return c.text("");
    });
    new Hono().get("/", keysmith({ client, failOpen: true }), (c) => {
      expectTypeOf(c.get("keysmith")).toEqualTypeOf<KeysmithIdentity | null>();
      return c.text("");
    });
  });
});
