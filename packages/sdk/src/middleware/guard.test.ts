import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Keysmith } from "../client.js";
import { validAnswer } from "../test-support/answers.js";
import { createGuard } from "./guard.js";

const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

/** A keysmith stand-in answering every verification with `status`, `body` and `headers`. */
async function keysmithAnswering(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Keysmith> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new Keysmith({ baseUrl, rootKey: "ks_root_live_x", retries: 0 });
}

const storeUnavailable = {
  error: {
    code: "STORE_UNAVAILABLE",
    message: "The database is unreachable or refuses writes; retry after Retry-After.",
    requestId: "req_1",
  },
};
const input = { credential: `Bearer ${key}`, origin: undefined, ip: undefined };

describe("the middleware when keysmith's database is down", () => {
  it("answers its own 503 when keysmith answers 503 STORE_UNAVAILABLE", async () => {
    const client = await keysmithAnswering(503, storeUnavailable, { "retry-after": "2" });
    const errors: unknown[] = [];
    const decision = await createGuard({ client, onError: (error) => errors.push(error) })(input);
    expect(decision).toMatchObject({ allow: false, status: 503 });
    expect(decision.allow === false && decision.body.error.code).toBe("AUTHENTICATION_UNAVAILABLE");
    expect(errors).toEqual([expect.objectContaining({ code: "STORE_UNAVAILABLE", status: 503 })]);
  });

  it("lets the request through with a null identity when failOpen is set", async () => {
    const client = await keysmithAnswering(503, storeUnavailable, { "retry-after": "2" });
    const decision = await createGuard({ client, failOpen: true })(input);
    expect(decision).toEqual({ allow: true, identity: null, headers: {} });
  });

  it("hands on a degraded answer (rate limits unchecked) without claiming a remaining count", async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    const client = await keysmithAnswering(
      200,
      {
        valid: true,
        code: "VALID",
        keyId: "key_1",
        ownerId: null,
        projectId: "proj_1",
        type: "secret",
        environment: "live",
        scopes: [],
        meta: null,
        expiresAt: null,
        ratelimits: [{ name: "minute", limit: 10, remaining: null, reset }],
        credits: null,
        budget: null,
        degraded: true,
      },
      { "ratelimit-policy": '"minute";q=10;w=60' },
    );
    const decision = await createGuard({ client })(input);
    expect(decision.allow).toBe(true);
    if (!decision.allow) return;
    expect(decision.identity?.ratelimits).toEqual([{ name: "minute", limit: 10, remaining: null, reset }]);
    expect(decision.headers).toEqual({ "RateLimit-Policy": '"minute";q=10;w=60' });
  });
});

describe("the middleware with the client's cache on", () => {
  const valid = { ...validAnswer, scopes: ["bench:read"] };

  /**
   * A keysmith stand-in that counts verifications and has no change feed (a 4xx): once the
   * client has seen that, the TTL alone bounds its cache.
   */
  async function countingKeysmith(): Promise<{
    client: Keysmith;
    calls: () => number;
    feedRefused: Promise<void>;
  }> {
    let calls = 0;
    let refused: () => void = () => {};
    const feedRefused = new Promise<void>((resolve) => {
      refused = resolve;
    });
    const server = createServer((req, res) => {
      if (req.url !== "/v1/keys/verify") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "no feed", requestId: "req_1" } }));
        return;
      }
      calls++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(valid));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new Keysmith({
      baseUrl,
      rootKey: "ks_root_live_x",
      retries: 0,
      cache: { ttlMs: 60_000, onStatus: (status) => status === "unsupported" && refused() },
    });
    return { client, calls: () => calls, feedRefused };
  }

  it("answers a repeated key from the cache at once, without a promise or a call to keysmith", async () => {
    const { client, calls, feedRefused } = await countingKeysmith();
    const guard = createGuard({ client, scopes: "bench:read" });
    const request = { credential: `Bearer ${key}`, origin: undefined, ip: "10.0.0.1" };
    // The first call starts the change feed; nothing is kept until its answer (refused) is known.
    await guard(request);
    await feedRefused;
    const asked = guard(request);
    expect(asked).toBeInstanceOf(Promise);
    expect(await asked).toMatchObject({ allow: true, identity: { keyId: "key_1", ownerId: "cus_1" } });
    const cached = guard(request);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ allow: true, identity: { keyId: "key_1" }, headers: {} });
    expect(guard(request)).toBe(cached);
    expect(calls()).toBe(2);
    client.close();
  });

  it("asks keysmith again for another IP, another origin or another route's scopes", async () => {
    const { client, calls, feedRefused } = await countingKeysmith();
    const guard = createGuard({ client, scopes: "bench:read" });
    const other = createGuard({ client, scopes: "bench:write" });
    const request = { credential: `Bearer ${key}`, origin: undefined, ip: "10.0.0.1" };
    await guard(request);
    await feedRefused;
    await guard(request);
    expect(guard(request)).not.toBeInstanceOf(Promise);
    const variants = [
      guard({ ...request, ip: "10.0.0.2" }),
      guard({ ...request, origin: "https://a.example" }),
      other(request),
    ];
    for (const variant of variants) expect(variant).toBeInstanceOf(Promise);
    await Promise.all(variants);
    expect(calls()).toBe(5);
    client.close();
  });
});
