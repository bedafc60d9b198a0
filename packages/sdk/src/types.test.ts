import { readFileSync } from "node:fs";
import { buildApp, createLogger, openStore } from "@keysmith/server";
import { describe, expect, it } from "vitest";
import { openapiToTypeScript } from "../scripts/openapi-to-ts.mjs";

/** Every route the client has a method for. A route added to the server fails here until it has one. */
const COVERED = [
  "POST /v1/identities",
  "GET /v1/identities",
  "GET /v1/identities/{id}",
  "PATCH /v1/identities/{id}",
  "DELETE /v1/identities/{id}",
  "POST /v1/roles",
  "GET /v1/roles",
  "GET /v1/roles/{id}",
  "PATCH /v1/roles/{id}",
  "DELETE /v1/roles/{id}",
  "GET /v1/alerts",
  "GET /v1/audit",
  "GET /v1/audit/verify",
  "GET /v1/keys",
  "GET /v1/keys/changes",
  "GET /v1/keys/{id}",
  "GET /v1/keys/{id}/usage",
  "GET /v1/projects",
  "GET /v1/projects/{id}",
  "GET /v1/root-keys",
  "GET /v1/usage",
  "POST /v1/usage",
  "GET /v1/webhooks",
  "GET /v1/webhooks/{id}",
  "GET /v1/webhooks/{id}/deliveries",
  "DELETE /v1/webhooks/{id}",
  "PATCH /v1/keys/{id}",
  "PATCH /v1/projects/{id}",
  "POST /v1/keys",
  "POST /v1/keys/verify",
  "POST /v1/keys/{id}/credits",
  "POST /v1/keys/import",
  "POST /v1/keys/{id}/revoke",
  "POST /v1/keys/{id}/roll",
  "POST /v1/leaks",
  "POST /v1/projects",
  "POST /v1/root-keys",
  "POST /v1/root-keys/{id}/revoke",
  "POST /v1/webhooks",
  "GET /v1/secrets",
  "GET /v1/secrets/export",
  "GET /v1/secrets/{environment}/{name}",
  "POST /v1/secrets/{environment}/{name}",
  "PATCH /v1/secrets/{environment}/{name}",
  "DELETE /v1/secrets/{environment}/{name}",
  "POST /v1/secrets/{environment}/{name}/restore",
  "GET /v1/secrets/{environment}/{name}/versions",
  "POST /v1/ratelimit",
  "PUT /v1/ratelimit/overrides",
  "GET /v1/ratelimit/overrides",
  "DELETE /v1/ratelimit/overrides",
];

/** Routes the client leaves out on purpose, with the reason. */
const EXCLUDED: Record<string, string> = {
  "POST /v1/sessions": "the dashboard's browser sign-in (cookie and CSRF token), not for API clients",
  "GET /v1/sessions/current": "the dashboard's browser session",
  "DELETE /v1/sessions/current": "the dashboard's browser session",
  "POST /v1/leaks/github": "GitHub's secret-scanning partner endpoint, called and signed by GitHub",
};

async function serverDocument(): Promise<{ paths: Record<string, Record<string, unknown>> }> {
  const store = await openStore(":memory:");
  const keysmith = await buildApp({ store, logger: createLogger("silent") });
  try {
    return (await keysmith.app.inject({ method: "GET", url: "/openapi.json" })).json();
  } finally {
    await keysmith.close();
    await store.close();
  }
}

describe("the SDK's types and the server's routes", () => {
  it("src/generated/openapi.ts is what the server's OpenAPI document generates", async () => {
    const generated = openapiToTypeScript(await serverDocument());
    const committed = readFileSync(new URL("./generated/openapi.ts", import.meta.url), "utf8");
    expect(
      committed === generated,
      "src/generated/openapi.ts is out of date: run npm run generate -w @keysmith/sdk",
    ).toBe(true);
  });

  it("has a client method for every route", async () => {
    const routes = Object.entries((await serverDocument()).paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .filter((route) => !(route in EXCLUDED));
    expect(routes.sort(), "add a method to the client for each new route, then list it in COVERED").toEqual(
      [...COVERED].sort(),
    );
  });
});
