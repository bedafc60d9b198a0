import type { ErrorCode, ErrorResponse } from "@keysmith/sdk";

/**
 * The `{ error }` body every keysmith API error answers with. `code` is kept a string: a newer
 * server may send a code this build does not know, and the CLI adds its own (`INVALID_RESPONSE`).
 */
export type ApiErrorBody = Omit<ErrorResponse["error"], "code"> & { code: ErrorCode | (string & {}) };

/** The server answered with an error: its stable code, message and request id. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: unknown;

  constructor(status: number, body: Partial<ApiErrorBody>) {
    super(body.message ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code ?? `HTTP_${status}`;
    this.requestId = body.requestId ?? null;
    this.details = body.details;
  }
}

/** The server could not be reached, or did not answer in time. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

export interface ClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** The root key sent as Bearer. */
  rootKey: string;
  fetch?: typeof fetch;
  /** Per request; 30 seconds by default. */
  timeoutMs?: number;
}

export type Query = Record<string, string | number | undefined>;

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A small client for the keysmith management API: JSON in, JSON out, an `ApiError` for every
 * error answer, a `NetworkError` when the server cannot be reached.
 *
 * @example
 * const client = new ApiClient({ baseUrl: "http://127.0.0.1:8787", rootKey });
 * const { data } = await client.get<{ data: unknown[] }>("/v1/projects");
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly rootKey: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.rootKey = options.rootKey;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>("GET", withQuery(path, query));
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  delete<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>("DELETE", withQuery(path, query));
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.rootKey}`,
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw networkError(error, method, url, this.timeoutMs);
    }
    const text = await response.text().catch(() => "");
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
      throw new ApiError(response.status, {
        ...(typeof error.code === "string" ? { code: error.code } : {}),
        message:
          typeof error.message === "string"
            ? error.message
            : `${method} ${path} answered HTTP ${response.status}`,
        ...(typeof error.requestId === "string" ? { requestId: error.requestId } : {}),
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    if (parsed === undefined) {
      throw new ApiError(response.status, {
        code: "INVALID_RESPONSE",
        message: `${method} ${path} did not answer JSON; is ${this.baseUrl} a keysmith server?`,
      });
    }
    return parsed as T;
  }
}

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function networkError(error: unknown, method: string, url: string, timeoutMs: number): NetworkError {
  const where = `${method} ${url}`;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    const limit = timeoutMs >= 1000 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`;
    return new NetworkError(`${where} timed out after ${limit}`);
  }
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  // An AggregateError (every address refused) may carry only a code.
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    (cause instanceof Error && cause.message) || (typeof code === "string" ? code : String(cause));
  return new NetworkError(`cannot reach keysmith at ${where}: ${reason}`);
}
