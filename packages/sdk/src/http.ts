import { KeysmithApiError, KeysmithConnectionError } from "./errors.js";
import type { Send, SimpleRequest, SimpleResponse } from "./node-request.js";

export type Fetch = typeof globalThis.fetch;
export type QueryValue = string | number | boolean | null | undefined;

/**
 * When a failed call is tried again:
 * - `idempotent`: on a 5xx answer, a timeout or any network error (reads: repeating one is harmless);
 * - `unsent`: only when the connection was never made (refused, no route, DNS), so the server
 *   cannot have seen the request. Writes and verifications use it: a verification that reached
 *   the server may already have taken a rate-limit slot, a credit or spend.
 */
export type RetryPolicy = "idempotent" | "unsent";

export interface TransportOptions {
  baseUrl: string;
  rootKey: string;
  timeoutMs: number;
  retries: number;
  fetch: Fetch;
  /**
   * Sends the requests (not the change feed's streams) instead of `fetch`: the client passes
   * node:http's sender on Node.js when no `fetch` was given (see node-request.ts).
   */
  send?: Send | null;
  /** Base of the exponential backoff between tries (default 100 ms; full jitter, capped at 2 s). */
  backoffMs?: number;
}

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  retry: RetryPolicy;
  signal?: AbortSignal | undefined;
}

export interface ApiResponse<T> {
  status: number;
  headers: { get(name: string): string | null };
  data: T;
}

// Errors that prove no connection was made, so no byte of the request reached the server.
const UNSENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The HTTP layer of the client: one method, `request`, with timeouts, retries and typed errors. */
export class Transport {
  private readonly baseUrl: string;
  private readonly authorization: string;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.authorization = `Bearer ${options.rootKey}`;
  }

  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = { authorization: this.authorization, accept: "application/json" };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.options.retries;
      let response: SimpleResponse;
      let text: string;
      try {
        response = await this.send(url, {
          method: spec.method,
          headers,
          body,
          signal: spec.signal,
          timeoutMs: this.options.timeoutMs,
        });
        text = await response.text();
      } catch (error) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        const failure = connectionError(error, spec, this.options.timeoutMs);
        if (!last && (spec.retry === "idempotent" || isUnsent(error))) {
          await this.backoff(attempt, spec.signal);
          continue;
        }
        throw failure;
      }
      if (response.ok) {
        const data = parse(text);
        if (data === INVALID) throw apiError(response, "", spec);
        return { status: response.status, headers: response.headers, data: data as T };
      }
      if (!last && spec.retry === "idempotent" && response.status >= 500) {
        await this.backoff(attempt, spec.signal);
        continue;
      }
      throw apiError(response, text, spec);
    }
  }

  /**
   * Opens a streaming answer (Server-Sent Events): `timeoutMs` bounds the wait for the status
   * line only, never the stream. An error status throws like `request` does; not retried.
   */
  async open(
    spec: Omit<RequestSpec, "body" | "retry">,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const controller = new AbortController();
    const abort = () => controller.abort(spec.signal?.reason);
    spec.signal?.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new DOMException("timed out", "TimeoutError")),
      this.options.timeoutMs,
    );
    let response: Response;
    try {
      response = await this.options.fetch(this.url(spec.path, spec.query), {
        method: spec.method,
        headers: { authorization: this.authorization, accept: "text/event-stream", ...headers },
        signal: controller.signal,
      });
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      throw connectionError(
        controller.signal.reason ?? error,
        { ...spec, retry: "unsent" },
        this.options.timeoutMs,
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw apiError(response, await response.text(), { ...spec, retry: "unsent" });
    return response;
  }

  private send(url: string, init: SimpleRequest): Promise<SimpleResponse> {
    if (this.options.send) return this.options.send(url, init);
    const timeout = AbortSignal.timeout(init.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return this.options.fetch(url, { method: init.method, headers: init.headers, body: init.body, signal });
  }

  /** `request`, answering only the parsed body. */
  async json<T>(spec: RequestSpec): Promise<T> {
    return (await this.request<T>(spec)).data;
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) params.set(name, String(value));
    }
    const search = params.size ? `?${params}` : "";
    return `${this.baseUrl}${path}${search}`;
  }

  private backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    const base = this.options.backoffMs ?? 100;
    const ceiling = Math.min(2000, base * 2 ** attempt);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, delay);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}

const INVALID = Symbol("invalid JSON");

function parse(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function isUnsent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errors?: unknown } } | null)?.cause;
  if (cause === undefined || cause === null) return false;
  if (typeof cause.code === "string" && UNSENT_CODES.has(cause.code)) return true;
  // Happy eyeballs (several addresses tried) reports an AggregateError of per-address failures.
  return (
    Array.isArray(cause.errors) &&
    cause.errors.length > 0 &&
    cause.errors.every((e: { code?: unknown }) => typeof e?.code === "string" && UNSENT_CODES.has(e.code))
  );
}

function connectionError(error: unknown, spec: RequestSpec, timeoutMs: number): KeysmithConnectionError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return new KeysmithConnectionError(
      "TIMEOUT",
      `keysmith did not answer ${spec.method} ${spec.path} within ${timeoutMs} ms`,
      { cause: error },
    );
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return new KeysmithConnectionError(
    "NETWORK_ERROR",
    `keysmith could not be reached for ${spec.method} ${spec.path}${typeof code === "string" ? ` (${code})` : ""}`,
    { cause: error },
  );
}

function apiError(response: SimpleResponse, text: string, spec: RequestSpec): KeysmithApiError {
  const headerId = response.headers.get("x-request-id");
  let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } } | null =
    null;
  try {
    body = JSON.parse(text);
  } catch {}
  const error = body?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return new KeysmithApiError({
      code: error.code,
      message: error.message,
      status: response.status,
      requestId: typeof error.requestId === "string" ? error.requestId : headerId,
      details: error.details,
    });
  }
  // Not keysmith's error shape (a proxy or load balancer answered): its body is not repeated.
  return new KeysmithApiError({
    code: "UNEXPECTED_RESPONSE",
    message: `${spec.method} ${spec.path} answered ${response.status} without a keysmith JSON body`,
    status: response.status,
    requestId: headerId,
  });
}
