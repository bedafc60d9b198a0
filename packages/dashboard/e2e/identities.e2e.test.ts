import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// As dashboard.e2e.test.ts: Debian's Chromium, never a browser download.
const CHROMIUM = process.env.KEYSMITH_CHROMIUM ?? "/usr/bin/chromium";
const DIST = fileURLToPath(new URL("../dist/index.html", import.meta.url));
const haveBrowser = existsSync(CHROMIUM);

describe.skipIf(!haveBrowser)("the identities and roles pages in Chromium", () => {
  let dir: string;
  let server: RunningServer;
  let rootKey: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rootKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: test reads response JSON freely
    return (await response.json()) as any;
  };

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`the dashboard is not built (${DIST}): run npm run build`);
    dir = mkdtempSync(join(tmpdir(), "keysmith-e2e-idt-"));
    const config = loadConfig({
      KEYSMITH_DATABASE_URL: join(dir, "keysmith.db"),
      KEYSMITH_PORT: "0",
      KEYSMITH_LOG_LEVEL: "silent",
    });
    if (!config.ok) throw new Error(config.error);
    server = await startServer(config.config, createLogger("silent"));
    rootKey = server.rootKey as string;
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
      headless: true,
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows an identity with its shared limits and keys, and edits roles that keys then verify with", async () => {
    const project = await api("POST", "/v1/projects", { name: "Acme API", prefix: "acme" });
    const identity = await api("POST", "/v1/identities", {
      projectId: project.id,
      externalId: "cus_7",
      ratelimits: [{ name: "org", limit: 500, duration: "1m" }],
      credits: { remaining: 1200 },
    });
    await api("POST", "/v1/keys", { projectId: project.id, ownerId: "cus_7", name: "Mobile app" });

    await page.goto("/");
    await page.getByLabel("Root key").fill(rootKey);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Projects" }).waitFor();

    await page.getByRole("link", { name: "Identities" }).click();
    await page.getByRole("link", { name: "cus_7" }).click();
    await page.getByRole("heading", { name: "cus_7" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/identities/${identity.id}`);
    await page.getByText("org: 500 per 1m, shared by every key below").waitFor();
    await page.getByRole("link", { name: "Mobile app" }).waitFor();
    await page.getByText("1,200 left").waitFor();

    await page.getByRole("link", { name: "Roles" }).click();
    await page.getByRole("heading", { name: "Roles", exact: true }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("billing");
    await page.getByLabel("Scopes", { exact: true }).fill("invoices:read refunds:write");
    await page.getByRole("button", { name: "Create role" }).click();
    const row = page.getByRole("row", { name: /billing/ });
    await row.getByText("invoices:read, refunds:write").waitFor();

    const key = await api("POST", "/v1/keys", { projectId: project.id, scopes: [], roles: ["billing"] });
    const verify = (scopes: string[]) => api("POST", "/v1/keys/verify", { key: key.key, scopes });
    expect((await verify(["invoices:read"])).code).toBe("VALID");

    await row.getByRole("button", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit role billing" }).waitFor();
    await page.getByLabel("Scopes", { exact: true }).fill("refunds:write");
    await page.getByRole("button", { name: "Save role" }).click();
    await row.getByText("refunds:write", { exact: true }).waitFor();
    expect((await verify(["invoices:read"])).code).toBe("INSUFFICIENT_SCOPE");

    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Delete role" }).click();
    await page.getByText("No roles yet.").waitFor();
    expect((await verify(["refunds:write"])).code).toBe("INSUFFICIENT_SCOPE");
    expect(problems).toEqual([]);
  }, 60_000);
});
