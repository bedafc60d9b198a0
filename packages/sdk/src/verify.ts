import type { AnswerCache } from "./answer-cache.js";
import type { Transport } from "./http.js";
import { isWellFormedKey } from "./key-format.js";
import type { KeyEnvironment, VerifyResponse } from "./types.js";
import { cacheKeyOf } from "./verify-cache.js";

export interface VerifyKeyOptions {
  /** Scopes the call needs; all must be granted (`invoices:read`, or several). */
  scopes?: string | string[] | undefined;
  /**
   * A permission query the key's scopes must satisfy: scopes joined by `AND` and `OR` (uppercase;
   * AND binds tighter) with parentheses, e.g. `invoices:read AND (refunds:write OR billing:*)`.
   * Failing it answers `INSUFFICIENT_SCOPE`; a query that does not parse is a 400
   * `INVALID_PERMISSION_QUERY` (thrown as `KeysmithApiError`, position in its details). Given with
   * `scopes`, both must pass.
   */
  permissions?: string | undefined;
  /** The price of this call in credits and spend (default: the project's cost table, else 1). */
  cost?: number | undefined;
  /** The caller's `Origin`, checked against the key's allowed origins. */
  origin?: string | undefined;
  /** The caller's IP address, checked against the key's allowed IPs. */
  ip?: string | undefined;
  /** The environment of keys to accept (default `live`); a key of the other one answers `ENVIRONMENT_MISMATCH`. */
  environment?: KeyEnvironment | undefined;
  /** Labels this call's usage is split by (`GET /v1/usage?tag=…`): at most 10, each at most 64 characters. */
  tags?: string[] | undefined;
  signal?: AbortSignal | undefined;
}

/** The verify route's rate-limit headers, lower-cased, to pass on to your own caller. */
export interface RateLimitHeaders {
  "ratelimit-policy"?: string;
  ratelimit?: string;
  "retry-after"?: string;
}

export type VerifyKeyResult = VerifyResponse & {
  rateLimitHeaders: RateLimitHeaders;
  /** `server` asked keysmith, `cache` reused a recent VALID answer, `local` rejected a malformed key. */
  source: "server" | "cache" | "local";
};

const MALFORMED: VerifyKeyResult = Object.freeze({
  valid: false,
  code: "MALFORMED",
  keyId: null,
  ownerId: null,
  projectId: null,
  type: null,
  environment: null,
  scopes: [],
  meta: null,
  expiresAt: null,
  ratelimits: [],
  credits: null,
  budget: null,
  identity: null,
  roles: [],
  rateLimitHeaders: {},
  source: "local",
});

/** The client's internal members the middleware uses (symbols: not part of the public API). */
export const CACHING: unique symbol = Symbol("keysmith.caching");
export const CACHED: unique symbol = Symbol("keysmith.cached");
export const VERIFY_PREPARED: unique symbol = Symbol("keysmith.verifyPrepared");

const RATE_LIMIT_HEADERS = ["ratelimit-policy", "ratelimit", "retry-after"] as const;

/**
 * `verifyKey`: a key that fails the grammar or checksum is answered MALFORMED here, with no
 * network call; the rest go to `POST /v1/keys/verify`, or to the local cache when it is on and
 * holds a VALID unmetered answer for the same key and options.
 */
export async function verifyKey(
  transport: Transport,
  cache: AnswerCache | null,
  key: string,
  options: VerifyKeyOptions = {},
): Promise<VerifyKeyResult> {
  if (!isWellFormedKey(key)) return MALFORMED;
  const { signal, ...fields } = options;
  const cacheKey = cache === null ? null : cacheKeyOf(key, fields);
  if (cache !== null && cacheKey !== null) {
    const hit = cache.get(cacheKey);
    if (hit !== undefined) return hit;
  }
  return askServer(transport, cache, cacheKey, key, fields, signal);
}

/**
 * The middleware's path after a cache miss (`AnswerCache.get` first, without a promise): the
 * cache key comes ready, the route's options encoded once (see `cacheKeyOf`).
 */
export async function verifyPrepared(
  transport: Transport,
  cache: AnswerCache | null,
  key: string,
  fields: Omit<VerifyKeyOptions, "signal">,
  cacheKey: string | null,
): Promise<VerifyKeyResult> {
  if (!isWellFormedKey(key)) return MALFORMED;
  return askServer(transport, cache, cacheKey, key, fields, undefined);
}

async function askServer(
  transport: Transport,
  cache: AnswerCache | null,
  cacheKey: string | null,
  key: string,
  fields: Omit<VerifyKeyOptions, "signal">,
  signal: AbortSignal | undefined,
): Promise<VerifyKeyResult> {
  const ticket = cache === null ? null : cache.ticket();
  // Not retried once it may have reached the server: it may have taken a slot, a credit or spend.
  const response = await transport.request<VerifyResponse>({
    method: "POST",
    path: "/v1/keys/verify",
    body: { key, ...fields },
    retry: "unsent",
    signal,
  });
  const rateLimitHeaders: RateLimitHeaders = {};
  for (const name of RATE_LIMIT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) rateLimitHeaders[name] = value;
  }
  const result: VerifyKeyResult = { ...response.data, rateLimitHeaders, source: "server" };
  if (cache !== null && cacheKey !== null) cache.keep(cacheKey, result, ticket);
  return result;
}
