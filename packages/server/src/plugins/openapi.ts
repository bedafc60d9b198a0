import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { App } from "../http-types.js";

/** `GET /openapi.json` (OpenAPI 3.1, generated from the route schemas) and `/docs`. */
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
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
}
