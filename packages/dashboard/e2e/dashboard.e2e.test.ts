import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Debian's Chromium, installed by .ci/run with apt-get: never a browser download.
const CHROMIUM = process.env.KEYSMITH_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DIST = fileURLToPath(new URL("../dist/index.html", import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
// Committed screenshots change only when asked for: KEYSMITH_SCREENSHOTS=1 npx vitest run packages/dashboard
const TAKE_SCREENSHOTS = process.env.KEYSMITH_SCREENSHOTS === "1";

const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  if (process.env.CI) throw new Error(`CI is set but ${CHROMIUM} is missing: apt-get install -y chromium`);
  console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

describe.skipIf(!haveBrowser)("the dashboard in Chromium", () => {
  let dir: string;
  let server: RunningServer;
  let rootKey: string;
  let context: BrowserContext;
  let page: Page;
  /** Everything a leak could hide in: request URLs, page URLs, cookies, web storage. */
  const seen = { urls: [] as string[], cookies: [] as string[], storage: [] as string[] };
  const secrets: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`the dashboard is not built (${DIST}): run npm run build`);
    dir = mkdtempSync(join(tmpdir(), "keysmith-e2e-"));
    const config = loadConfig({
      KEYSMITH_DATABASE_URL: join(dir, "keysmith.db"),
      KEYSMITH_PORT: "0",
      KEYSMITH_LOG_LEVEL: "silent",
      KEYSMITH_MASTER_KEY: randomBytes(32).toString("base64"),
    });
    if (!config.ok) throw new Error(config.error);
    server = await startServer(config.config, createLogger("silent"));
    rootKey = server.rootKey as string;
    secrets.push(rootKey);

    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 800 },
      baseURL: server.url,
      reducedMotion: "reduce",
      timezoneId: "UTC",
      locale: "en-US",
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    context.on("request", (request) => seen.urls.push(request.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on("framenavigated", (frame) => seen.urls.push(frame.url()));
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().includes("401"))
        problems.push(`console: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Records cookies, storage and the page URL at this moment. */
  async function snapshot(): Promise<void> {
    for (const cookie of await context.cookies()) seen.cookies.push(`${cookie.name}=${cookie.value}`);
    seen.storage.push(
      await page.evaluate(() =>
        JSON.stringify({
          local: { ...localStorage },
          session: { ...sessionStorage },
          cookie: document.cookie,
        }),
      ),
    );
    seen.urls.push(page.url());
  }

  async function screenshot(name: string): Promise<void> {
    if (!TAKE_SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }

  /** What a customer's API does on each request: verify with a root key holding keys:verify. */
  async function verify(
    key: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ valid: boolean; code: string }> {
    const response = await fetch(`${server.url}/v1/keys/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${rootKey}`, "content-type": "application/json" },
      body: JSON.stringify({ key, ...extra }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { valid: boolean; code: string };
  }

  /** Reads the show-once dialog's value, copies it with the button, and closes the dialog. */
  async function readOnce(): Promise<string> {
    const dialog = page.getByTestId("show-once");
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain("You will not see this again");
    const value = await dialog.getByTestId("show-once-value").inputValue();
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    await page.evaluate(() => navigator.clipboard.writeText(""));
    await dialog.getByRole("button", { name: "I have stored it" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await page.locator("body").textContent()).not.toContain(value);
    return value;
  }

  it("signs in, creates a key and shows it once, charts its usage, rolls, revokes, audits and signs out", async () => {
    // ── sign in with the keyboard ───────────────────────────────────────────────────
    await page.goto("/");
    const field = page.getByLabel("Root key");
    await field.waitFor();
    await expect(field.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await screenshot("sign-in");
    await field.fill(rootKey);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/projects");
    const [cookie] = (await context.cookies()).filter((c) => c.name === "keysmith_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false, path: "/" });
    expect(await page.evaluate(() => document.cookie)).toBe("");
    await snapshot();

    // ── a project ───────────────────────────────────────────────────────────────────
    await page.getByLabel("Project name").fill("Acme API");
    await page.getByLabel("Key prefix").fill("acme");
    await page.getByLabel("Public scopes").fill("catalog:read");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: /Acme API/ }).waitFor();
    const projectId = new URL(page.url()).pathname.split("/")[2] as string;
    expect(projectId).toMatch(/^proj_/);

    // ── a key, read once from the dialog ────────────────────────────────────────────
    await page.getByRole("button", { name: "Create key" }).click();
    const form = page.getByTestId("create-key");
    await form.waitFor();
    await form.getByLabel("Type", { exact: true }).selectOption("restricted");
    await form.getByLabel("Name", { exact: true }).fill("Checkout service");
    await form.getByLabel("Owner ID", { exact: true }).fill("cus_42");
    await form.getByLabel("Scopes", { exact: true }).fill("invoices:read invoices:write");
    await form.getByText("Rate limits, credits and budget").click();
    await form.getByRole("button", { name: "Add a window" }).click();
    await form.getByLabel("Budget limit", { exact: true }).fill("20");
    await form.getByLabel("Type", { exact: true }).focus();
    await form.evaluate((dialog) => dialog.scrollTo(0, 0));
    await screenshot("create-key");
    await form.getByRole("button", { name: "Create key" }).click();
    const key = await readOnce();
    secrets.push(key);
    expect(key).toMatch(/^acme_rk_live_[0-9A-Za-z]{36}$/);
    const masked = `${key.slice(0, "acme_rk_live_".length + 4)}…${key.slice(-4)}`;
    await page.getByRole("link", { name: masked }).waitFor();
    await snapshot();

    // ── the customer's API verifies it ──────────────────────────────────────────────
    expect(await verify(key, { scopes: ["invoices:read"], cost: 5 })).toMatchObject({
      valid: true,
      code: "VALID",
    });
    expect(await verify(key, { scopes: ["invoices:write"], cost: 12 })).toMatchObject({ valid: true });
    expect(await verify(key, { scopes: ["refunds:write"] })).toMatchObject({ code: "INSUFFICIENT_SCOPE" });

    // ── the usage on the chart, the spend against the budget ────────────────────────
    await page.getByRole("link", { name: masked }).click();
    await page.getByTestId("key-title").waitFor();
    const summary = page.getByTestId("usage-summary");
    // Usage is written in batches; the usage route flushes first, so a refresh always catches up.
    for (let attempt = 0; (await summary.getAttribute("data-total")) !== "3"; attempt++) {
      expect(attempt, "usage never reached the chart").toBeLessThan(20);
      await Promise.all([
        page.waitForResponse((r) => r.url().includes("/usage")),
        page.getByRole("button", { name: "Refresh" }).click(),
      ]);
    }
    expect(await page.locator('rect[data-outcome="VALID"]').count()).toBeGreaterThan(0);
    expect(await page.locator('rect[data-outcome="INSUFFICIENT_SCOPE"]').count()).toBeGreaterThan(0);
    await expect(summary.textContent()).resolves.toContain("VALID 2");
    const meter = page.getByRole("meter", { name: "Key budget" });
    await expect(meter.getAttribute("value")).resolves.toBe("17");
    expect(await page.locator('line[data-threshold="0.8"]').count()).toBe(1);
    // The 80% alert is raised beside the verification; reload until the page has it.
    for (let attempt = 0; !(await page.getByText("budget.threshold").count()); attempt++) {
      expect(attempt, "the budget alert never showed").toBeLessThan(20);
      await page.reload();
      await page.getByTestId("usage-summary").waitFor();
    }
    await screenshot("key-detail");

    // ── roll with a grace period: both keys work ────────────────────────────────────
    await page.getByRole("button", { name: "Roll" }).click();
    const roll = page.getByTestId("roll-key");
    await roll.getByLabel("1 hour", { exact: true }).check();
    await roll.getByRole("button", { name: "Roll key" }).click();
    const successor = await readOnce();
    secrets.push(successor);
    expect(successor).not.toBe(key);
    await page.waitForURL((url) => url.pathname.startsWith("/keys/") && !url.pathname.endsWith(projectId));
    expect((await verify(key)).valid).toBe(true);
    expect((await verify(successor)).valid).toBe(true);

    // ── revoke behind a confirmation ────────────────────────────────────────────────
    await page.getByRole("button", { name: "Revoke" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke this key?" });
    await confirm.getByLabel(/Reason/).fill("end of the test");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await page.getByTestId("key-title").getByText("revoked").waitFor();
    expect(await verify(successor)).toMatchObject({ valid: false, code: "REVOKED" });
    await snapshot();

    // ── the keys list ───────────────────────────────────────────────────────────────
    await page.getByRole("link", { name: "Acme API" }).click();
    const rows = page.getByTestId("keys-table").locator("tbody tr");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    await screenshot("keys");
    await page.getByLabel("Search").fill(successor);
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel("Search").fill("");

    // ── the vault: a value only on an explicit, audited reveal ──────────────────────
    const value = `sk_test_${randomBytes(12).toString("hex")}`;
    secrets.push(value);
    const stored = await fetch(`${server.url}/v1/secrets/production/STRIPE_KEY?projectId=${projectId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${rootKey}`, "content-type": "application/json" },
      body: JSON.stringify({ value, rotateEvery: "90d" }),
    });
    expect(stored.status).toBe(201);
    await page.getByRole("link", { name: "Vault" }).click();
    await page.getByRole("rowheader", { name: "STRIPE_KEY" }).waitFor();
    expect(await page.locator("body").textContent()).not.toContain(value);
    await page.getByRole("button", { name: "Reveal" }).click();
    await page.getByRole("button", { name: "Reveal value" }).click();
    await expect(page.locator("#secret-value").inputValue()).resolves.toBe(value);
    await page.getByRole("button", { name: "Hide and close" }).click();
    expect(await page.locator("body").textContent()).not.toContain(value);

    // ── the audit log and its chain ─────────────────────────────────────────────────
    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByTestId("chain-status").textContent()).resolves.toContain("Chain intact");
    const actions = await page
      .getByTestId("audit-table")
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")));
    for (const action of [
      "session.create",
      "project.create",
      "key.create",
      "key.roll",
      "key.revoke",
      "secret.read",
    ]) {
      expect(actions).toContain(action);
    }
    await screenshot("audit");
    await snapshot();

    // ── a phone's width: nothing wider than the screen ──────────────────────────────
    await page.setViewportSize({ width: 375, height: 800 });
    for (const path of ["/projects", `/projects/${projectId}`, "/audit"]) {
      await page.evaluate((to) => {
        window.history.pushState(null, "", to);
        window.dispatchEvent(new PopStateEvent("popstate"));
      }, path);
      await page.locator("main h1").first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // ── sign out ────────────────────────────────────────────────────────────────────
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    expect((await context.cookies()).filter((c) => c.name === "keysmith_session")).toEqual([]);
    expect(await page.evaluate(() => fetch("/v1/sessions/current").then((r) => r.status))).toBe(401);
    await snapshot();

    // ── nothing secret anywhere a browser keeps or sends outside a body ─────────────
    const haystack = [...seen.urls, ...seen.cookies, ...seen.storage];
    expect(seen.urls.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      for (const item of haystack)
        expect(item.includes(secret), `leaked into ${item.slice(0, 80)}`).toBe(false);
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
