import { createHash } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { createLogger } from "../logger.js";
import { SESSION_IDLE_MS, SESSION_MAX_MS } from "../sessions/sessions.js";
import { SIGN_IN_MAX_FAILURES, SIGN_IN_WINDOW_MS } from "../sessions/throttle.js";
import { testDialects } from "../test-support/databases.js";
import { useHarness } from "../test-support/harness.js";

interface SignedIn {
  cookie: string;
  sessionId: string;
  csrfToken: string;
  setCookie: string;
}

describe.each(await testDialects())("dashboard sessions on %s", (dialect) => {
  const h = useHarness(dialect);

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

  it("stores only SHA-256 hashes of the session id and CSRF token, never the tokens or the root key", async () => {
    const session = await signIn();
    const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
    const rows = await sql<Record<string, unknown>>`select * from sessions`.execute(h.store.database);
    const row = rows.rows.find((r) => r.id_hash === sha256(session.sessionId));
    expect(row).toMatchObject({ csrf_hash: sha256(session.csrfToken) });
    expect(Object.keys(row ?? {})).not.toContain("csrf_token");
    const dump = JSON.stringify(rows.rows);
    for (const plain of [session.sessionId, session.csrfToken, h.rootKey]) {
      expect(dump).not.toContain(plain);
      // Nor in any encoding a column could hold it in.
      expect(dump).not.toContain(Buffer.from(plain, "base64url").toString("hex"));
    }
  });

  it("throttles failed sign-ins per client address: 10 in 15 minutes, then 429 with Retry-After", async () => {
    const { app } = h.keysmith;
    const signInFrom = (remoteAddress: string, rootKey: string) =>
      app.inject({ method: "POST", url: "/v1/sessions", remoteAddress, payload: { rootKey } });
    const attacker = "203.0.113.7";
    const wrong = h.rootKey.slice(0, -2) + (h.rootKey.endsWith("zz") ? "yy" : "zz");
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) {
      expect((await signInFrom(attacker, `${wrong}${i}`)).statusCode).toBe(401);
    }
    h.clock.advance(60_000);
    // Blocked now, even with the right key: a blocked address learns nothing from its guesses.
    const blocked = await signInFrom(attacker, h.rootKey);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["set-cookie"]).toBeUndefined();
    expect(blocked.headers["retry-after"]).toBe(String((SIGN_IN_WINDOW_MS - 60_000) / 1000));
    expect(JSON.parse(blocked.body).error).toMatchObject({
      code: "RATE_LIMITED",
      details: { reason: "sign_in_throttled", retryAfter: (SIGN_IN_WINDOW_MS - 60_000) / 1000 },
    });
    expect(blocked.body).not.toContain(h.rootKey);
    // Another address is not affected…
    expect((await signInFrom("203.0.113.8", h.rootKey)).statusCode).toBe(201);
    // …and IPv6 addresses count per /64, so rotating the interface id does not help.
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) {
      expect((await signInFrom(`2001:db8:1:2::${(i + 1).toString(16)}`, wrong)).statusCode).toBe(401);
    }
    expect((await signInFrom("2001:db8:1:2:ffff::9", h.rootKey)).statusCode).toBe(429);
    expect((await signInFrom("2001:db8:1:3::1", h.rootKey)).statusCode).toBe(201);
    // The block lifts when the oldest failure leaves the window.
    h.clock.advance(SIGN_IN_WINDOW_MS - 60_000 - 1);
    expect((await signInFrom(attacker, h.rootKey)).statusCode).toBe(429);
    h.clock.advance(1);
    expect((await signInFrom(attacker, h.rootKey)).statusCode).toBe(201);
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

  it("refuses every state-changing /v1 route made with the cookie but no CSRF token", async () => {
    const session = await signIn();
    const document = (await h.api("GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const stateChanging = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ["post", "put", "patch", "delete"].includes(method))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
    // Signing in is the one state change made without a session (and is JSON only, see above);
    // GitHub's partner endpoint is authenticated by its signature, never by a cookie.
    const checked = stateChanging.filter(
      ({ path }) => path !== "/v1/sessions" && path !== "/v1/leaks/github",
    );
    expect(checked.length).toBeGreaterThanOrEqual(17);
    const auditBefore = (await h.api("GET", "/v1/audit?limit=1")).body.data[0]?.id;
    for (const { method, path } of checked) {
      const url = path.replace(/\{[^}]+\}/g, "x1");
      for (const csrf of [undefined, "", "forged"]) {
        const response = await h.api(method, url, {}, withCookie(session, csrf));
        expect(response.status, `${method} ${path} csrf=${csrf}`).toBe(403);
        expect(response.body.error.details, `${method} ${path}`).toEqual({ reason: "csrf" });
      }
    }
    // Nothing was done: the audit log's newest entry is the same.
    expect((await h.api("GET", "/v1/audit?limit=1")).body.data[0]?.id).toBe(auditBefore);
    expect((await h.api("GET", "/v1/sessions/current", undefined, withCookie(session))).status).toBe(200);
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
    // The old cookie, replayed with its CSRF token, is refused everywhere: the session is gone.
    expect((await h.api("GET", "/v1/projects", undefined, withCookie(session))).status).toBe(401);
    expect((await h.api("GET", "/v1/sessions/current", undefined, withCookie(session))).status).toBe(401);
    const replayed = await h.api(
      "POST",
      "/v1/projects",
      { name: "replay", prefix: `r${Date.now().toString(36).slice(-8)}` },
      withCookie(session, session.csrfToken),
    );
    expect(replayed.status).toBe(401);
    const again = await h.api(
      "DELETE",
      "/v1/sessions/current",
      undefined,
      withCookie(session, session.csrfToken),
    );
    expect(again.status).toBe(401);
    const idHash = createHash("sha256").update(session.sessionId).digest("hex");
    const left = await sql`select * from sessions where id_hash = ${idHash}`.execute(h.store.database);
    expect(left.rows).toEqual([]);
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
