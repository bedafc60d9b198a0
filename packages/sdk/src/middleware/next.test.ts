import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { Keysmith } from "../client.js";
import { startKeysmith, type TestKeysmith } from "../test-support/keysmith.js";
import { middlewareSuite, type RunningApp } from "../test-support/middleware-suite.js";
import type { KeysmithIdentity } from "./guard.js";
import { keysmith, withKeysmith } from "./next.js";

/** The header the test server sets from the socket, as a platform or proxy in front of Next does. */
const CLIENT_IP = "x-test-client-ip";

/**
 * Serves a fetch-style handler over Node's HTTP server the way Next does for a route handler: a
 * real `Request` in, the returned `Response` written out.
 */
async function serveFetch(handler: (request: Request) => Promise<Response | undefined>): Promise<RunningApp> {
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    }
    headers.set(CLIENT_IP, incoming.socket.remoteAddress ?? "");
    const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
      method: incoming.method,
      headers,
    });
    handler(request).then(
      async (response) => {
        // Middleware that let the request through: the "route" behind it answers.
        const answer = response ?? Response.json({ passed: true });
        outgoing.writeHead(answer.status, Object.fromEntries(answer.headers));
        outgoing.end(Buffer.from(await answer.arrayBuffer()));
      },
      (error: unknown) => {
        outgoing.writeHead(599).end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const getIp = (request: Request) => request.headers.get(CLIENT_IP) ?? undefined;

/** The error code of a refusal's JSON body. */
async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

middlewareSuite("Next.js route handler (withKeysmith)", (options) => {
  const route = withKeysmith({ ...options, getIp }, (_request, _context, identity) =>
    Response.json({ identity }),
  );
  return serveFetch((request) => route(request, {}));
});

describe("Next.js middleware (keysmith) against a real keysmith server", () => {
  let server: TestKeysmith;
  let client: Keysmith;
  const apps: RunningApp[] = [];
  const open = async (options: Parameters<typeof keysmith>[0]) => {
    const app = await serveFetch(keysmith({ client, getIp, ...options }));
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    server = await startKeysmith();
    client = new Keysmith({ baseUrl: server.url, rootKey: server.rootKey });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await server?.stop();
  });

  it("lets a key with the scopes through to the route, and answers the refusals itself", async () => {
    const app = await open({ scopes: "weather:read" });
    const good = await server.key({ scopes: ["weather:read"] });
    const short = await server.key({ type: "restricted", scopes: ["alerts:read"] });
    const passed = await fetch(`${app.url}/api/forecast`, {
      headers: { authorization: `Bearer ${good.key}` },
    });
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ passed: true });
    const missing = await fetch(`${app.url}/api/forecast`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(await codeOf(missing)).toBe("MISSING_KEY");
    const refused = await fetch(`${app.url}/api/forecast`, {
      headers: { authorization: `Bearer ${short.key}` },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toContain("application/json");
    expect(await codeOf(refused)).toBe("INSUFFICIENT_SCOPE");
  });

  it("checks a permission query", async () => {
    const app = await open({ permissions: "weather:read AND (alerts:read OR radar:*)" });
    const enough = await server.key({ type: "restricted", scopes: ["weather:*", "radar:*"] });
    const short = await server.key({ type: "restricted", scopes: ["weather:read", "radar:read"] });
    const call = (key: string) => fetch(`${app.url}/api/x`, { headers: { authorization: `Bearer ${key}` } });
    expect((await call(enough.key)).status).toBe(200);
    expect((await call(short.key)).status).toBe(403);
  });

  it("refuses a key bound to IP addresses when getIp gives no address", async () => {
    const bound = await server.key({ allowedIps: ["127.0.0.1"] });
    const app = await open({ getIp: () => undefined });
    const answer = await fetch(`${app.url}/`, { headers: { authorization: `Bearer ${bound.key}` } });
    expect(answer.status).toBe(403);
    expect(await codeOf(answer)).toBe("IP_NOT_ALLOWED");
  });
});

describe("withKeysmith", () => {
  it("adds the RateLimit headers to a response whose headers are immutable", async () => {
    const running = await startKeysmith();
    try {
      const issued = await running.key({ ratelimits: [{ name: "burst", limit: 5, duration: "1m" }] });
      const client = new Keysmith({ baseUrl: running.url, rootKey: running.rootKey });
      const route = withKeysmith({ client }, () => Response.redirect("https://example.com/", 302));
      const answer = await route(
        new Request("http://x/", { headers: { authorization: `Bearer ${issued.key}` } }),
        {},
      );
      expect(answer.status).toBe(302);
      expect(answer.headers.get("location")).toBe("https://example.com/");
      expect(answer.headers.get("ratelimit-policy")).toBe('"burst";q=5;w=60');
    } finally {
      await running.stop();
    }
  });

  it("types the identity as non-null, or nullable with failOpen, and passes the route context on", () => {
    const client = new Keysmith({ baseUrl: "http://127.0.0.1:9", rootKey: "ks_root_live_x" });
    const route = withKeysmith(
      { client },
      (_request, context: { params: Promise<{ id: string }> }, identity) => {
        expectTypeOf(identity).toEqualTypeOf<KeysmithIdentity>();
        expectTypeOf(context.params).toEqualTypeOf<Promise<{ id: string }>>();
        return new Response();
      },
    );
    expectTypeOf(route).parameter(1).toEqualTypeOf<{ params: Promise<{ id: string }> }>();
    withKeysmith({ client, failOpen: true }, (_request, _context, identity) => {
      expectTypeOf(identity).toEqualTypeOf<KeysmithIdentity | null>();
      return new Response();
    });
  });
});
