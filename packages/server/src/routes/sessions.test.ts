import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { createLogger } from "../logger.js";
import { SESSION_IDLE_MS, SESSION_MAX_MS } from "../sessions/sessions.js";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

interface SignedIn {
  cookie: string;
  sessionId: string;
  csrfToken: string;
  setCookie: string;
}

describe.each(await testDialects())("dashboard sessions on %s", (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  async function signIn(rootKey = h.rootKey): Promise<SignedIn> {
    const response = await h.api("POST", "/v1/sessions", { rootKey }, { key: null });
    expect(response.status).toBe(201);
    const setCookie = String(response.headers["set-cookie"]);
    const sessionId = /^keysmith_session=([^;]+)/.exec(setCookie)?.[1] as string;
    return {
      cookie: `keysmith_session=${sessionId}`,
      sessionId,
      csrfToken: response.body.csrfToken,
      setCookie,
    };
  }

  const withCookie = (session: SignedIn, csrf?: string) => ({
    key: null,
    headers: { cookie: session.cookie, ...(csrf === undefined ? {} : { "x-csrf-token": csrf }) },
  });

  it("exchanges a root key for an HttpOnly, SameSite=Strict cookie and a CSRF token", async () => {
    const response = await h.api("POST", "/v1/sessions", { rootKey: h.rootKey }, { key: null });
    expect(response.status).toBe(201);
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toMatch(/^keysmith_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure"); // plain HTTP
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.body.rootKey).toMatchObject({ status: "active", scopes: ["admin"] });
    expect(Date.parse(response.body.expiresAt)).toBe(h.clock.now() + SESSION_IDLE_MS);
    // The root key is never echoed.
    expect(response.text).not.toContain(h.rootKey);
  });

  it("stores only a SHA-256 of the session id, never the id or the root key", async () => {
    const session = await signIn();
    const hash = createHash("sha256").update(session.sessionId).digest("hex");
    const rows = await sql<Record<string, unknown>>`select * from sessions`.execute(h.store.database);
    const dump = JSON.stringify(rows.rows);
    expect(dump).toContain(hash);
    expect(dump).not.toContain(session.sessionId);
    expect(dump).not.toContain(h.rootKey);
  });

  it("refuses anything but a live root key, and sets no cookie", async () => {
    const project = await h.project();
    const customerKey = (await h.key(project.id)).key;
    const altered = h.rootKey.slice(0, -1) + (h.rootKey.endsWith("x") ? "y" : "x");
    for (const rootKey of [customerKey, altered, "ks_root_live_nope"]) {
      const response = await h.api("POST", "/v1/sessions", { rootKey }, { key: null });
      expect(response.status).toBe(401);
      expect(response.headers["set-cookie"]).toBeUndefined();
      expect(response.text).not.toContain(rootKey);
    }
    const extra = await h.api("POST", "/v1/sessions", { rootKey: h.rootKey, remember: true }, { key: null });
    expect(extra.status).toBe(400);
    // A form post from another site cannot sign a browser in: only JSON is read.
    const form = await h.api("POST", "/v1/sessions", `rootKey=${h.rootKey}`, {
      key: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });

  it("authenticates /v1 reads with the cookie alone", async () => {
    const session = await signIn();
    const projects = await h.api("GET", "/v1/projects", undefined, withCookie(session));
    expect(projects.status).toBe(200);
    const current = await h.api("GET", "/v1/sessions/current", undefined, withCookie(session));
    expect(current.status).toBe(200);
    expect(current.body.csrfToken).toBe(session.csrfToken);
    expect(current.headers["cache-control"]).toBe("no-store");
    const unknown = await h.api("GET", "/v1/projects", undefined, {
      key: null,
      headers: { cookie: "keysmith_session=forged" },
    });
    expect(unknown.status).toBe(401);
    expect((await h.api("GET", "/v1/sessions/current", undefined, { key: null })).status).toBe(401);
  });

  it("requires the session's CSRF token on every state-changing request, compared exactly", async () => {
    const session = await signIn();
    const before = (await h.api("GET", "/v1/projects?limit=500")).body.data.length;
    const body = { name: "CSRF", prefix: `c${Date.now().toString(36).slice(-8)}` };

    const missing = await h.api("POST", "/v1/projects", body, withCookie(session));
    expect(missing.status).toBe(403);
    expect(missing.body.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "csrf" } });
    const forged = `${session.csrfToken.slice(0, -1)}${session.csrfToken.endsWith("A") ? "B" : "A"}`;
    expect((await h.api("POST", "/v1/projects", body, withCookie(session, forged))).status).toBe(403);
    expect((await h.api("POST", "/v1/projects", body, withCookie(session, "short"))).status).toBe(403);
    const other = await signIn();
    expect((await h.api("POST", "/v1/projects", body, withCookie(session, other.csrfToken))).status).toBe(
      403,
    );
    // Nothing changed.
    expect((await h.api("GET", "/v1/projects?limit=500")).body.data.length).toBe(before);

    const created = await h.api("POST", "/v1/projects", body, withCookie(session, session.csrfToken));
    expect(created.status).toBe(201);
    const patch = await h.api(
      "PATCH",
      `/v1/projects/${created.body.id}`,
      { name: "CSRF 2" },
      withCookie(session),
    );
    expect(patch.status).toBe(403);
    expect((await h.api("DELETE", "/v1/sessions/current", undefined, withCookie(session))).status).toBe(403);
  });

  it("lets a Bearer root key through without CSRF, even beside a cookie", async () => {
    const session = await signIn();
    const response = await h.api(
      "POST",
      "/v1/projects",
      { name: "Bearer", prefix: `b${Date.now().toString(36).slice(-8)}` },
      { headers: { cookie: session.cookie } },
    );
    expect(response.status).toBe(201);
  });

  it("signs out: the session ends, the cookie is cleared and both are audited", async () => {
    const session = await signIn();
    const out = await h.api(
      "DELETE",
      "/v1/sessions/current",
      undefined,
      withCookie(session, session.csrfToken),
    );
    expect(out.status).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(
      /^keysmith_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/,
    );
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(session))).status).toBe(401);
    const log = await h.api("GET", "/v1/audit?action=session.delete&limit=1");
    expect(log.body.data[0]).toMatchObject({
      action: "session.delete",
      actorType: "root_key",
      targetType: "root_key",
    });
    expect((await h.api("GET", "/v1/audit?action=session.create&limit=1")).body.data).toHaveLength(1);
  });

  it("ends every session of a root key when the key is revoked", async () => {
    const issued = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"], name: "dashboard user" });
    expect(issued.status).toBe(201);
    const first = await signIn(issued.body.key);
    const second = await signIn(issued.body.key);
    expect((await h.api("GET", "/v1/keys", undefined, withCookie(first))).status).toBe(200);
    // The session carries the root key's own scopes, no more.
    const denied = await h.api(
      "POST",
      "/v1/projects",
      { name: "x", prefix: "xyz123" },
      withCookie(first, first.csrfToken),
    );
    expect(denied.status).toBe(403);

    expect((await h.api("POST", `/v1/root-keys/${issued.body.id}/revoke`)).status).toBe(200);
    expect((await h.api("GET", "/v1/keys", undefined, withCookie(first))).status).toBe(401);
    expect((await h.api("GET", "/v1/sessions/current", undefined, withCookie(second))).status).toBe(401);
    const left = await sql<{
      n: number | string;
    }>`select count(*) as n from sessions where root_key_id = ${issued.body.id}`.execute(h.store.database);
    expect(Number(left.rows[0]?.n)).toBe(0);
  });

  it("expires after 12 hours idle, and after 7 days in any case", async () => {
    const idle = await signIn();
    h.clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(idle))).status).toBe(200);
    // That request moved the idle deadline.
    h.clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(idle))).status).toBe(200);
    h.clock.advance(SESSION_IDLE_MS + 1);
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(idle))).status).toBe(401);

    const busy = await signIn();
    const end = h.clock.now() + SESSION_MAX_MS;
    while (h.clock.now() + SESSION_IDLE_MS / 2 < end) {
      h.clock.advance(SESSION_IDLE_MS / 2);
      expect((await h.api("GET", "/v1/projects", undefined, withCookie(busy))).status).toBe(200);
    }
    h.clock.set(end);
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(busy))).status).toBe(401);
  });

  it("marks the cookie Secure over HTTPS, as a trusted proxy reports it", async () => {
    const behindProxy = await buildApp({
      store: h.store,
      clock: h.clock,
      logger: createLogger("silent"),
      trustProxy: true,
    });
    try {
      const signInVia = (app: typeof behindProxy.app, proto?: string) =>
        app.inject({
          method: "POST",
          url: "/v1/sessions",
          headers: proto ? { "x-forwarded-proto": proto } : {},
          payload: { rootKey: h.rootKey },
        });
      expect(String((await signInVia(behindProxy.app, "https")).headers["set-cookie"])).toMatch(/; Secure$/);
      expect(String((await signInVia(behindProxy.app)).headers["set-cookie"])).not.toContain("Secure");
      // Without trustProxy the header is anyone's to send, so it is ignored.
      expect(String((await signInVia(h.keysmith.app, "https")).headers["set-cookie"])).not.toContain(
        "Secure",
      );
    } finally {
      await behindProxy.close();
    }
  });
});
