import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { App } from "../http-types.js";
import { STRICT_CSP, securityHeaders } from "./security-headers.js";

/**
 * The built dashboard inside this package (`dashboard/`, copied there by the server's build and
 * shipped by `npm pack`), from this file in `src/plugins/` or in `dist/plugins/`.
 */
export const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL("../../dashboard/", import.meta.url));

/** Scripts, styles and connections from this server only; no inline script, no framing. */
export const DASHBOARD_CSP = STRICT_CSP;

// Vite names every file under assets/ by its content hash: a changed file gets a new name.
const IMMUTABLE = "public, max-age=31536000, immutable";
// The HTML names the current hashes, so it is revalidated on every load.
const REVALIDATE = "no-cache";

/** First path segments that belong to the API: never answered with the dashboard's HTML. */
const API_SEGMENTS = new Set(["v1", "healthz", "readyz", "metrics", "openapi.json", "docs"]);

/** True for a path the single-page app may handle: not the API, and not a file name. */
export function isClientRoute(url: string): boolean {
  const path = url.split("?", 1)[0] ?? "/";
  const segments = path.split("/").filter(Boolean);
  if (segments.length > 0 && API_SEGMENTS.has(segments[0] as string)) return false;
  // A missing asset (`/assets/old-1a2b.js`, `/favicon.ico`) is a 404, not the app's HTML.
  return !(segments.at(-1) ?? "").includes(".");
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>keysmith: dashboard not built</title></head>
<body>
<h1>The keysmith dashboard is not built</h1>
<p>The API is running. To serve the dashboard here, build it and restart the server:</p>
<pre>npm run build</pre>
<p>(or <code>npm run build -w @keysmith/dashboard &amp;&amp; npm run build -w @keysmith/server</code>
for the dashboard alone: the second step copies it into the server package).
<code>npm install</code> and <code>npm start</code> build it too.</p>
</body>
</html>
`;

/**
 * Serves the dashboard built in `root` at `/`: hashed assets cached for a year, the HTML for
 * every client route (`/projects/…`, `/keys/…`), and a strict Content-Security-Policy. Without
 * a build, `/` answers a page that says how to make one.
 *
 * @example await dashboard(app, { root: DEFAULT_DASHBOARD_ROOT });
 */
export async function dashboard(app: App, { root }: { root: string }): Promise<void> {
  const built = existsSync(join(root, "index.html"));
  await app.register(async (scope) => {
    securityHeaders(scope);

    if (!built) {
      scope.get("/*", { schema: { hide: true } }, (request, reply) => {
        if (!isClientRoute(request.url)) return reply.callNotFound();
        return reply
          .code(503)
          .header("cache-control", REVALIDATE)
          .type("text/html; charset=utf-8")
          .send(NOT_BUILT_PAGE);
      });
      return;
    }

    const assets = join(root, "assets") + sep;
    await scope.register(fastifyStatic, {
      root,
      prefix: "/",
      // Routes for the files present at start (a build replaces them; restart to serve a new one).
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader("cache-control", path.startsWith(assets) ? IMMUTABLE : REVALIDATE);
      },
    });
    const sendApp = (request: FastifyRequest, reply: FastifyReply) => {
      if (!isClientRoute(request.url)) return reply.callNotFound();
      return reply.header("cache-control", REVALIDATE).sendFile("index.html", { cacheControl: false });
    };
    scope.get("/", { schema: { hide: true } }, sendApp);
    scope.get("/*", { schema: { hide: true } }, sendApp);
  });
}
