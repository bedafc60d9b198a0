import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { createLogger } from "../logger.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import { DASHBOARD_CSP, DEFAULT_DASHBOARD_ROOT, isClientRoute } from "./dashboard.js";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';

describe("the dashboard at /", () => {
  let h: Harness;
  let root: string;
  let served: KeysmithApp;
  let unbuilt: KeysmithApp;

  beforeAll(async () => {
    h = await createHarness("sqlite");
    root = mkdtempSync(join(tmpdir(), "keysmith-dashboard-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), INDEX);
    writeFileSync(join(root, "assets", "index-Ab12Cd34.js"), "console.log('dashboard');\n");
    writeFileSync(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    const logger = createLogger("silent");
    served = await buildApp({ store: h.store, clock: h.clock, logger, dashboardRoot: root });
    unbuilt = await buildApp({
      store: h.store,
      clock: h.clock,
      logger,
      dashboardRoot: join(root, "missing"),
    });
  });
  afterAll(async () => {
    await served.close();
    await unbuilt.close();
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (app: KeysmithApp, url: string) => app.app.inject({ method: "GET", url });

  it("serves the app with a strict CSP, no framing and no referrer", async () => {
    const response = await get(served, "/");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.body).toBe(INDEX);
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["referrer-policy"]).toBe("no-referrer");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["cache-control"]).toBe("no-cache");
  });

  it("caches hashed assets for a year, and revalidates everything else", async () => {
    const asset = await get(served, "/assets/index-Ab12Cd34.js");
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    const icon = await get(served, "/favicon.svg");
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["cache-control"]).toBe("no-cache");
  });

  it("answers client routes with the app, and missing files with 404", async () => {
    for (const url of ["/projects", "/keys/key_0Qk8Zr1a3fTzq9LmP0xYbVwe", "/audit?action=key.create"]) {
      const response = await get(served, url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe(INDEX);
    }
    for (const url of ["/assets/index-0ld0ld00.js", "/favicon.ico"]) {
      const response = await get(served, url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain("<html");
    }
  });

  it("leaves the API alone: its 404s and 401s stay JSON", async () => {
    const unknown = await get(served, "/v1/no-such-thing");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("ROUTE_NOT_FOUND");
    const unauthenticated = await get(served, "/v1/projects");
    expect(unauthenticated.statusCode).toBe(401);
    expect((await get(served, "/healthz")).json()).toEqual({ status: "ok" });
    expect((await get(served, "/openapi.json")).statusCode).toBe(200);
    const docs = await get(served, "/docs");
    expect(docs.statusCode).toBeLessThan(400);
    // The API's JSON answers are no pages: no page headers on them.
    expect(unauthenticated.headers["content-security-policy"]).toBeUndefined();
  });

  it("puts /docs, its scripts and its initializer under the dashboard's headers and CSP", async () => {
    for (const app of [served, unbuilt, h.keysmith]) {
      const page = await get(app, "/docs/");
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      // Nothing inline for the CSP to refuse: every script is a file.
      const scripts = [...page.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [tag, body] of scripts) {
        expect(tag).toMatch(/\ssrc="/);
        expect(body?.trim()).toBe("");
      }
      expect(page.body).not.toMatch(/<style\b|\sstyle="|\son\w+=/);
      for (const url of [
        "/docs",
        "/docs/",
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-initializer.js",
        "/docs/static/swagger-ui.css",
        "/docs/json",
      ]) {
        const response = await get(app, url);
        expect(response.statusCode, url).toBeLessThan(400);
        expect(response.headers["content-security-policy"], url).toBe(DASHBOARD_CSP);
        expect(response.headers["x-frame-options"], url).toBe("DENY");
        expect(response.headers["referrer-policy"], url).toBe("no-referrer");
        expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      }
      // No request to another host: the validator badge is off.
      const initializer = (await get(app, "/docs/static/swagger-initializer.js")).body;
      expect(initializer).toContain('"validatorUrl":null');
      expect(initializer).toContain('"layout":"BaseLayout"');
    }
  });

  it("says how to build it when there is no build, and keeps serving the API", async () => {
    const page = await get(unbuilt, "/");
    expect(page.statusCode).toBe(503);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("npm run build");
    expect(page.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    expect((await get(unbuilt, "/keys/key_1")).statusCode).toBe(503);
    expect((await get(unbuilt, "/v1/projects")).statusCode).toBe(401);
    expect((await get(unbuilt, "/v1/nope")).json().error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("tells client routes from API paths and file names", () => {
    expect(isClientRoute("/")).toBe(true);
    expect(isClientRoute("/projects/proj_1?env=test")).toBe(true);
    expect(isClientRoute("/v1")).toBe(false);
    expect(isClientRoute("/v1/keys")).toBe(false);
    expect(isClientRoute("/docs/static/index.html")).toBe(false);
    expect(isClientRoute("/metrics")).toBe(false);
    expect(isClientRoute("/robots.txt")).toBe(false);
  });

  // The real build, when there is one (`npm test` builds first): nothing inline for the CSP to refuse.
  it.skipIf(!existsSync(join(DEFAULT_DASHBOARD_ROOT, "index.html")))(
    "builds an index.html with no inline script or style",
    () => {
      const html = readFileSync(join(DEFAULT_DASHBOARD_ROOT, "index.html"), "utf8");
      const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [tag, body] of scripts) {
        expect(tag).toMatch(/\ssrc="\/assets\//);
        expect(body?.trim()).toBe("");
      }
      expect(html).not.toMatch(/<style\b/);
      expect(html).not.toMatch(/\sstyle="/);
    },
  );
});
