/**
 * The client's requests on Node.js, over `node:http`/`node:https` with a keep-alive agent,
 * instead of the global `fetch` (undici in Node 20–22). Measured against a keysmith server on
 * this repository's bench machine: about 400 µs of client CPU per verification through `fetch`
 * (its WHATWG streams, a Request and a Response object, an AbortSignal per call) against 85–160
 * µs through `node:http`. An API that verifies every request with keysmith spends that on each
 * one, so the client uses `node:http` whenever it runs on Node and no `fetch` was given. Other
 * runtimes (Deno, Bun, browsers, edge functions) keep `fetch`; so do the change feed's
 * long-lived streams.
 *
 * The modules are loaded on first use, by a name bundlers leave alone, so that code for edge
 * runtimes never has to resolve `node:http`.
 */

/** What the transport reads of an answer: the fetch Response's members it uses. */
export interface SimpleResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface SimpleRequest {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Aborts the call with its reason (the caller's). */
  signal: AbortSignal | undefined;
  /** The call fails with a `TimeoutError` after this long. */
  timeoutMs: number;
}

export type Send = (url: string, init: SimpleRequest) => Promise<SimpleResponse>;

type Http = typeof import("node:http");

/** A sender over node:http when this is Node.js, else null (use fetch). */
export function nodeSender(): Send | null {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  if (typeof versions?.node !== "string" || "EdgeRuntime" in globalThis || "Bun" in globalThis) return null;
  let modules: Promise<{ http: Http; https: Http; agents: { http: unknown; https: unknown } }> | null = null;
  const load = () => {
    modules ??= (async () => {
      const httpName = "node:http";
      const httpsName = "node:https";
      const http = (await import(/* webpackIgnore: true */ /* @vite-ignore */ httpName)) as Http;
      const https = (await import(/* webpackIgnore: true */ /* @vite-ignore */ httpsName)) as Http;
      // Idle sockets are kept for the next call and never hold the process open (Node unrefs them).
      const options = { keepAlive: true, scheduling: "lifo" as const };
      return { http, https, agents: { http: new http.Agent(options), https: new https.Agent(options) } };
    })();
    return modules;
  };
  return async (url, init) => {
    const { http, https, agents } = await load();
    const secure = url.startsWith("https:");
    return send(secure ? https : http, secure ? agents.https : agents.http, url, init);
  };
}

function send(module: Http, agent: unknown, url: string, init: SimpleRequest): Promise<SimpleResponse> {
  return new Promise<SimpleResponse>((resolve, reject) => {
    if (init.signal?.aborted) {
      reject(init.signal.reason);
      return;
    }
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers["content-length"] = Buffer.byteLength(init.body);
    const request = module.request(url, {
      method: init.method,
      headers,
      agent: agent as import("node:http").Agent,
    });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const stop = (reason: unknown) => {
      // The reason goes to the caller as it is (fetch does the same); the socket is not reused.
      fail(reason);
      request.destroy();
    };
    const timer = setTimeout(
      () => stop(new DOMException("The operation timed out.", "TimeoutError")),
      init.timeoutMs,
    );
    const onAbort = () => stop(init.signal?.reason);
    init.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      init.signal?.removeEventListener("abort", onAbort);
    };
    // Network failures as fetch reports them: a TypeError whose cause carries the code.
    request.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
      response.on("end", () => {
        if (settled) return;
        settled = true;
        cleanup();
        const text =
          chunks.length === 1
            ? (chunks[0] as Buffer).toString("utf8")
            : Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        const raw = response.headers;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          headers: {
            get(name) {
              const value = raw[name.toLowerCase()];
              if (value === undefined) return null;
              return Array.isArray(value) ? value.join(", ") : value;
            },
          },
          text: () => Promise.resolve(text),
        });
      });
    });
    request.end(init.body);
  });
}
