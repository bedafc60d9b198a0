import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Keysmith } from "./client.js";
import { KeysmithApiError, KeysmithConnectionError } from "./errors.js";
import { countingFetch, deadUrl } from "./test-support/network.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A tiny HTTP server answering the n-th request with the n-th handler (the last one repeats). */
async function scripted(...handlers: Handler[]): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const handler = handlers[Math.min(requests.length, handlers.length) - 1] as Handler;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res
      .writeHead(status, { "content-type": "application/json", "x-request-id": "req_test" })
      .end(JSON.stringify(body));
  };
const failure = json(503, {
  error: { code: "INTERNAL_ERROR", message: "Something went wrong.", requestId: "req_1" },
});
const project = { id: "proj_1", name: "Acme" };
const rootKey = "ks_root_live_000000000000000000000000000000000000";
const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key

describe("retries", () => {
  it("retries a GET after a 5xx and answers with the second try", async () => {
    const server = await scripted(failure, json(200, project));
    const client = new Keysmith({ baseUrl: server.url, rootKey });
    await expect(client.projects.get("proj_1")).resolves.toEqual(project);
    expect(server.requests).toEqual(["GET /v1/projects/proj_1", "GET /v1/projects/proj_1"]);
  });

  it("gives up after `retries` further tries with the last error, typed", async () => {
    const server = await scripted(failure);
    const client = new Keysmith({ baseUrl: server.url, rootKey, retries: 1 });
    const error = await client.projects.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysmithApiError);
    expect(error).toMatchObject({ code: "INTERNAL_ERROR", status: 503, requestId: "req_1" });
    expect(server.requests).toHaveLength(2);
  });

  it("never retries a write or a verification the server may have seen", async () => {
    const server = await scripted(failure);
    const client = new Keysmith({ baseUrl: server.url, rootKey });
    await expect(client.projects.create({ name: "Acme", prefix: "acme" })).rejects.toMatchObject({
      status: 503,
    });
    await expect(client.verifyKey(key)).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toEqual(["POST /v1/projects", "POST /v1/keys/verify"]);
  });

  it("retries a verification whose connection was refused, since it never reached the server", async () => {
    const spy = countingFetch();
    const client = new Keysmith({ baseUrl: await deadUrl(), rootKey, retries: 2, fetch: spy.fetch });
    const error = await client.verifyKey(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysmithConnectionError);
    expect(error).toMatchObject({ code: "NETWORK_ERROR" });
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(spy.calls).toHaveLength(3);
  });

  it("reports a refused connection the same way over node:http (the default on Node.js)", async () => {
    const client = new Keysmith({ baseUrl: await deadUrl(), rootKey, retries: 1 });
    const error = await client.verifyKey(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysmithConnectionError);
    expect(error).toMatchObject({ code: "NETWORK_ERROR" });
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("does not retry a verification whose connection broke after it was sent", async () => {
    const server = await scripted((req) => req.socket.destroy());
    const client = new Keysmith({ baseUrl: server.url, rootKey, retries: 2 });
    await expect(client.verifyKey(key)).rejects.toMatchObject({ code: "NETWORK_ERROR" });
    expect(server.requests).toHaveLength(1);
  });
});

describe("the transport on Node.js", () => {
  it("sends requests over node:http, reusing one connection, unless a fetch is given", async () => {
    const sockets = new Set<unknown>();
    const server = await scripted((req, res) => {
      sockets.add(req.socket);
      json(200, project)(req, res);
    });
    const globalFetch = vi.spyOn(globalThis, "fetch");
    try {
      const client = new Keysmith({ baseUrl: server.url, rootKey });
      for (let i = 0; i < 3; i++) await expect(client.projects.get("proj_1")).resolves.toEqual(project);
      expect(globalFetch).not.toHaveBeenCalled();
      expect(sockets.size).toBe(1);
      const spy = countingFetch();
      const withFetch = new Keysmith({ baseUrl: server.url, rootKey, fetch: spy.fetch });
      await withFetch.projects.get("proj_1");
      expect(spy.calls).toEqual([`${server.url}/v1/projects/proj_1`]);
    } finally {
      globalFetch.mockRestore();
    }
  });

  it("reads an answer that arrives in many pieces, multi-byte characters split included", async () => {
    const name = "Wetter — Zürich ☀️".repeat(2000);
    const server = await scripted((_req, res) => {
      const body = Buffer.from(JSON.stringify({ ...project, name }));
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < body.length; i += 7) res.write(body.subarray(i, i + 7));
      res.end();
    });
    const client = new Keysmith({ baseUrl: server.url, rootKey });
    await expect(client.projects.get("proj_1")).resolves.toEqual({ ...project, name });
  });
});

describe("timeouts and odd answers", () => {
  it("times out a request that gets no answer within timeoutMs", async () => {
    const server = await scripted(() => {});
    const client = new Keysmith({ baseUrl: server.url, rootKey, timeoutMs: 50, retries: 1 });
    const error = await client.keys.get("key_1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysmithConnectionError);
    expect(error).toMatchObject({ code: "TIMEOUT" });
    expect((error as Error).message).toBe("keysmith did not answer GET /v1/keys/key_1 within 50 ms");
    // A read is tried again after a timeout; a verification is not.
    expect(server.requests).toHaveLength(2);
    await expect(client.verifyKey(key)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(server.requests).toHaveLength(3);
  });

  it("stops at once when the caller's signal aborts", async () => {
    const server = await scripted(() => {});
    const client = new Keysmith({ baseUrl: server.url, rootKey, timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = client.keys.get("key_1", { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });

  it("reports a non-keysmith error page without repeating its body", async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway secret-ish</html>");
    });
    const client = new Keysmith({ baseUrl: server.url, rootKey, retries: 0 });
    const error = await client.projects.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNEXPECTED_RESPONSE", status: 502, requestId: null });
    expect((error as Error).message).not.toContain("secret-ish");
  });

  it("sends the root key only in the Authorization header, and never puts it in an error", async () => {
    let authorization: string | undefined;
    const server = await scripted((req, res) => {
      authorization = req.headers.authorization;
      json(401, {
        error: { code: "UNAUTHORIZED", message: "A valid root key is required.", requestId: "r" },
      })(req, res);
    });
    const client = new Keysmith({ baseUrl: server.url, rootKey });
    const error = (await client.audit.verify().catch((e: unknown) => e)) as KeysmithApiError;
    expect(authorization).toBe(`Bearer ${rootKey}`);
    expect(error.code).toBe("UNAUTHORIZED");
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(rootKey);
  });
});

describe("construction", () => {
  it("refuses a missing base URL or root key at once, without echoing them", () => {
    expect(() => new Keysmith({ baseUrl: "nope", rootKey })).toThrow(TypeError);
    expect(() => new Keysmith({ baseUrl: "http://127.0.0.1:8787", rootKey: "" })).toThrow(
      /rootKey is required/,
    );
  });
});
