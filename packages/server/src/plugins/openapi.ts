import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { App } from "../http-types.js";
import { securityHeaders } from "./security-headers.js";

/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the route schemas) and `/docs`, the Swagger
 * UI, under the dashboard's security headers and strict CSP: the UI's page loads its scripts and
 * styles as files and makes no request to another host (no validator badge).
 */
export async function openapi(app: App, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "keysmith",
        version,
        description:
          "Issue, verify, meter, rotate and revoke API keys. Authenticate with a root key as a Bearer token.",
      },
      components: {
        securitySchemes: {
          rootKey: { type: "http", scheme: "bearer", description: "A root key, ks_root_live_…" },
        },
      },
      security: [{ rootKey: [] }],
    },
  });
  await app.register(async (scope) => {
    securityHeaders(scope);
    await scope.register(swaggerUi, {
      routePrefix: "/docs",
      // BaseLayout: the standalone layout's top bar draws its logo with an inline <style>.
      uiConfig: { docExpansion: "list", validatorUrl: null, layout: "BaseLayout" },
    });
  });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
}
