import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.KEYSMITH_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"];
const DIST = fileURLToPath(new URL("../dist/index.html", import.meta.url));

/**
 * What an attacker who can name a key (a customer self-serving keys, a leaked low-privilege root
 * key) would store. Each one, if the page ever ran it, would open a dialog or set `window.__xss`.
 */
const PAYLOADS = [
  "<img src=x onerror=alert(1)>",
  "<img src=x onerror=window.__xss=1>",
  '"><svg onload=window.__xss=2>',
  "<script>window.__xss=3</script>",
  "javascript:window.__xss=4",
  "<iframe srcdoc='<script>parent.__xss=5</script>'>",
  "{{constructor.constructor('window.__xss=6')()}}",
];
const MAIN = PAYLOADS[0] as string;
const ALL = PAYLOADS.join(" ");
/** Names hold up to 200 characters. */
const NAME = PAYLOADS.slice(0, 4).join(" ");

const haveBrowser = existsSync(CHROMIUM);

describe.skipIf(!haveBrowser)("the dashboard shows attacker-chosen text as text", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  /** The root key the dashboard signs in with: itself named by the attacker. */
  let signInKey: string;
  const pages: string[] = [];

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.rootKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    expect(response.status, `${method} ${path}: ${JSON.stringify(parsed)}`).toBeLessThan(300);
    return parsed;
  }

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`the dashboard is not built (${DIST}): run npm run build`);
    dir = mkdtempSync(join(tmpdir(), "keysmith-xss-"));
    const config = loadConfig({
      KEYSMITH_DATABASE_URL: join(dir, "keysmith.db"),
      KEYSMITH_PORT: "0",
      KEYSMITH_LOG_LEVEL: "silent",
      KEYSMITH_MASTER_KEY: randomBytes(32).toString("base64"),
      // The webhook below targets loopback, which a default start refuses.
      KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "true",
    });
    if (!config.ok) throw new Error(config.error);
    server = await startServer(config.config, createLogger("silent"));

    // Every field a person can type that the dashboard shows.
    const project = await api("POST", "/v1/projects", { name: NAME, prefix: "xss" });
    const projectId = project.id as string;
    pages.push(`/projects/${projectId}`, `/projects/${projectId}/usage`);
    const meta = Object.fromEntries(PAYLOADS.map((p, i) => [`${p}${i}`, { [p]: [p, { note: p }] }]));
    for (const [i, payload] of PAYLOADS.entries()) {
      const key = await api("POST", "/v1/keys", {
        projectId,
        name: payload,
        ownerId: `${payload}${i}`,
        meta,
        scopes: ["read"],
      });
      if (i === 0) pages.push(`/keys/${key.id as string}`);
      // Usage for the charts, a refused scope for the outcome list.
      await api("POST", "/v1/keys/verify", { key: key.key });
      await api("POST", "/v1/keys/verify", { key: key.key, scopes: ["write"] });
      if (i === 1) await api("POST", `/v1/keys/${key.id as string}/revoke`, { reason: ALL });
      if (i === 2)
        await api("POST", "/v1/leaks", { keys: [key.key], source: NAME, url: `https://x.test/${MAIN}` });
    }
    const root = await api("POST", "/v1/root-keys", { scopes: ["admin"], name: MAIN });
    signInKey = root.key as string;
    await api("POST", `/v1/secrets/production/STRIPE_KEY?projectId=${projectId}`, { value: MAIN });
    // Loopback as the target (allowed above): nothing listens on port 9.
    const hook = await fetch(`${server.url}/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.rootKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        url: `http://127.0.0.1:9/hook?${encodeURIComponent(MAIN)}`,
        events: ["key.leaked"],
        description: ALL,
      }),
    });
    expect(hook.status).toBe(201);
    pages.push(`/webhooks/${((await hook.json()) as { id: string }).id}`);
    pages.push("/projects", "/alerts", "/webhooks", "/audit", "/vault");

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A signed-in page that records dialogs, CSP violations and page errors. */
  async function signedIn(context: BrowserContext): Promise<{ page: Page; events: string[] }> {
    const events: string[] = [];
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      events.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => events.push(`page error: ${error.message}`));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        (window as unknown as { __violations: string[] }).__violations ??= [];
        (window as unknown as { __violations: string[] }).__violations.push(
          `${event.effectiveDirective} ${event.blockedURI}`,
        );
      });
    });
    await page.goto(`${server.url}/`);
    await page.getByLabel("Root key").fill(signInKey);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    return { page, events };
  }

  /** Visits every page and asserts nothing ran and nothing was turned into markup. */
  async function visitAll(page: Page, events: string[]): Promise<void> {
    for (const path of pages) {
      await page.goto(`${server.url}${path}`);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      const found = await page.evaluate(() => {
        const w = window as unknown as { __xss?: unknown; __violations?: string[] };
        const handlers = Array.from(document.querySelectorAll("*")).flatMap((el) =>
          Array.from(el.attributes)
            .filter((a) => a.name.startsWith("on"))
            .map((a) => `${el.tagName}[${a.name}]`),
        );
        return {
          xss: w.__xss ?? null,
          violations: w.__violations ?? [],
          handlers,
          injected: document.querySelectorAll('img[src="x"], iframe, svg[onload], main script, object, embed')
            .length,
          javascriptLinks: Array.from(document.querySelectorAll("a[href]"))
            .map((a) => a.getAttribute("href") ?? "")
            .filter((href) => /^\s*javascript:/i.test(href)),
          text: document.body.textContent ?? "",
        };
      });
      expect(found.xss, path).toBeNull();
      expect(found.violations, path).toEqual([]);
      expect(found.handlers, path).toEqual([]);
      expect(found.injected, path).toBe(0);
      expect(found.javascriptLinks, path).toEqual([]);
      expect(events, path).toEqual([]);
      // The payloads are on the page, as the text they are.
      if (!["/webhooks", "/vault", "/alerts"].includes(path)) expect(found.text, path).toContain(MAIN);
    }
    // The topbar names the signed-in root key: attacker-chosen too.
    await expect(page.locator("header .who").textContent()).resolves.toContain(MAIN);
  }

  it("runs no script on any page, under the CSP", async () => {
    const context = await browser.newContext({ baseURL: server.url });
    try {
      const { page, events } = await signedIn(context);
      await visitAll(page, events);
    } finally {
      await context.close();
    }
  }, 180_000);

  // The CSP is the second line: the pages must be safe without it too (an old browser, a proxy
  // that drops the header).
  it("runs no script on any page even with the CSP stripped", async () => {
    const context = await browser.newContext({ baseURL: server.url });
    try {
      await context.route(`${server.url}/**`, async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers["content-security-policy"];
        await route.fulfill({ response, headers });
      });
      const { page, events } = await signedIn(context);
      // The CSP is really gone: an inline script runs.
      const inline = await page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__probe = 1";
        document.head.append(script);
        return (window as unknown as { __probe?: number }).__probe ?? null;
      });
      expect(inline).toBe(1);
      await visitAll(page, events);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("keeps /docs working under the strict CSP, and refuses to be framed", async () => {
    const context = await browser.newContext({ baseURL: server.url });
    try {
      const page = await context.newPage();
      const outside: string[] = [];
      const problems: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(server.url) && !request.url().startsWith("data:"))
          outside.push(request.url());
      });
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(`${server.url}/docs`);
      await page.locator(".opblock").first().waitFor();
      expect(await page.locator(".opblock").count()).toBeGreaterThan(20);
      await page.locator(".opblock-summary").first().click();
      await page.locator(".opblock-body").first().waitFor();
      expect(problems).toEqual([]);
      expect(outside).toEqual([]);

      // A page of another origin framing the dashboard or the docs gets an empty frame. The
      // other origin is a server of its own on loopback (a public one would meet Chromium's
      // private-network blocking before the CSP).
      const html = [`${server.url}/`, `${server.url}/docs`, `${server.url}/healthz`]
        .map((src) => `<iframe src="${src}"></iframe>`)
        .join("");
      const other = createServer((_request, response) =>
        response.writeHead(200, { "content-type": "text/html" }).end(html),
      );
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
      const attacker = await context.newPage();
      try {
        await attacker.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      } finally {
        other.close();
      }
      await attacker.waitForLoadState("networkidle");
      const frames = attacker.frames().slice(1);
      expect(frames).toHaveLength(3);
      // The control: a JSON answer (no page headers) does load in a frame here.
      const control = frames.pop();
      await expect(control?.evaluate(() => document.body.textContent ?? "")).resolves.toContain("status");
      for (const frame of frames) {
        const rendered = await frame
          .evaluate(() => document.querySelector("#root, #swagger-ui") !== null)
          .catch(() => false);
        expect(rendered, frame.url()).toBe(false);
      }
    } finally {
      await context.close();
    }
  }, 120_000);
});
