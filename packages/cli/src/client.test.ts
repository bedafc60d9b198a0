import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, NetworkError } from "./client.js";

type Call = { url: string; init: RequestInit };

/** A fetch that answers `response` and records what it was asked. */
function fakeFetch(response: () => Response): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), init: init ?? {} });
    return response();
  };
  return { fetch: fake as typeof fetch, calls };
}

describe("ApiClient", () => {
  it("sends the root key as Bearer, JSON bodies, and query strings without unset values", async () => {
    const { fetch, calls } = fakeFetch(() => Response.json({ data: [], nextCursor: null }));
    const client = new ApiClient({ baseUrl: "http://keysmith.internal:8787/", rootKey: "ks_root", fetch });
    await client.get("/v1/keys", { projectId: "proj_1", ownerId: undefined, limit: 10 });
    await client.post("/v1/keys/key_1/revoke", { reason: "leaked" });

    expect(calls[0]?.url).toBe("http://keysmith.internal:8787/v1/keys?projectId=proj_1&limit=10");
    expect(calls[0]?.init.method).toBe("GET");
    expect(calls[0]?.init.body).toBeUndefined();
    expect(calls[0]?.init.headers).toMatchObject({ authorization: "Bearer ks_root" });
    expect(calls[1]?.init).toMatchObject({ method: "POST", body: '{"reason":"leaked"}' });
    expect(calls[1]?.init.headers).toMatchObject({ "content-type": "application/json" });
  });

  it("turns an error answer into an ApiError carrying the code, message and request id", async () => {
    const body = {
      error: { code: "KEY_NOT_FOUND", message: "No such key.", requestId: "req_1", details: { id: "x" } },
    };
    const { fetch } = fakeFetch(() => Response.json(body, { status: 404 }));
    const error = await new ApiClient({ baseUrl: "http://x", rootKey: "k", fetch })
      .get("/v1/keys/x")
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 404,
      code: "KEY_NOT_FOUND",
      message: "No such key.",
      requestId: "req_1",
      details: { id: "x" },
    });
  });

  it("names the status when an error answer is not keysmith's JSON (a proxy's 502 page)", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    const error = await new ApiClient({ baseUrl: "http://x", rootKey: "k", fetch })
      .get("/v1/projects")
      .catch((e) => e);
    expect(error).toMatchObject({
      code: "HTTP_502",
      requestId: null,
      message: "GET /v1/projects answered HTTP 502",
    });
  });

  it("refuses a successful answer that is not JSON", async () => {
    const { fetch } = fakeFetch(() => new Response("hello", { status: 200 }));
    const error = await new ApiClient({ baseUrl: "http://x", rootKey: "k", fetch })
      .get("/v1/projects")
      .catch((e) => e);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE" });
  });

  it("gives up after the timeout with a NetworkError", async () => {
    // Answers only when aborted, as a server that never responds.
    const hang = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    const client = new ApiClient({ baseUrl: "http://x", rootKey: "k", fetch: hang, timeoutMs: 5 });
    const error = await client.get("/v1/projects").catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ message: "GET http://x/v1/projects timed out after 5ms" });
  });
});
