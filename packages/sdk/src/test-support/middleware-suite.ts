import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keysmith } from "../client.js";
import { crc32, encodeBase62 } from "../key-format.js";
import type { GuardOptions } from "../middleware/guard.js";
import { startKeysmith, type TestKeysmith } from "./keysmith.js";
import { countingFetch, deadUrl } from "./network.js";

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the framework's app with one route, `GET /resource`, behind the middleware built from
 * `options`; the handler answers `{ identity }` with the identity the framework's idiom gave it.
 */
export type StartApp = (options: GuardOptions) => Promise<RunningApp>;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
  body: any;
  text: string;
}

async function call(app: RunningApp, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${app.url}/resource`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * The one specification every framework adapter meets, run against a real keysmith server:
 * the same cases, statuses and headers for Express, Fastify and Hono.
 */
export function middlewareSuite(framework: string, start: StartApp): void {
  describe(`${framework} middleware against a real keysmith server`, () => {
    let keysmith: TestKeysmith;
    let client: Keysmith;
    const apps: RunningApp[] = [];
    const open = async (options: Partial<GuardOptions> = {}) => {
      const app = await start({ client, scopes: "weather:read", ...options });
      apps.push(app);
      return app;
    };

    beforeAll(async () => {
      keysmith = await startKeysmith();
      client = new Keysmith({ baseUrl: keysmith.url, rootKey: keysmith.rootKey });
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await keysmith?.stop();
    });

    it("lets a valid key through and hands the verified identity to the handler", async () => {
      const issued = await keysmith.key({
        scopes: ["weather:read"],
        ownerId: "cus_42",
        meta: { plan: "pro" },
        environment: "test",
      });
      // A test key passes only where the caller asks for test keys (keysmith never takes a
      // test key for a live one silently).
      const live = await call(await open(), bearer(issued.key));
      expect(live.status).toBe(403);
      const app = await open({ environment: "test" });
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(200);
      expect(answer.body.identity).toMatchObject({
        keyId: issued.id,
        ownerId: "cus_42",
        projectId: keysmith.projectId,
        scopes: ["weather:read"],
        meta: { plan: "pro" },
        environment: "test",
        type: "secret",
      });
    });

    it("answers 401 with WWW-Authenticate when no key is sent", async () => {
      const app = await open({ realm: "weather" });
      const cases: Record<string, string>[] = [
        {},
        { authorization: "Basic dXNlcjpwYXNz" },
        { authorization: "Bearer " },
      ];
      for (const headers of cases) {
        const answer = await call(app, headers);
        expect(answer.status).toBe(401);
        expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="weather"');
        expect(answer.body.error.code).toBe("MISSING_KEY");
        expect(answer.body.error.message).toContain("Authorization: Bearer");
      }
    });

    it("answers 401 invalid_token for a malformed key without calling keysmith", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const spy = countingFetch();
      const app = await open({
        client: new Keysmith({ baseUrl: keysmith.url, rootKey: keysmith.rootKey, fetch: spy.fetch }),
      });
      const before = await keysmith.verifications();
      // One changed character breaks the checksum; the others are not keys at all.
      const flipped = `${issued.key.slice(0, -1)}${issued.key.endsWith("A") ? "B" : "A"}`;
      for (const key of [flipped, "not-a-key", `${issued.key}x`]) {
        const answer = await call(app, bearer(key));
        expect(answer.status).toBe(401);
        expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="api", error="invalid_token"');
        expect(answer.body.error.code).toBe("MALFORMED");
        expect(answer.text).not.toContain(key);
      }
      expect(spy.calls).toEqual([]);
      expect(await keysmith.verifications()).toBe(before);
    });

    it("answers 401 invalid_token for a revoked key", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const app = await open();
      expect((await call(app, bearer(issued.key))).status).toBe(200);
      await keysmith.admin.keys.revoke(issued.id);
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(401);
      expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(answer.body).toEqual({ error: { code: "REVOKED", message: "The API key has been revoked." } });
    });

    it("answers 401 for a well-formed key keysmith never issued", async () => {
      // Built from parts so the repository's key-shaped-string check stays quiet.
      const head = `nope_sk_live_${"abcdefghijklmnopqrstuvwxyz0123"}`;
      const unknown = head + encodeBase62(crc32(head), 6);
      const app = await open();
      const answer = await call(app, bearer(unknown));
      expect(answer.status).toBe(401);
      expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(answer.body.error.code).toBe("NOT_FOUND");
    });

    it("answers 403 insufficient_scope when the key lacks the route's scope", async () => {
      const issued = await keysmith.key({ type: "restricted", scopes: ["alerts:read"] });
      const app = await open();
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe("INSUFFICIENT_SCOPE");
      expect(answer.headers.get("www-authenticate")).toBe(
        'Bearer realm="api", error="insufficient_scope", scope="weather:read"',
      );
    });

    it("checks a permission query: through when the key satisfies it, 403 insufficient_scope when not", async () => {
      const app = await open({ scopes: undefined, permissions: "weather:read AND (alerts:read OR radar:*)" });
      const enough = await keysmith.key({ type: "restricted", scopes: ["weather:*", "radar:*"] });
      const short = await keysmith.key({ type: "restricted", scopes: ["weather:read", "radar:read"] });
      expect((await call(app, bearer(enough.key))).status).toBe(200);
      const refused = await call(app, bearer(short.key));
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("INSUFFICIENT_SCOPE");
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="api", error="insufficient_scope"');
    });

    it("needs both the scopes and the permission query when given both", async () => {
      const app = await open({ scopes: "weather:read", permissions: "alerts:read OR radar:read" });
      const both = await keysmith.key({ type: "restricted", scopes: ["weather:read", "radar:read"] });
      const scopeOnly = await keysmith.key({ type: "restricted", scopes: ["weather:read"] });
      const queryOnly = await keysmith.key({ type: "restricted", scopes: ["alerts:read"] });
      expect((await call(app, bearer(both.key))).status).toBe(200);
      expect((await call(app, bearer(scopeOnly.key))).status).toBe(403);
      expect((await call(app, bearer(queryOnly.key))).status).toBe(403);
    });

    it("answers 500 for a permission query keysmith cannot parse, and reports where it fails", async () => {
      const errors: unknown[] = [];
      const app = await open({ permissions: "weather:read AND", onError: (error) => errors.push(error) });
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(500);
      expect(answer.body.error.code).toBe("AUTHENTICATION_MISCONFIGURED");
      expect(answer.text).not.toContain(issued.key);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        code: "INVALID_PERMISSION_QUERY",
        status: 400,
        details: { position: 16, expected: ["scope", "("] },
      });
    });

    it("passes the caller's IP and Origin on, and answers 403 when the key is bound to others", async () => {
      const local = await keysmith.key({
        allowedIps: ["127.0.0.1"],
        allowedOrigins: ["https://app.example.com"],
      });
      const elsewhere = await keysmith.key({ allowedIps: ["203.0.113.0/24"] });
      const app = await open({ scopes: undefined });
      expect((await call(app, { ...bearer(local.key), origin: "https://app.example.com" })).status).toBe(200);
      const wrongOrigin = await call(app, { ...bearer(local.key), origin: "https://evil.example.net" });
      expect(wrongOrigin.status).toBe(403);
      expect(wrongOrigin.body.error.code).toBe("ORIGIN_NOT_ALLOWED");
      const wrongIp = await call(app, bearer(elsewhere.key));
      expect(wrongIp.status).toBe(403);
      expect(wrongIp.body.error.code).toBe("IP_NOT_ALLOWED");
    });

    it("answers 429 with Retry-After and the RateLimit headers once the rate limit is spent", async () => {
      const issued = await keysmith.key({ ratelimits: [{ name: "burst", limit: 2, duration: "1m" }] });
      const app = await open({ scopes: undefined });
      const first = await call(app, bearer(issued.key));
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-policy")).toBe('"burst";q=2;w=60');
      expect(first.headers.get("ratelimit")).toMatch(/^"burst";r=1;t=\d+$/);
      // Windows are whole minutes: should one end between calls, a few more calls refill it.
      let answer = first;
      for (let i = 0; i < 6 && answer.status !== 429; i++) answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(429);
      expect(answer.body.error.code).toBe("RATE_LIMITED");
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get("ratelimit-policy")).toBe('"burst";q=2;w=60');
      expect(answer.headers.get("ratelimit")).toMatch(/^"burst";r=0;t=\d+$/);
    });

    it("answers 402 when the key's credits are used up", async () => {
      const issued = await keysmith.key({ credits: { remaining: 1 } });
      const app = await open({ scopes: undefined, cost: 1 });
      expect((await call(app, bearer(issued.key))).status).toBe(200);
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(402);
      expect(answer.body.error.code).toBe("USAGE_EXCEEDED");
    });

    it("reads the key from a custom header such as x-api-key", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const app = await open({ header: "x-api-key" });
      expect((await call(app, { "x-api-key": issued.key })).status).toBe(200);
      const missing = await call(app, bearer(issued.key));
      expect(missing.status).toBe(401);
      expect(missing.body.error.message).toContain("x-api-key");
    });

    it("fails closed with 503 when keysmith is unreachable, and tells onError", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const errors: unknown[] = [];
      const down = new Keysmith({ baseUrl: await deadUrl(), rootKey: keysmith.rootKey, retries: 0 });
      const app = await open({ client: down, onError: (error) => errors.push(error) });
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe("AUTHENTICATION_UNAVAILABLE");
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).not.toContain(issued.key);
    });

    it("lets the request through with a null identity when failOpen is set", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const down = new Keysmith({ baseUrl: await deadUrl(), rootKey: keysmith.rootKey, retries: 0 });
      const app = await open({ client: down, failOpen: true });
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(200);
      expect(answer.body.identity).toBeNull();
      // Failing open never skips the checks that need no server.
      expect((await call(app)).status).toBe(401);
    });

    it("answers 500 and never fails open when keysmith refuses the root key", async () => {
      const issued = await keysmith.key({ scopes: ["weather:read"] });
      const { key: noVerify } = await keysmith.admin.rootKeys.create({ scopes: ["keys:read"] });
      const app = await open({ baseUrl: keysmith.url, rootKey: noVerify, client: undefined, failOpen: true });
      const answer = await call(app, bearer(issued.key));
      expect(answer.status).toBe(500);
      expect(answer.body.error.code).toBe("AUTHENTICATION_MISCONFIGURED");
      expect(answer.text).not.toContain(noVerify);
    });
  });
}
